-- Recommendations (#11): a channel recommends videos and channels from
-- anywhere, with a short note. channel_id is the recommending channel: a
-- local one (its creator's list) or a remote one (its list as read from
-- its Group's recommendations collection). The target is named by its
-- IRI always (what federates), with the row it is here when there is one
-- (a local or stored remote video or channel), so pages link to the copy
-- here that plays from its origin; name and url are kept for targets
-- known only by a remote list. A target deleted here takes its
-- recommendations with it.
CREATE TABLE recommendations (
  id                INTEGER PRIMARY KEY,
  channel_id        INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  kind              TEXT NOT NULL CHECK (kind IN ('video', 'channel')),
  video_id          INTEGER REFERENCES videos(id) ON DELETE CASCADE,
  target_channel_id INTEGER REFERENCES channels(id) ON DELETE CASCADE,
  iri               TEXT NOT NULL,
  url               TEXT NOT NULL DEFAULT '',
  name              TEXT NOT NULL DEFAULT '',
  note              TEXT NOT NULL DEFAULT '',
  position          INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  UNIQUE (channel_id, iri)
);
CREATE INDEX recommendations_channel ON recommendations(channel_id, position);
