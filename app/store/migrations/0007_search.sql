-- Full-text search (#9 point 5): SQLite FTS5 over what a person searches
-- for. The unicode61 tokenizer with remove_diacritics 2 folds case and
-- accents on both sides ("ete" finds "Été"); the prefix indexes answer the
-- prefix queries of someone still typing ("vac" for "vacances") without
-- scanning the term list.
--
-- Contentless (content=''): the text already lives in videos, video_tags
-- and channels; the index keeps only what it needs to match and rank
-- (bm25), which matters on an SD card. contentless_delete lets the
-- triggers below delete a row by its rowid, which is the video's (or the
-- channel's) id.
CREATE VIRTUAL TABLE video_search USING fts5(
  name, description, tags, channel,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE VIRTUAL TABLE channel_search USING fts5(
  name, display_name, description,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

-- The index follows every write in the writing transaction itself: a
-- trigger per source of text. Updates that touch no indexed text (views,
-- likes, progress, state: the frequent ones) fire nothing, thanks to
-- "UPDATE OF". A video's row is rebuilt from its sources each time (a
-- contentless index cannot be updated column by column); INSERT ... SELECT
-- writes nothing when the video is gone (the tag deletes that cascade from
-- a video's deletion).
CREATE TRIGGER video_search_insert AFTER INSERT ON videos BEGIN
  INSERT INTO video_search(rowid, name, description, tags, channel)
    SELECT new.id, new.name, new.description, '', c.name || ' ' || c.display_name
    FROM channels c WHERE c.id = new.channel_id;
END;

CREATE TRIGGER video_search_update AFTER UPDATE OF name, description, channel_id ON videos BEGIN
  DELETE FROM video_search WHERE rowid = old.id;
  INSERT INTO video_search(rowid, name, description, tags, channel)
    SELECT v.id, v.name, v.description,
      COALESCE((SELECT group_concat(t.name, ' ') FROM video_tags t WHERE t.video_id = v.id), ''),
      c.name || ' ' || c.display_name
    FROM videos v JOIN channels c ON c.id = v.channel_id WHERE v.id = new.id;
END;

CREATE TRIGGER video_search_delete AFTER DELETE ON videos BEGIN
  DELETE FROM video_search WHERE rowid = old.id;
END;

CREATE TRIGGER video_search_tag_insert AFTER INSERT ON video_tags BEGIN
  DELETE FROM video_search WHERE rowid = new.video_id;
  INSERT INTO video_search(rowid, name, description, tags, channel)
    SELECT v.id, v.name, v.description,
      COALESCE((SELECT group_concat(t.name, ' ') FROM video_tags t WHERE t.video_id = v.id), ''),
      c.name || ' ' || c.display_name
    FROM videos v JOIN channels c ON c.id = v.channel_id WHERE v.id = new.video_id;
END;

CREATE TRIGGER video_search_tag_delete AFTER DELETE ON video_tags BEGIN
  DELETE FROM video_search WHERE rowid = old.video_id;
  INSERT INTO video_search(rowid, name, description, tags, channel)
    SELECT v.id, v.name, v.description,
      COALESCE((SELECT group_concat(t.name, ' ') FROM video_tags t WHERE t.video_id = v.id), ''),
      c.name || ' ' || c.display_name
    FROM videos v JOIN channels c ON c.id = v.channel_id WHERE v.id = old.video_id;
END;

CREATE TRIGGER channel_search_insert AFTER INSERT ON channels BEGIN
  INSERT INTO channel_search(rowid, name, display_name, description)
    VALUES (new.id, new.name, new.display_name, new.description);
END;

-- A renamed channel renames what its videos are found by.
CREATE TRIGGER channel_search_update AFTER UPDATE OF name, display_name, description ON channels BEGIN
  DELETE FROM channel_search WHERE rowid = old.id;
  INSERT INTO channel_search(rowid, name, display_name, description)
    VALUES (new.id, new.name, new.display_name, new.description);
  DELETE FROM video_search WHERE rowid IN (SELECT id FROM videos WHERE channel_id = new.id);
  INSERT INTO video_search(rowid, name, description, tags, channel)
    SELECT v.id, v.name, v.description,
      COALESCE((SELECT group_concat(t.name, ' ') FROM video_tags t WHERE t.video_id = v.id), ''),
      new.name || ' ' || new.display_name
    FROM videos v WHERE v.channel_id = new.id;
END;

CREATE TRIGGER channel_search_delete AFTER DELETE ON channels BEGIN
  DELETE FROM channel_search WHERE rowid = old.id;
END;

-- What existed before this migration.
INSERT INTO video_search(rowid, name, description, tags, channel)
  SELECT v.id, v.name, v.description,
    COALESCE((SELECT group_concat(t.name, ' ') FROM video_tags t WHERE t.video_id = v.id), ''),
    c.name || ' ' || c.display_name
  FROM videos v JOIN channels c ON c.id = v.channel_id;
INSERT INTO channel_search(rowid, name, display_name, description)
  SELECT id, name, display_name, description FROM channels;
