/* job — the contract between the queue/worker runtime (core/jobs/queue.c, core/jobs/worker.c) and
 * the code that does a job's work (connectors, reconcile, rollup check).
 *
 * A job is a row of sync_jobs. The worker claims it, builds an od_job_ctx and calls the
 * handler registered for (provider, resource) in the handler table (core/sync/handlers.c).
 * The handler:
 *   - reads od_job_checkpoint_get() to resume from a saved page (NULL: start fresh);
 *   - for each page: opens a transaction on its own pooled connection, stores the rows, the
 *     rollup deltas and, through od_job_checkpoint_save(ctx, conn, json) IN THE SAME
 *     TRANSACTION, the position after the page (and the cursor when the page finishes a run);
 *     then commits;
 *   - reports progress with od_job_progress() (throttled NOTIFY happens in the runtime);
 *   - stops between pages when od_job_should_stop() is true (SIGTERM, cancel, lost lease),
 *     returning OD_JOB_STOPPED so the job is released to run again from its checkpoint.
 * Return values: OD_JOB_OK (completed), OD_JOB_RETRY (transient: error message in
 * od_err(); the runtime backs off and retries up to max_attempts), OD_JOB_FAIL (permanent:
 * dead at once), OD_JOB_STOPPED.
 * Rate-limit waits (429) are not failures and must not return OD_JOB_RETRY. */
#ifndef OD_SYNC_JOB_H
#define OD_SYNC_JOB_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct od_config;
struct od_pool;
struct od_job_ctx;

enum od_job_result { OD_JOB_OK = 0, OD_JOB_RETRY, OD_JOB_FAIL, OD_JOB_STOPPED };

struct od_job {
    int64_t id;
    char provider[16];
    char resource[48];
    char *args_json;       /* owned; "{}" at least. e.g. {"full":true} */
    char *checkpoint_json; /* owned; NULL when none */
    int attempts;          /* including this one */
    int max_attempts;
};

/* Services a handler may use; all borrowed from the runtime for the job's lifetime. */
struct od_job_env {
    const struct od_config *cfg;
    struct od_pool *pool;
    struct od_vault *vault; /* may be NULL when no key file is configured */
    const char *worker_id;
};

const struct od_job *od_job_get(struct od_job_ctx *ctx);
const struct od_job_env *od_job_env(struct od_job_ctx *ctx);
const char *od_job_checkpoint_get(struct od_job_ctx *ctx); /* borrowed; NULL when none */
/* Save the resume position inside the caller's open transaction on conn. */
int od_job_checkpoint_save(struct od_job_ctx *ctx, PGconn *conn, const char *checkpoint_json);
/* total -1: unknown; a total below done counts as unknown too (a count the job has passed) */
void od_job_progress(struct od_job_ctx *ctx, int64_t done, int64_t total /* -1 unknown */);
bool od_job_should_stop(struct od_job_ctx *ctx);
/* The handler knows a retry cannot succeed sooner than delay_ms from now (HubSpot's daily API
 * limit until it resets): if it returns OD_JOB_RETRY, the next try is scheduled no earlier
 * (the usual backoff when that is longer; at most OD_JOB_RETRY_HINT_MAX_MS). The job error
 * should say when. */
#define OD_JOB_RETRY_HINT_MAX_MS ((int64_t)25 * 3600 * 1000)
void od_job_retry_not_before(struct od_job_ctx *ctx, int64_t delay_ms);

/* A request of this job waits wait_ms (a 429's Retry-After, a retry's backoff, the shared rate
 * limit) for `why` ("429, Retry-After"); wait_ms 0 when the wait is over. The job's row shows it
 * (wait_until, wait_reason) at once when it can and at the next heartbeat otherwise, so the
 * Sync screen says "waiting 12 s (429, Retry-After)". Never blocks on the job's row. */
void od_job_waiting(struct od_job_ctx *ctx, int64_t wait_ms, const char *why);

typedef enum od_job_result (*od_job_handler_fn)(struct od_job_ctx *ctx);

struct od_job_handler {
    const char *provider;
    const char *resource;
    od_job_handler_fn run;
    const char *describe; /* one line for `opsdeck jobs` / help */
};

/* The row of a NULL-terminated handler table for (provider, resource), or NULL. The runtime
 * knows no provider: the table is handed in by the caller (od_worker_opts.handlers); opsdeck's
 * is od_sync_handlers (core/sync/handlers.h). */
const struct od_job_handler *od_job_handler_find(const struct od_job_handler *table,
                                                 const char *provider, const char *resource);

#endif
