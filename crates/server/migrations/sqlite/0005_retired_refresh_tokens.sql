-- Refresh tokens a session has rotated away from. One presented again means two parties hold the
-- session's tokens (one of them stole it): the whole session (its "family") ends. Kept until the
-- session ends or the token would have expired anyway.
CREATE TABLE retired_refresh_tokens (
    refresh_hash  TEXT PRIMARY KEY,
    session_id    BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    retired_ms    BIGINT NOT NULL
);
CREATE INDEX retired_refresh_tokens_session ON retired_refresh_tokens(session_id);
