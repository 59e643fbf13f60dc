-- "Forgot password": a code (and a link) mailed or texted to the account's address. A request for
-- a login with no account is stored too (account_id NULL, nothing sent), so the answers and the
-- per-login budget do not tell whether the login exists; its code can never be right.
CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  BIGINT REFERENCES accounts(id) ON DELETE CASCADE,
    login       TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    link_hash   TEXT NOT NULL UNIQUE,
    code_hash   TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    expires_ms  BIGINT NOT NULL,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX password_resets_login ON password_resets(login);
