-- 0002_queue: what the job runtime (core/queue.c, core/scheduler.c) adds to sync_jobs.
--   after_ids  a job is not claimed while any job it lists is still pending or running
--              (available, running, retryable); this orders one provider's resources
--              (clients before projects before time entries) without serialising workers.
--   NOTIFY     every insert and every state change is announced on channel opsdeck_jobs
--              with a small JSON payload {id,state,done,total,provider,resource} (well
--              under the 8000-byte limit); progress in between is sent by the runtime,
--              throttled per job.
--   autovacuum the queue table churns: vacuum it after a fixed number of dead rows, not a
--              fraction of the table (reference/sync.md §1.6, §1.10).

ALTER TABLE sync_jobs ADD COLUMN after_ids bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE sync_jobs SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 200,
                           autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 500,
                           fillfactor = 85);

CREATE FUNCTION opsdeck_jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('opsdeck_jobs',
                      json_build_object('id', NEW.id, 'state', NEW.state,
                                        'done', NEW.progress_done, 'total', NEW.progress_total,
                                        'provider', NEW.provider, 'resource', NEW.resource)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER sync_jobs_notify_insert AFTER INSERT ON sync_jobs
    FOR EACH ROW EXECUTE FUNCTION opsdeck_jobs_notify();
CREATE TRIGGER sync_jobs_notify_state AFTER UPDATE OF state ON sync_jobs
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION opsdeck_jobs_notify();
