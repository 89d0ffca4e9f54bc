-- User imports (#11 point 4): archives in PeerTube's user-export format
-- uploaded to be imported into an account. state is PeerTube's
-- UserImportState (1 pending, 2 processing, 3 completed, 4 errored);
-- filename is the archive in the data directory's imports/ folder while
-- it waits or runs (removed when the import ends); summary is PeerTube's
-- resultSummary as JSON.
CREATE TABLE user_imports (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state       INTEGER NOT NULL DEFAULT 1,
  filename    TEXT NOT NULL UNIQUE,
  size        INTEGER NOT NULL DEFAULT 0,
  progress    REAL NOT NULL DEFAULT 0,
  error       TEXT NOT NULL DEFAULT '',
  summary     TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX user_imports_user ON user_imports(user_id, created_at);

-- What an import created, so that a failed one is rolled back whole and
-- a resumed one skips what is done: kind ("channel", "video", "playlist",
-- "like", "dislike", "follow"), source (the archive's key for it: a
-- channel name, a video URL, a playlist UUID, a handle) and target (the
-- row here).
CREATE TABLE user_import_objects (
  import_id INTEGER NOT NULL REFERENCES user_imports(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL,
  source    TEXT NOT NULL,
  target_id INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  PRIMARY KEY (import_id, kind, source)
);
