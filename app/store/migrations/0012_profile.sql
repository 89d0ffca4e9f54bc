-- The signed-in user's settings (#9 point 7): an account's avatar (the
-- file name under <data>/avatars, '' for none, and when it was set) and
-- the privacy the upload form starts from (PeerTube's VideoPrivacy; 1
-- public).
ALTER TABLE accounts ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN avatar_updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN default_privacy INTEGER NOT NULL DEFAULT 1;
