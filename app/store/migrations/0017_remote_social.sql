-- Federation inbox (#10): what remote people do to local videos, kept
-- where local acts are kept, so that counts, the API and pages see them.

-- The Like or Dislike activity a remote rating came from: an Undo may name
-- only that id (PeerTube sends the embedded object, others the bare IRI).
-- NULL for a local rating.
ALTER TABLE video_rates ADD COLUMN activity_id TEXT;
CREATE INDEX video_rates_activity ON video_rates(activity_id) WHERE activity_id IS NOT NULL;

-- The Note a remote comment came from: a reply names its parent by it, and
-- its author's Update and Delete find it by it. NULL for a local comment
-- (its IRI is built from its id, uris.Comment).
ALTER TABLE comments ADD COLUMN iri TEXT;
CREATE UNIQUE INDEX comments_iri ON comments(iri) WHERE iri IS NOT NULL;
