/* metrics_sync — the /metrics families about syncing (rendered by core/ops/metrics.c):
 *   opsdeck_http_request_duration_seconds{provider,class}   histogram (class 2xx..5xx, error)
 *   opsdeck_http_rate_limited_total{provider}                429 answers
 *   opsdeck_http_retries_total{provider}                     retries of failed attempts
 *   opsdeck_job_duration_seconds{provider,resource,outcome}  histogram of this process's jobs
 *   opsdeck_sync_lag_seconds{provider,resource}              since the last successful sync
 *   opsdeck_dead_letters_open                                open dead letters, all
 *   opsdeck_dead_letters_open_by_resource{provider,resource}
 * The first three count what this process did (core/net/http_stats.h, core/jobs/jobstats.h);
 * the last three read the database (the caller's connection). */
#ifndef OD_METRICS_SYNC_H
#define OD_METRICS_SYNC_H
#include <libpq-fe.h>

struct strbuf;

/* In-process counters: HTTP and jobs. */
void od_metrics_render_work(struct strbuf *o);
/* From the database: sync lag and dead letters; a failed query leaves its families out. */
void od_metrics_render_sync_state(PGconn *c, struct strbuf *o);

#endif
