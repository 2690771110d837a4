/* worker — a pool of threads that claim jobs from the queue and run their handlers, plus one
 * heartbeat thread (job heartbeats with progress, the `workers` row, cancel detection).
 *
 *   struct od_worker_opts o = {.threads = 2};
 *   struct od_workers *w = od_workers_start(cfg, pool, vault, &o);  // NULL + od_err()
 *   ... od_workers_wake(w) on a NOTIFY, od_workers_done(w) to poll for --once ...
 *   od_workers_stop(w);   // each thread finishes its current page, releases its job, leaves
 *   od_workers_join(w);   // joins every thread, marks the `workers` row stopped
 *   od_workers_free(w);
 *
 * Threads are named sync-1..N and heartbeat in the log. They block SIGINT/SIGTERM/SIGHUP/
 * SIGPIPE, so those reach the thread that called od_workers_start (which should turn them
 * into od_workers_stop). A handler returning OD_JOB_RETRY is retried with exponential backoff
 * and jitter up to the job's max_attempts, then dead; OD_JOB_FAIL is dead at once;
 * OD_JOB_STOPPED releases the job to resume from its checkpoint. A job for which the handler
 * table has no entry is dead with a message saying so.
 * Every worker thread holds at most one pooled connection at a time, and none while its
 * handler runs: handlers borrow their own from the same pool. */
#ifndef OD_WORKER_H
#define OD_WORKER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct od_job_handler;

struct od_config;
struct od_pool;
struct od_vault;

struct od_worker_opts {
    const struct od_job_handler *handlers; /* NULL-terminated table (od_sync_handlers) */
    int threads;                           /* >= 1 */
    bool once;               /* leave when nothing is runnable and nothing is running */
    const int64_t *only_ids; /* claim only these jobs; done when all are finished (copied) */
    size_t n_only;
    const char *provider;    /* claim only this provider's jobs (NULL: all) */
    int heartbeat_s;         /* 0: cfg sync.heartbeat_s */
    int poll_ms;             /* idle re-check when no NOTIFY wakes us; 0: 1000 */
    int64_t backoff_base_ms; /* first retry delay; 0: 5000 */
    int64_t backoff_cap_ms;  /* 0: 1 hour */
};

struct od_worker_stats {
    uint64_t claimed, completed, retried, dead, stopped;
    int running; /* jobs running now */
};

struct od_workers *od_workers_start(const struct od_config *cfg, struct od_pool *pool,
                                    struct od_vault *vault, const struct od_worker_opts *opts);
/* Ask every thread to leave after its current page. Not async-signal-safe: call it from the
 * thread that waits for signals (sigwait), not from a handler. */
void od_workers_stop(struct od_workers *w);
/* Nothing left to do (--once, or every only_ids job finished); false while running. */
bool od_workers_done(struct od_workers *w);
/* Re-check the queue now (e.g. a NOTIFY said a job became available). */
void od_workers_wake(struct od_workers *w);
/* Block until done or stopped, at most timeout_ms (-1: no limit); true when done. */
bool od_workers_wait(struct od_workers *w, int timeout_ms);
void od_workers_stats(struct od_workers *w, struct od_worker_stats *out);
/* Stop if needed, join every thread and mark the workers row stopped (idempotent); stats
 * stay readable until od_workers_free. */
void od_workers_join(struct od_workers *w);
/* od_workers_join, then free. */
void od_workers_free(struct od_workers *w);

/* Pool connections a pool of `threads` workers may use at once (their handlers' included). */
int od_workers_connections(int threads);
/* For commands: block SIGINT/SIGTERM/SIGHUP in the calling thread (before starting threads)
 * and ignore SIGPIPE; then od_signal_wait returns the signal received within timeout_ms, or 0. */
void od_signal_block_stop(void);
int od_signal_wait(int timeout_ms);

#endif
