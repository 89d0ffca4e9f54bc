-- Federation (#10): people and channels of other servers as rows of
-- accounts and channels, PeerTube's model, so that a remote comment, a
-- remote rating, a subscription to a remote channel or a remote video's
-- owner names them as it names local ones. A row with remote_actor_id is
-- remote: it has no user, its name is "<preferredUsername>@<host>" (a local
-- name cannot hold "@", so the two never collide), and it goes when its
-- remote actor is forgotten (an actor's Delete), taking what cascades from
-- accounts and channels with it.
ALTER TABLE accounts ADD COLUMN remote_actor_id INTEGER REFERENCES remote_actors(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX accounts_remote_actor ON accounts(remote_actor_id) WHERE remote_actor_id IS NOT NULL;

ALTER TABLE channels ADD COLUMN remote_actor_id INTEGER REFERENCES remote_actors(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX channels_remote_actor ON channels(remote_actor_id) WHERE remote_actor_id IS NOT NULL;
