-- One-time tickets for the media gate. Only a hash of each ticket is kept; a ticket is claimed
-- (used_ms set) by the first connection that presents it.
CREATE TABLE stream_tickets (
    hash        TEXT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    device_id   BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    channel     INTEGER NOT NULL,
    stream      TEXT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    used_ms     BIGINT
);
CREATE INDEX stream_tickets_expiry ON stream_tickets(expires_ms);
