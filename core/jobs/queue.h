/* queue — the Postgres job queue (table sync_jobs, sql/0001_init.sql + 0002_queue.sql).
 *
 * States: available -> running -> completed
 *                               -> retryable (backoff) -> running ... -> dead (max_attempts)
 *                               -> available (stopped or rescued: resumes from its checkpoint)
 *         available | retryable | running -> cancelled
 *         dead | cancelled | retryable -> available (retry)
 *
 *   int64_t id;
 *   struct od_job_spec s = {.provider = "harvest", .resource = "clients",
 *                           .unique_key = "sync:harvest:clients"};
 *   od_queue_enqueue(conn, &s, &id);            // 1 new, 0 an equal job was pending, -1 error
 *   struct od_job jobs[8];
 *   int n = od_queue_claim(conn, worker_id, 8, NULL, jobs);   // FOR UPDATE SKIP LOCKED
 *   ... run ... od_queue_complete(conn, worker_id, ids, n) / od_queue_fail(...) ...
 *   od_job_clear(&jobs[i]);
 *
 * Every function takes a connection the caller holds (autocommit; none opens a transaction
 * the caller must finish). Transitions of a running job check that worker_id still holds it
 * (locked_by), so a worker whose job was rescued or cancelled cannot overwrite the new state:
 * such calls fail with od_err() "job N is no longer held by this worker". A worker_id names
 * one claiming thread ("host:pid:start/N"), so no two runs of a job ever share one. */
#ifndef OD_QUEUE_H
#define OD_QUEUE_H
#include "core/jobs/job.h"
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct od_job_spec {
    const char *provider;   /* harvest | hubspot | system */
    const char *resource;   /* e.g. time_entries */
    const char *args_json;  /* NULL: "{}" */
    const char *unique_key; /* NULL: none; else at most one pending/running job per key */
    int priority;           /* higher is claimed first */
    int max_attempts;       /* <= 0: the column default (8) */
    int64_t delay_ms;       /* run_at = now() + delay */
    const int64_t *after;   /* not claimed before these jobs are finished (any end state) */
    size_t n_after;
};

/* 1: created, 0: a pending/running job had the same unique_key (its id in *id), -1 error. */
int od_queue_enqueue(PGconn *c, const struct od_job_spec *spec, int64_t *id);

/* What a claim may take; NULL or zeroed = anything runnable. */
struct od_claim_filter {
    const int64_t *ids; /* only these jobs */
    size_t n_ids;
    const char *provider; /* only this provider */
};

/* Claim up to max runnable jobs (run_at <= now, dependencies finished), highest priority
 * first. Fills jobs[0..n) (free each with od_job_clear); returns n (0 = none), -1 error. */
int od_queue_claim(PGconn *c, const char *worker_id, int max, const struct od_claim_filter *f,
                   struct od_job *jobs);
void od_job_clear(struct od_job *job);

/* Mark held jobs completed. Returns how many were (ones no longer held are skipped). */
int od_queue_complete(PGconn *c, const char *worker_id, const int64_t *ids, size_t n);

/* A failed run: the error is appended to `errors` and kept in `last_error`. Dead when
 * permanent or when attempts reached max_attempts, else retryable at now() + delay_ms.
 * Returns 1 dead, 0 retryable, -1 error (including: no longer held). */
int od_queue_fail(PGconn *c, const char *worker_id, int64_t id, const char *error, bool permanent,
                  int64_t delay_ms);

/* A run stopped between pages (shutdown): available again at once, this attempt not counted,
 * checkpoint kept. 1 released, 0 no longer held, -1 error. */
int od_queue_release(PGconn *c, const char *worker_id, int64_t id);

/* Backoff before retry `attempt` (1-based): base * 2^(attempt-1), capped, +/-20 % jitter. */
int64_t od_queue_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms);

/* Heartbeat of running jobs with their progress. alive[i] is set to whether beats[i].id is
 * still held by beats[i].holder in state running (false: cancelled or rescued -> stop it).
 * Returns the number alive, -1 error. */
struct od_job_beat {
    int64_t id;
    const char *holder; /* the worker_id that claimed it */
    int64_t done;
    int64_t total; /* -1 unknown */
    double rate;   /* items per second */
};
int od_queue_heartbeat(PGconn *c, const struct od_job_beat *beats, size_t n, bool *alive);

/* Running jobs whose heartbeat is older than rescue_after_s become available again (resuming
 * from their checkpoint), or dead when their attempts are used up. Returns how many, -1 error. */
int od_queue_rescue(PGconn *c, int rescue_after_s);

/* 1 cancelled, 0 not cancellable (already finished), -1 error or no such job. A running job
 * stops at its next page boundary (its worker sees the state at the next heartbeat). */
int od_queue_cancel(PGconn *c, int64_t id);
/* Make a dead, cancelled or retryable job available now (one more attempt allowed).
 * 1 done, 0 not retryable in its state, -1 error, no such job or an equal job is pending. */
int od_queue_retry(PGconn *c, int64_t id);

/* One row for `opsdeck jobs`. Strings are owned (od_queue_rows_free); raw database text,
 * sanitize before display. */
struct od_job_row {
    int64_t id;
    char *provider, *resource, *state, *unique_key, *locked_by, *last_error, *errors_json;
    char *args_json, *run_at, *created_at, *updated_at, *finished_at; /* ISO-8601 or NULL */
    int priority, attempts, max_attempts;
    int64_t progress_done, progress_total; /* total -1 unknown */
    double rate_per_s;
};
/* Newest first; state NULL = all; ids/n_ids non-NULL = only those. */
int od_queue_list(PGconn *c, const char *state, const int64_t *ids, size_t n_ids, int limit,
                  struct od_job_row **rows, size_t *n);
void od_queue_rows_free(struct od_job_row *rows, size_t n);
/* Counts per state (available, running, retryable, completed, dead, cancelled); -1 error. */
struct od_queue_counts {
    int64_t available, running, retryable, completed, dead, cancelled;
    double oldest_available_s; /* age of the oldest runnable job, 0 when none */
};
int od_queue_counts(PGconn *c, struct od_queue_counts *out);

/* How many of ids are still pending or running (available, running, retryable); -1 error. */
int od_queue_pending(PGconn *c, const int64_t *ids, size_t n);

bool od_queue_state_valid(const char *state);
#endif
