-- Redundancy (#12 points 3 and 4), PeerTube's CacheFile.
--
-- video_mirrors: other servers that mirror a local video (being
-- mirrored). One row per CacheFile (its id is iri): which local video,
-- which actor announced it (only that actor may update or undo it), the
-- actor's host, and base_url, the folder of the mirror's HLS files
-- (PeerTube's redundancy fileUrl, the REST shape's baseUrl). expires_at
-- (ms) NULL: no expiry given; expired rows are swept.
CREATE TABLE video_mirrors (
    id INTEGER PRIMARY KEY,
    iri TEXT NOT NULL UNIQUE,
    video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
    actor_iri TEXT NOT NULL,
    host TEXT NOT NULL,
    base_url TEXT NOT NULL,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX video_mirrors_video ON video_mirrors(video_id);
CREATE INDEX video_mirrors_expires ON video_mirrors(expires_at) WHERE expires_at IS NOT NULL;

-- mirrored_videos: the remote videos this box mirrors (mirroring
-- friends). video_id is the remote video's row (remote_videos); size is
-- the bytes on disk under media/redundancy/<uuid>, counted against the
-- admin's budget; state 'copying' while the files download (the row
-- reserves the budget), 'ready' once they are served and announced;
-- origin_inbox is where Create, Update and Undo CacheFile go (the origin
-- channel's federation.Recipient, as JSON).
-- strategy is PeerTube's (most-views, trending, recently-added).
CREATE TABLE mirrored_videos (
    video_id INTEGER PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
    strategy TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('copying', 'ready')),
    size INTEGER NOT NULL DEFAULT 0,
    origin_inbox TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX mirrored_videos_expires ON mirrored_videos(expires_at);
