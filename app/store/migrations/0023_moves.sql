-- Moves (#11 point 4): a local account or channel names the actors it is
-- also known as (the new actor it moves to lists the old one in its own
-- alsoKnownAs, Mastodon's rule) and, once moved, the actor it moved to.
-- actor_kind/actor_id name the local actor as keys do ('account' or
-- 'channel' and its row id).
CREATE TABLE actor_aliases (
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('account', 'channel')),
  actor_id   INTEGER NOT NULL,
  iri        TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (actor_kind, actor_id, iri)
);

-- moved_to is the new actor's IRI, moved_url its page (where the old
-- pages redirect).
CREATE TABLE actor_moves (
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('account', 'channel')),
  actor_id   INTEGER NOT NULL,
  moved_to   TEXT NOT NULL,
  moved_url  TEXT NOT NULL,
  moved_at   INTEGER NOT NULL,
  PRIMARY KEY (actor_kind, actor_id)
);

CREATE TRIGGER actor_moves_account_deleted AFTER DELETE ON accounts BEGIN
  DELETE FROM actor_aliases WHERE actor_kind = 'account' AND actor_id = OLD.id;
  DELETE FROM actor_moves WHERE actor_kind = 'account' AND actor_id = OLD.id;
END;

CREATE TRIGGER actor_moves_channel_deleted AFTER DELETE ON channels BEGIN
  DELETE FROM actor_aliases WHERE actor_kind = 'channel' AND actor_id = OLD.id;
  DELETE FROM actor_moves WHERE actor_kind = 'channel' AND actor_id = OLD.id;
END;
