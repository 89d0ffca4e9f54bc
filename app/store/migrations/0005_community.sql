-- Comments, ratings and their counts, as PeerTube has them (#9 point 6).
--
-- likes, dislikes and comments are counters on the video row, as PeerTube
-- keeps likes and dislikes: listings sort by them and show them for every
-- video of a page, so they must be read from the row (and an index), never
-- counted per request. The ratings and comments stores change them in the
-- same transaction as the rating or comment they count.
-- comments counts the comments anyone may read: not deleted, not held for
-- review.
ALTER TABLE videos ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN dislikes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE videos ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;
-- "Most liked" reads the index in order, as the other listings do.
CREATE INDEX videos_listed_likes ON videos(state, likes, id, privacy);

-- One rating per account and video (PeerTube's accountVideoRate); "none"
-- is the absence of a row.
CREATE TABLE video_rates (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  video_id   INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  type       TEXT NOT NULL CHECK (type IN ('like', 'dislike')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, video_id)
) WITHOUT ROWID;
CREATE INDEX video_rates_video ON video_rates(video_id);

-- Comments (PeerTube's videoComment). A thread is a comment with no
-- thread_id; its replies name it in thread_id (PeerTube's originCommentId)
-- and the comment they answer in in_reply_to. A deleted comment stays as a
-- placeholder, as in PeerTube: text emptied, account forgotten, deleted_at
-- set, so the replies under it keep their place in the tree.
CREATE TABLE comments (
  id              INTEGER PRIMARY KEY,
  video_id        INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  account_id      INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  thread_id       INTEGER REFERENCES comments(id) ON DELETE CASCADE,
  in_reply_to     INTEGER REFERENCES comments(id) ON DELETE CASCADE,
  text            TEXT NOT NULL,
  held_for_review INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  deleted_at      INTEGER
);
-- A video's threads in date order, and all its comments (the totals).
CREATE INDEX comments_video ON comments(video_id, thread_id, created_at);
-- A thread's comments (the tree) and a comment's direct replies (counts).
CREATE INDEX comments_thread ON comments(thread_id, created_at) WHERE thread_id IS NOT NULL;
CREATE INDEX comments_reply ON comments(in_reply_to) WHERE in_reply_to IS NOT NULL;
CREATE INDEX comments_account ON comments(account_id);
