-- Per-user video quotas (#9 point 4), as PeerTube's users have them:
-- bytes, -1 unlimited. NULL follows the instance default (config), so a
-- default changed later reaches every user the admin did not set by hand.
ALTER TABLE users ADD COLUMN video_quota INTEGER;
ALTER TABLE users ADD COLUMN video_quota_daily INTEGER;

-- The daily quota sums one account's uploads of the last 24 hours.
CREATE INDEX videos_channel_created ON videos(channel_id, created_at);
