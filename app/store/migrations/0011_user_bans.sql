-- Banned users (#9 point 7, PeerTube's blocked users): a banned user cannot
-- log in, and their sessions and tokens stop working. The reason is shown
-- to the admins.
ALTER TABLE users ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN blocked_reason TEXT NOT NULL DEFAULT '';

-- The admin's user list searches names and pages by id.
CREATE INDEX users_role ON users(role);
