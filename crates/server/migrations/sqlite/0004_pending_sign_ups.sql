-- A sign-up waits here until its address is verified; only then is an account made, so an
-- address nobody proved to hold claims no invite and is no one's recipient. Several sign-ups may
-- wait for one address (a squatter's does not lock out its holder); the first verified wins and
-- the others go. `kind` is 'email' or 'phone'. `token_hash` names the sign-up to whoever made it,
-- `link_hash` is the mail's link, `code_hash` the six digits (hashed with the sign-up's token hash).
CREATE TABLE pending_sign_ups (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    address        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    time_zone      TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    link_hash      TEXT NOT NULL UNIQUE,
    code_hash      TEXT NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 0,
    sends          BIGINT NOT NULL DEFAULT 1,
    last_sent_ms   BIGINT NOT NULL,
    expires_ms     BIGINT NOT NULL,
    created_ms     BIGINT NOT NULL
);
CREATE INDEX pending_sign_ups_address ON pending_sign_ups(address);
