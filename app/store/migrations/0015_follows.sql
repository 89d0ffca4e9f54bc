-- Federation inbox (#10): remote actors, who follows local actors, and the
-- activities already processed.

-- Remote actors as last fetched (or as their own Update said). Names and
-- summaries are the remote server's HTML or text, stored as received and
-- sanitised whenever they are shown.
CREATE TABLE remote_actors (
  id                 INTEGER PRIMARY KEY,
  iri                TEXT NOT NULL UNIQUE,
  type               TEXT NOT NULL,
  preferred_username TEXT NOT NULL,
  host               TEXT NOT NULL,
  name               TEXT NOT NULL DEFAULT '',
  summary            TEXT NOT NULL DEFAULT '',
  inbox              TEXT NOT NULL,
  shared_inbox       TEXT NOT NULL DEFAULT '',
  followers          TEXT NOT NULL DEFAULT '',
  outbox             TEXT NOT NULL DEFAULT '',
  url                TEXT NOT NULL DEFAULT '',
  icon               TEXT NOT NULL DEFAULT '',
  fetched_at         INTEGER NOT NULL
);
CREATE INDEX remote_actors_host ON remote_actors(host);

-- A remote actor following a local one: an account, a channel or the
-- server actor (id 0). activity_id is the Follow's id, which the Accept or
-- Reject names and an Undo refers to. A remote actor's deletion takes its
-- follows with it; a local actor's deletion too (triggers below: the target
-- is one of three tables, so no foreign key).
CREATE TABLE follows (
  id              INTEGER PRIMARY KEY,
  remote_actor_id INTEGER NOT NULL REFERENCES remote_actors(id) ON DELETE CASCADE,
  target_kind     TEXT NOT NULL CHECK (target_kind IN ('account', 'channel', 'server')),
  target_id       INTEGER NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
  activity_id     TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  UNIQUE (remote_actor_id, target_kind, target_id)
);
CREATE INDEX follows_target ON follows(target_kind, target_id, state, created_at);

CREATE TRIGGER follows_account_deleted AFTER DELETE ON accounts BEGIN
  DELETE FROM follows WHERE target_kind = 'account' AND target_id = OLD.id;
END;
CREATE TRIGGER follows_channel_deleted AFTER DELETE ON channels BEGIN
  DELETE FROM follows WHERE target_kind = 'channel' AND target_id = OLD.id;
END;

-- Activities already processed, by id: a replay (a retried delivery, the
-- same activity through two inboxes) changes nothing. Pruned after some
-- days: senders give up retrying long before.
CREATE TABLE inbox_seen (
  activity_id TEXT NOT NULL PRIMARY KEY,
  seen_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX inbox_seen_at ON inbox_seen(seen_at);

-- A channel whose creator approves each follower by hand (Cabane's own
-- setting; PeerTube has it for the instance only).
ALTER TABLE channels ADD COLUMN manual_followers INTEGER NOT NULL DEFAULT 0;
