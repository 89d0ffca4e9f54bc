-- Accounts, channels, videos and their renditions, sessions, OAuth tokens and
-- the job queue. Times are Unix milliseconds.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role          INTEGER NOT NULL DEFAULT 2, -- PeerTube's UserRole: 0 admin, 1 moderator, 2 user
  created_at    INTEGER NOT NULL
);

CREATE TABLE accounts (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL
);

CREATE TABLE channels (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  support      TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL
);
CREATE INDEX channels_account ON channels(account_id);

CREATE TABLE videos (
  id            INTEGER PRIMARY KEY,
  uuid          TEXT NOT NULL UNIQUE,
  short_uuid    TEXT NOT NULL UNIQUE,
  channel_id    INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  privacy       INTEGER NOT NULL DEFAULT 1, -- PeerTube's VideoPrivacy: 1 public, 2 unlisted, 3 private
  state         INTEGER NOT NULL DEFAULT 2, -- PeerTube's VideoState: 1 published, 2 to transcode, 7 failed
  progress      REAL NOT NULL DEFAULT 0,    -- percent of the current processing step
  error         TEXT NOT NULL DEFAULT '',
  duration_ms   INTEGER NOT NULL DEFAULT 0,
  width         INTEGER NOT NULL DEFAULT 0,
  height        INTEGER NOT NULL DEFAULT 0,
  is_audio      INTEGER NOT NULL DEFAULT 0,
  original_name TEXT NOT NULL DEFAULT '',
  original_file TEXT NOT NULL DEFAULT '',  -- file name inside media/<uuid>/
  size          INTEGER NOT NULL DEFAULT 0,
  views         INTEGER NOT NULL DEFAULT 0,
  has_thumbnail INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  published_at  INTEGER,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX videos_recent ON videos(state, privacy, published_at DESC);
CREATE INDEX videos_channel ON videos(channel_id, published_at DESC);

CREATE TABLE renditions (
  id                INTEGER PRIMARY KEY,
  video_id          INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  name              TEXT NOT NULL, -- directory under media/<uuid>/hls/
  width             INTEGER NOT NULL,
  height            INTEGER NOT NULL,
  fps               REAL NOT NULL DEFAULT 0,
  bandwidth         INTEGER NOT NULL,
  average_bandwidth INTEGER NOT NULL DEFAULT 0,
  codecs            TEXT NOT NULL,
  size              INTEGER NOT NULL DEFAULT 0,
  copied            INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  UNIQUE (video_id, name)
);

CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE oauth_clients (
  client_id     TEXT PRIMARY KEY,
  client_secret TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);

CREATE TABLE oauth_tokens (
  access_hash        BLOB PRIMARY KEY,
  refresh_hash       BLOB NOT NULL UNIQUE,
  user_id            INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id          TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
  access_expires_at  INTEGER NOT NULL,
  refresh_expires_at INTEGER NOT NULL,
  created_at         INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  payload     TEXT NOT NULL DEFAULT '{}',
  state       TEXT NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  priority    INTEGER NOT NULL DEFAULT 0,
  attempts    INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  run_after   INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '',
  progress    REAL NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs(state, priority DESC, run_after);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
