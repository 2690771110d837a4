-- 0017_job_attempts: every run of a job (an attempt), kept for the console's job detail and
-- for people after the fact: which worker ran it, when it started and ended, how it ended and
-- why. A row is written by the database in the same statement that ends the run — any
-- transition of sync_jobs out of 'running' (core/jobs/queue.c: complete, fail, release,
-- rescue; cancel of a running job) — so no path can forget it.
--   outcome   completed | retryable | dead | cancelled | released (stopped between pages, not
--             counted) | rescued (its worker stopped heartbeating)
--   error     the failure of that run (NULL when it did not fail)
-- Jobs that ran before this migration get their failures back from sync_jobs.errors and, when
-- completed, a final row.
-- It reads only columns of sync_jobs that 0002 made (another migration may add columns to
-- sync_jobs, e.g. what a job waits for, before or after it) and is safe to apply over a
-- schema that already has the table (IF NOT EXISTS, OR REPLACE; the backfill skips jobs that
-- have attempts).

CREATE TABLE IF NOT EXISTS sync_job_attempts (
    id              bigserial PRIMARY KEY,
    job_id          bigint NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
    attempt         integer NOT NULL,
    worker          text,
    started_at      timestamptz,
    finished_at     timestamptz NOT NULL DEFAULT now(),
    outcome         text NOT NULL,
    error           text,
    progress_done   bigint,
    progress_total  bigint
);
CREATE INDEX IF NOT EXISTS sync_job_attempts_job ON sync_job_attempts (job_id, id);

CREATE OR REPLACE FUNCTION opsdeck_job_attempt_end() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    failed boolean := jsonb_array_length(NEW.errors) > jsonb_array_length(OLD.errors);
BEGIN
    INSERT INTO sync_job_attempts (job_id, attempt, worker, started_at, outcome, error,
                                   progress_done, progress_total)
    VALUES (NEW.id, OLD.attempts, OLD.locked_by, OLD.locked_at,
            CASE WHEN NEW.state <> 'available' THEN NEW.state
                 WHEN failed THEN 'rescued' ELSE 'released' END,
            CASE WHEN failed THEN NEW.last_error END,
            NEW.progress_done, NEW.progress_total);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS sync_jobs_attempt_end ON sync_jobs;
CREATE TRIGGER sync_jobs_attempt_end AFTER UPDATE OF state ON sync_jobs
    FOR EACH ROW WHEN (OLD.state = 'running' AND NEW.state <> 'running')
    EXECUTE FUNCTION opsdeck_job_attempt_end();

INSERT INTO sync_job_attempts (job_id, attempt, worker, finished_at, outcome, error)
SELECT j.id, coalesce((e ->> 'attempt')::int, 0), e ->> 'worker',
       coalesce((e ->> 'at')::timestamptz, j.updated_at),
       CASE WHEN j.state = 'dead' AND (e ->> 'attempt')::int = j.attempts THEN 'dead'
            ELSE 'retryable' END,
       e ->> 'error'
FROM sync_jobs j, jsonb_array_elements(j.errors) e
WHERE NOT EXISTS (SELECT 1 FROM sync_job_attempts a WHERE a.job_id = j.id);

INSERT INTO sync_job_attempts (job_id, attempt, worker, started_at, finished_at, outcome,
                               progress_done, progress_total)
SELECT id, attempts, locked_by, locked_at, coalesce(finished_at, updated_at), state,
       progress_done, progress_total
FROM sync_jobs j WHERE state = 'completed'
    AND NOT EXISTS (SELECT 1 FROM sync_job_attempts a
                    WHERE a.job_id = j.id AND a.outcome = 'completed');
