-- Every ticket carries its purpose (live, playback, snapshot, ptz, two_way_audio); playback
-- tickets also their range. `stream` is the live stream (main/sub), empty for other purposes.
ALTER TABLE stream_tickets ADD COLUMN purpose TEXT NOT NULL DEFAULT 'live';
ALTER TABLE stream_tickets ADD COLUMN from_ms BIGINT;
ALTER TABLE stream_tickets ADD COLUMN to_ms BIGINT;
