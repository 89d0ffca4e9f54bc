-- Playlists, subscriptions and notifications (#9 point 6). Times are Unix
-- milliseconds.

-- Playlists (PeerTube's videoPlaylist). A playlist belongs to an account and
-- may be shown on one of its channels; deleting the channel deletes its
-- playlists, as PeerTube does. Each account has at most one "watch later"
-- playlist (type 2), created the first time it is needed.
CREATE TABLE playlists (
  id           INTEGER PRIMARY KEY,
  uuid         TEXT NOT NULL UNIQUE,
  short_uuid   TEXT NOT NULL UNIQUE,
  account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  channel_id   INTEGER REFERENCES channels(id) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  privacy      INTEGER NOT NULL CHECK (privacy IN (1, 2, 3)),
  type         INTEGER NOT NULL DEFAULT 1 CHECK (type IN (1, 2)),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX playlists_account ON playlists(account_id, created_at);
CREATE INDEX playlists_channel ON playlists(channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX playlists_public ON playlists(privacy, created_at);
CREATE UNIQUE INDEX playlists_watch_later ON playlists(account_id) WHERE type = 2;

-- A playlist's places, 1 to n without gaps. A video may be in a playlist
-- more than once (with other timestamps), as in PeerTube. A deleted video
-- leaves its place (video_id NULL), shown as "deleted". Positions are not
-- UNIQUE: a reorder rewrites them row by row inside one transaction, and
-- SQLite checks uniqueness per row.
CREATE TABLE playlist_elements (
  id              INTEGER PRIMARY KEY,
  playlist_id     INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
  video_id        INTEGER REFERENCES videos(id) ON DELETE SET NULL,
  position        INTEGER NOT NULL,
  start_timestamp INTEGER,
  stop_timestamp  INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX playlist_elements_order ON playlist_elements(playlist_id, position);
CREATE INDEX playlist_elements_video ON playlist_elements(video_id);

-- Subscriptions: an account follows a channel (PeerTube's actorFollow from
-- the account's actor). Remote channels will be channel rows too once
-- Cabane federates, so this table does not change then.
CREATE TABLE subscriptions (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, channel_id)
);
-- A new video's subscribers.
CREATE INDEX subscriptions_channel ON subscriptions(channel_id);

-- In-app notifications (PeerTube's userNotification). One event notifies a
-- user once: the unique index makes a repeated emission (a job resumed
-- after a crash, say) a no-op.
CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type       INTEGER NOT NULL,
  video_id   INTEGER REFERENCES videos(id) ON DELETE CASCADE,
  comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
  read       INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX notifications_once ON notifications(user_id, type, COALESCE(video_id, 0), COALESCE(comment_id, 0));
CREATE INDEX notifications_user ON notifications(user_id, created_at);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read = 0;
CREATE INDEX notifications_video ON notifications(video_id);
CREATE INDEX notifications_comment ON notifications(comment_id);

-- A user's notification settings, PeerTube's names and values (0 none,
-- 1 web, 2 email, 3 both); a setting without a row has its default.
CREATE TABLE notification_settings (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name    TEXT NOT NULL,
  value   INTEGER NOT NULL,
  PRIMARY KEY (user_id, name)
) WITHOUT ROWID;
