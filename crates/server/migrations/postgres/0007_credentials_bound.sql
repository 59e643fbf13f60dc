-- Camera credentials are sealed with their device's id as associated data (version 2), so a
-- blob moved onto another device's row does not decrypt there. Rows from before are version 1;
-- the server seals them again, bound, when it starts (`store::devices::bind_credentials`).
ALTER TABLE devices ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 1;
