/* jobview — a job's state in words for people: what the state column alone does not say.
 * Shared by the console's Sync screen, `opsdeck sync --wait` and `opsdeck jobs`, so all three
 * say the same thing:
 *
 *   running, heartbeat late:  "stalled — worker HOST:PID silent 12 s" (no ETA: nobody works it)
 *   running, a request waits: "waiting 12 s (429, Retry-After)"  (wait_until, wait_reason)
 *   retryable, run_at ahead:  "retry 3/8 in 40 s (HTTP 503)"     (the status from last_error)
 *   anything else:            the state itself ("running", "completed" ...)
 *
 *   char buf[OD_JOBVIEW_MAX];
 *   enum od_jobview v = od_jobview_state(row, cfg->sync.heartbeat_s, buf, sizeof buf);
 *
 * A heartbeat is late after od_jobview_late_s(heartbeat_s) seconds: two missed beats and a
 * second, well before sync.rescue_after_s turns the job back to available. Text that came from
 * the database (the worker's name) is sanitized here. */
#ifndef OD_JOBVIEW_H
#define OD_JOBVIEW_H
#include "core/jobs/queue.h"
#include <stddef.h>

#define OD_JOBVIEW_MAX 128

enum od_jobview { OD_JOBVIEW_PLAIN, OD_JOBVIEW_STALLED, OD_JOBVIEW_WAITING, OD_JOBVIEW_RETRY };

enum od_jobview od_jobview_state(const struct od_job_row *r, int heartbeat_s, char *buf, size_t n);
int od_jobview_late_s(int heartbeat_s);
/* "12 s", "5 min", "3 h" (rounded down; negative counts as 0). */
void od_jobview_duration(double seconds, char *buf, size_t n);

#endif
