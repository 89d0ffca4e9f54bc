-- Listing published videos must not sort or scan the whole table: one index
-- per common order, led by state and privacy (the visibility filter) so the
-- count and the page both read an index alone.
DROP INDEX IF EXISTS videos_recent;
CREATE INDEX videos_listed_published ON videos(state, privacy, published_at, id);
CREATE INDEX videos_listed_created ON videos(state, privacy, created_at, id);
CREATE INDEX videos_listed_views ON videos(state, privacy, views, id);
