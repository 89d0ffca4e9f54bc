-- Listing published videos must neither sort nor scan the whole table.
-- Each index leads with the state and the sort column, so a page is read in
-- order and stops after its last row; privacy comes next so that the
-- visibility filter is answered from the index alone (it takes several
-- privacies at once: a (state, privacy, ...) index would need a sort).
DROP INDEX IF EXISTS videos_recent;
CREATE INDEX videos_listed_published ON videos(state, published_at, id, privacy);
CREATE INDEX videos_listed_created ON videos(state, created_at, id, privacy);
CREATE INDEX videos_listed_views ON videos(state, views, id, privacy);
CREATE INDEX videos_listed_privacy ON videos(state, privacy);
