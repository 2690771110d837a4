-- 0015_job_wait: what a running job is waiting for, so a person sees it (issue #15).
--   wait_until   while a request waits (a 429's Retry-After, a retry's backoff, the shared rate
--                limit), when that wait ends; NULL or past when it is not waiting
--   wait_reason  why, in a few words: "429, Retry-After", "HTTP 503, retry 2/4", "rate limit ..."
-- Written by the job's own thread (skipping the row when a page transaction holds it) and by
-- every heartbeat; cleared when the job is claimed or leaves running.
ALTER TABLE sync_jobs
    ADD COLUMN wait_until  timestamptz,
    ADD COLUMN wait_reason text;
