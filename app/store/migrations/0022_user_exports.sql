-- User exports (#11 point 4): the archives a user asked for of their
-- account, in PeerTube's user-export format. state is PeerTube's
-- UserExportState (1 pending, 2 processing, 3 completed, 4 errored);
-- token opens the download without a session (PeerTube's
-- privateDownloadUrl); expires_at is when the archive is deleted.
CREATE TABLE user_exports (
  id               INTEGER PRIMARY KEY,
  user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state            INTEGER NOT NULL DEFAULT 1,
  with_video_files INTEGER NOT NULL DEFAULT 0,
  filename         TEXT NOT NULL UNIQUE,
  token            TEXT NOT NULL UNIQUE,
  size             INTEGER NOT NULL DEFAULT 0,
  progress         REAL NOT NULL DEFAULT 0,
  error            TEXT NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX user_exports_user ON user_exports(user_id, created_at);
