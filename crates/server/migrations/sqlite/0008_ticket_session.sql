-- The session a stream ticket was issued to: a viewer lives no longer than the session that
-- opened it (sign-out, a password change or reset, a stolen refresh token, account deletion).
ALTER TABLE stream_tickets ADD COLUMN session_id BIGINT;
