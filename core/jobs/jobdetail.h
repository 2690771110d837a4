/* jobdetail — one job as the console's job detail shows it, and the bulk retry of `:retry dead`.
 *
 *   struct od_job_detail d;
 *   if (od_job_detail_read(conn, 42, &d) == 0) { ...d.row->state, d.attempts[0..n)...; }
 *   od_job_detail_release(&d);
 *
 * The row is the one `opsdeck jobs` shows (od_queue_list) plus what only a detail needs: the
 * checkpoint, when it started, its last heartbeat, how long it ran, and every attempt with its
 * worker, times, outcome and error (table sync_job_attempts, sql/0017_job_attempts.sql,
 * written when a run ends). Strings are raw database text: sanitize before a terminal. Times
 * are ISO 8601 UTC ("2026-12-05T20:01:02Z") or NULL. */
#ifndef OD_JOBDETAIL_H
#define OD_JOBDETAIL_H
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include "core/jobs/queue.h"

struct od_job_attempt {
    int attempt;
    char *worker, *started_at, *finished_at, *outcome, *error; /* owned or NULL */
    double seconds;                                            /* -1: unknown */
};

struct od_job_detail {
    struct od_job_row *row;                            /* owned: one row */
    char *checkpoint_json, *started_at, *heartbeat_at; /* owned or NULL */
    double run_seconds; /* first start to finish (or now while running); -1 never started */
    struct od_job_attempt *attempts; /* owned, oldest first */
    size_t nattempts;
};

/* 0 and *out filled; -1 with od_seterr ("no job 42" when there is none). */
int od_job_detail_read(PGconn *c, int64_t id, struct od_job_detail *out);
void od_job_detail_release(struct od_job_detail *d);

/* Make every dead job available again (od_queue_retry each, so an equal pending job is
 * skipped, not duplicated). *retried and *skipped get the counts. -1 with od_seterr on a
 * database error. */
int od_jobs_retry_dead(PGconn *c, int *retried, int *skipped);

#endif
