-- Owners a recipient account has blocked: while a row is here, nothing that owner shares with the
-- account reaches it (no invite, no event, no notification), and it can answer none of it. The
-- owner is not told; blocking rejected their open invites and removed their shared devices.
CREATE TABLE blocked_owners (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    owner_id   BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    blocked_ms BIGINT NOT NULL,
    PRIMARY KEY (account_id, owner_id)
);
