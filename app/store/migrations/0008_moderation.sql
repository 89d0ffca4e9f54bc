-- Moderation (#9 point 8): abuse reports and their messages, account blocks
-- and server blocks. Times are Unix milliseconds.

-- An abuse report (PeerTube's abuse): on a video (with an optional
-- [start_at, end_at] in seconds), a comment or an account. What was
-- reported may be deleted later; the report stays, with a copy of its name
-- so the moderators still see what it was about.
CREATE TABLE abuses (
  id                  INTEGER PRIMARY KEY,
  reporter_account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  reason              TEXT NOT NULL,
  predefined_reasons  TEXT NOT NULL DEFAULT '', -- comma-separated PeerTube names
  state               INTEGER NOT NULL DEFAULT 1 CHECK (state IN (1, 2, 3)),
  moderation_comment  TEXT NOT NULL DEFAULT '',
  video_id            INTEGER REFERENCES videos(id) ON DELETE SET NULL,
  start_at            INTEGER,
  end_at              INTEGER,
  comment_id          INTEGER REFERENCES comments(id) ON DELETE SET NULL,
  flagged_account_id  INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  subject_name        TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX abuses_state ON abuses(state, id);
CREATE INDEX abuses_reporter ON abuses(reporter_account_id, id);

-- Messages between a report's author and the moderators.
CREATE TABLE abuse_messages (
  id           INTEGER PRIMARY KEY,
  abuse_id     INTEGER NOT NULL REFERENCES abuses(id) ON DELETE CASCADE,
  account_id   INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  message      TEXT NOT NULL,
  by_moderator INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL
);
CREATE INDEX abuse_messages_abuse ON abuse_messages(abuse_id, id);

-- Account blocks. owner_account_id 0 is the server itself (the admin's
-- block: hidden from everyone but admins); any other owner is a user's own
-- mute (hidden from that user only).
CREATE TABLE account_blocks (
  owner_account_id   INTEGER NOT NULL,
  blocked_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at         INTEGER NOT NULL,
  PRIMARY KEY (owner_account_id, blocked_account_id)
) WITHOUT ROWID;
CREATE INDEX account_blocks_blocked ON account_blocks(blocked_account_id);

-- Server blocks, by host, with the same owners. Only stored until
-- federation exists: no remote content reaches this Cabane yet, so there is
-- nothing for them to hide; federation's inbox and listings read them.
CREATE TABLE server_blocks (
  owner_account_id INTEGER NOT NULL,
  host             TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  PRIMARY KEY (owner_account_id, host)
) WITHOUT ROWID;
