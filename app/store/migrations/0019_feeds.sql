-- Feeds (#9): a user's private feed token (PeerTube's users.feedToken),
-- which opens their subscriptions feed to a feed reader; '' until first
-- asked for. And the instance's latest readable comments, for the
-- comments feed, without a scan of every comment.
ALTER TABLE users ADD COLUMN feed_token TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_feed ON comments(created_at) WHERE deleted_at IS NULL AND held_for_review = 0;
