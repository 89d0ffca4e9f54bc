-- What a creator adds to a video (#9 point 4): captions, chapters and the
-- passwords of password-protected videos (privacy 5, PeerTube 6.0).

-- One caption per language and video, as PeerTube; the file lives in the
-- video's folder under a random name (its URL), unique instance-wide so
-- that a caption's URL finds its video.
CREATE TABLE video_captions (
  video_id   INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  language   TEXT NOT NULL,
  filename   TEXT NOT NULL UNIQUE,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (video_id, language)
) WITHOUT ROWID;

-- Chapters: PeerTube refuses two chapters at the same timecode.
CREATE TABLE video_chapters (
  video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  timecode INTEGER NOT NULL,
  title    TEXT NOT NULL,
  PRIMARY KEY (video_id, timecode)
) WITHOUT ROWID;

-- Passwords are stored as given, as PeerTube stores them: they are meant
-- to be shared and the owner lists them (GET /videos/{id}/passwords).
CREATE TABLE video_passwords (
  id         INTEGER PRIMARY KEY,
  video_id   INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  password   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (video_id, password)
);
