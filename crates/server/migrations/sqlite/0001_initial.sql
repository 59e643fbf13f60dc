-- Camshare schema, SQLite flavour. Instants are milliseconds since the Unix epoch (BIGINT);
-- JSON columns hold camshare-api types. Keep in step with migrations/postgres.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    code_id       TEXT NOT NULL UNIQUE,
    time_zone     TEXT NOT NULL,
    created_ms    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    access_hash        TEXT NOT NULL UNIQUE,
    access_expires_ms  BIGINT NOT NULL,
    refresh_hash       TEXT NOT NULL UNIQUE,
    refresh_expires_ms BIGINT NOT NULL,
    created_ms         BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_failures (
    login      TEXT PRIMARY KEY,
    failures   BIGINT NOT NULL,
    first_ms   BIGINT NOT NULL,
    last_ms    BIGINT NOT NULL
);

CREATE TABLE devices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id    BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    rtsp_url    TEXT NOT NULL,
    credentials BLOB NOT NULL,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX devices_owner ON devices(owner_id);

CREATE TABLE channels (
    device_id BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    number    BIGINT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (device_id, number)
);

CREATE TABLE recipients (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id       BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address        TEXT NOT NULL,
    address_kind   TEXT NOT NULL,
    account_id     BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    remark         TEXT,
    created_ms     BIGINT NOT NULL,
    last_shared_ms BIGINT NOT NULL,
    deleted_ms     BIGINT,
    UNIQUE (owner_id, address)
);
CREATE INDEX recipients_account ON recipients(account_id);
CREATE INDEX recipients_address ON recipients(address);

CREATE TABLE shares (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id         BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    owner_id          BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    recipient_id      BIGINT NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
    status            TEXT NOT NULL,
    grants            TEXT NOT NULL,
    terms             TEXT NOT NULL,
    created_ms        BIGINT NOT NULL,
    invite_expires_ms BIGINT NOT NULL,
    answered_ms       BIGINT,
    ended_ms          BIGINT
);
CREATE UNIQUE INDEX shares_one_active ON shares(device_id, recipient_id) WHERE status IN ('pending', 'accepted');
CREATE INDEX shares_recipient ON shares(recipient_id);
CREATE INDEX shares_device ON shares(device_id);
CREATE INDEX shares_owner ON shares(owner_id);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    payload    TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX events_account ON events(account_id, id);

CREATE TABLE activity (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id    BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    at_ms       BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    device_id   BIGINT,
    device_name TEXT NOT NULL,
    share_id    BIGINT,
    recipient   TEXT,
    detail      TEXT
);
CREATE INDEX activity_owner ON activity(owner_id, id);
