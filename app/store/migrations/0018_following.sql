-- Federation (#10), following out: what local actors follow on other
-- servers, and the videos of followed channels.

-- A follow sent by a local account (a user's subscription to a remote
-- channel, PeerTube's way: the Follow comes from the user's account) or by
-- the server actor (follower_kind 'server', follower_id 0: the admin
-- follows a whole instance). Pending until the remote side's Accept; a
-- Reject removes it. activity_id is the Follow's id, which the Accept,
-- the Reject and our Undo name. The remote actor's deletion takes it.
CREATE TABLE following (
  id              INTEGER PRIMARY KEY,
  follower_kind   TEXT NOT NULL CHECK (follower_kind IN ('account', 'server')),
  follower_id     INTEGER NOT NULL,
  remote_actor_id INTEGER NOT NULL REFERENCES remote_actors(id) ON DELETE CASCADE,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
  activity_id     TEXT NOT NULL UNIQUE,
  created_at      INTEGER NOT NULL,
  UNIQUE (follower_kind, follower_id, remote_actor_id)
);
CREATE INDEX following_target ON following(remote_actor_id, state);

CREATE TRIGGER following_account_deleted AFTER DELETE ON accounts BEGIN
  DELETE FROM following WHERE follower_kind = 'account' AND follower_id = OLD.id;
END;

-- A remote video is a row of videos (its remote channel's, published,
-- public: every listing and visibility rule keeps working) plus this: where
-- it lives. Nothing of it is on this box: it plays from hls_url, its
-- thumbnail is hot-linked. renditions is the HLS entry's files as JSON
-- ([{"height","width","fps","size","href"}]), for the API's files.
CREATE TABLE remote_videos (
  video_id      INTEGER PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
  iri           TEXT NOT NULL UNIQUE,
  watch_url     TEXT NOT NULL,
  hls_url       TEXT NOT NULL DEFAULT '',
  thumbnail_url TEXT NOT NULL DEFAULT '',
  renditions    TEXT NOT NULL DEFAULT '[]',
  updated_at    INTEGER NOT NULL
);
