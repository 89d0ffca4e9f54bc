-- Federation delivery (#10): what goes out to remote inboxes, on top of the
-- jobs table (one job of kind federation.deliver per target inbox).
--
-- An activity is stored once however many inboxes it goes to: a publish to
-- 1,000 followers is one body here and 100 small job rows, not 100 copies.
-- It is deleted when its last target is (app/federation/delivery deletes a
-- target when its job ends, and sweeps targets whose job was cancelled or
-- failed elsewhere). actor_* is who signs: the local actor's key and IRI.
CREATE TABLE delivery_activities (
  id          INTEGER PRIMARY KEY,
  actor_kind  TEXT NOT NULL,
  actor_id    INTEGER NOT NULL,
  actor_iri   TEXT NOT NULL,
  body        BLOB NOT NULL,
  created_at  INTEGER NOT NULL
);

-- One target inbox of an activity, keyed by the job that delivers it. No
-- foreign key to jobs: that table is also history and is pruned apart.
-- actor is the recipient when inbox is its own (a server without a shared
-- inbox), '' for a shared inbox; tries counts the POSTs that failed and
-- were retried (the retry schedule's position).
CREATE TABLE delivery_targets (
  job_id      INTEGER PRIMARY KEY,
  activity_id INTEGER NOT NULL REFERENCES delivery_activities(id),
  inbox       TEXT NOT NULL,
  host        TEXT NOT NULL,
  actor       TEXT NOT NULL DEFAULT '',
  tries       INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX delivery_targets_activity ON delivery_targets(activity_id);

-- Health per remote host, for the hold (a host that keeps failing is not
-- tried until held_until) and the admin's delivery page. Times in ms.
CREATE TABLE delivery_hosts (
  host         TEXT NOT NULL PRIMARY KEY,
  failures     INTEGER NOT NULL DEFAULT 0, -- consecutive
  last_error   TEXT NOT NULL DEFAULT '',
  held_until   INTEGER NOT NULL DEFAULT 0,
  last_success INTEGER NOT NULL DEFAULT 0,
  last_failure INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Deliveries given up, and why: refused (4xx), unreachable address, or
-- retried for about two days. Kept a while for the admin, then pruned.
CREATE TABLE delivery_failures (
  id            INTEGER PRIMARY KEY,
  host          TEXT NOT NULL,
  inbox         TEXT NOT NULL,
  recipient     TEXT NOT NULL DEFAULT '',
  sender        TEXT NOT NULL,
  activity      TEXT NOT NULL DEFAULT '', -- the activity's id
  activity_type TEXT NOT NULL DEFAULT '',
  tries         INTEGER NOT NULL,
  error         TEXT NOT NULL,
  at            INTEGER NOT NULL
);
CREATE INDEX delivery_failures_host ON delivery_failures(host, at);
CREATE INDEX delivery_failures_at ON delivery_failures(at);
