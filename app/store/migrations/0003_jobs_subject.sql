-- A job names what it works on and whose it is as columns, so that nothing
-- outside the service that owns a job kind reads its JSON payload.
--
-- video_id: the video a job processes (NULL for jobs about no video). No
-- foreign key: the jobs table is also the history of what ran, and a job
-- row outlives its video (the admin's job list says "deleted video"); a
-- cascade would also make every video deletion write the jobs table.
--
-- owner_account_id: the account the work is done for (NULL: the instance's
-- own work). The claim orders by it so one uploader cannot hold the queue,
-- and ingest bounds each account's queued jobs.
ALTER TABLE jobs ADD COLUMN video_id INTEGER;
ALTER TABLE jobs ADD COLUMN owner_account_id INTEGER;

-- Existing video jobs: the only place their payload is read outside the
-- service, once.
UPDATE jobs SET video_id = json_extract(payload, '$.video_id')
  WHERE kind = 'video.process' AND json_valid(payload);
UPDATE jobs SET owner_account_id = (SELECT c.account_id FROM videos v JOIN channels c ON c.id = v.channel_id
  WHERE v.id = jobs.video_id)
  WHERE video_id IS NOT NULL;

CREATE INDEX jobs_video ON jobs(video_id) WHERE video_id IS NOT NULL;
-- The fair claim counts each account's running and recently finished jobs.
CREATE INDEX jobs_owner ON jobs(owner_account_id, state, updated_at);
