-- What a creator says about a video, as PeerTube has it (VideoCreate and
-- VideoUpdate): category, licence and language (NULL: not set, which the API
-- shows as {id: null, label: "Unknown"}), support text, NSFW, the comments
-- policy (PeerTube's VideoCommentPolicy: 1 enabled, 2 disabled, 3 requires
-- approval), downloads on or off, and the date of first publication
-- elsewhere (Unix milliseconds).
ALTER TABLE videos ADD COLUMN category INTEGER;
ALTER TABLE videos ADD COLUMN licence INTEGER;
ALTER TABLE videos ADD COLUMN language TEXT;
ALTER TABLE videos ADD COLUMN support TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN nsfw INTEGER NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN comments_policy INTEGER NOT NULL DEFAULT 1;
ALTER TABLE videos ADD COLUMN download_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE videos ADD COLUMN originally_published_at INTEGER;

-- A video's tags, in the order the creator gave them (position). At most 5
-- per video (checked by the videos service, as PeerTube). The name index
-- serves tag pages and search ("videos tagged x").
CREATE TABLE video_tags (
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name     TEXT NOT NULL,
  PRIMARY KEY (video_id, position),
  UNIQUE (video_id, name)
) WITHOUT ROWID;
CREATE INDEX video_tags_name ON video_tags(name COLLATE NOCASE, video_id);

-- Views per video and day (the day's first millisecond, UTC), so that
-- "trending" can be PeerTube's: the views of the last days (PeerTube's
-- trending.videos.interval_days, 7 by default), not of all time. Views are
-- written in batches (videos.Service.FlushViews), one row per video and day.
CREATE TABLE video_views_daily (
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  day      INTEGER NOT NULL,
  views    INTEGER NOT NULL,
  PRIMARY KEY (day, video_id)
) WITHOUT ROWID;
CREATE INDEX video_views_daily_video ON video_views_daily(video_id);

-- Sorting by originallyPublishedAt (PeerTube: COALESCE with publishedAt)
-- and by duration reads an index in order, as the other listings do.
CREATE INDEX videos_listed_original ON videos(state, COALESCE(originally_published_at, published_at), id, privacy);
CREATE INDEX videos_listed_duration ON videos(state, duration_ms, id, privacy);
CREATE INDEX videos_listed_name ON videos(state, name COLLATE NOCASE, id, privacy);
