/* sync_detail — the job detail the Sync screen opens on Enter: provider, resource, args, state,
 * every attempt with its worker, times, outcome and error, started/finished/duration, next run,
 * checkpoint, progress, and the job's own log lines (every line its threads wrote, HTTP lines
 * included: core/base/log.h od_log_job_lines, the last SYNC_DETAIL_LOG_LINES). Read on a query
 * worker (route "jobdetail."), shown in an overlay that wraps long text and scrolls; all of it
 * sanitized on the way in (tui/overlay.h). */
#ifndef SCR_SYNC_DETAIL_H
#define SCR_SYNC_DETAIL_H
#include <stdbool.h>
#include <stdint.h>

#define SYNC_DETAIL_LOG_LINES 200

struct scr_ctx;
struct sync_detail;

/* visible (borrowed) says whether the screen that asks is shown: an answer that comes back
 * after the person left it is dropped. */
struct sync_detail *sync_detail_new(struct scr_ctx *c, const bool *visible);
void sync_detail_free(struct sync_detail *d);
/* Read job id and open its detail when it arrives (a newer request wins). */
void sync_detail_open(struct sync_detail *d, int64_t id);

#endif
