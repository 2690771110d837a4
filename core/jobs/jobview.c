/* jobview — a job's state in words. See jobview.h. */
#include "core/jobs/jobview.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int od_jobview_late_s(int heartbeat_s)
{
    return 2 * (heartbeat_s > 0 ? heartbeat_s : 5) + 1;
}

void od_jobview_duration(double s, char *buf, size_t n)
{
    long long v = s > 0 ? (long long)s : 0;
    if (v < 120)
        snprintf(buf, n, "%lld s", v);
    else if (v < 7200)
        snprintf(buf, n, "%lld min", v / 60);
    else
        snprintf(buf, n, "%lld h", v / 3600);
}

/* "host:pid" of a holder "host:pid:start/N" (sanitized, bounded). */
static void worker_name(const char *locked_by, char *buf, size_t n)
{
    const char *s = locked_by ? locked_by : "?";
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    size_t len = c2 ? (size_t)(c2 - s) : strlen(s);
    char *clean = od_sanitize_n(s, len);
    od_fit(clean, 48, buf, n);
    free(clean);
}

/* "HTTP 503" when the error names an HTTP status, else "" (the full text is in last_error). */
static void cause(const char *err, char *buf, size_t n)
{
    buf[0] = '\0';
    for (const char *p = err; p && (p = strstr(p, "HTTP ")); p += 5)
        if (p[5] >= '1' && p[5] <= '5' && p[6] >= '0' && p[6] <= '9' && p[7] >= '0' &&
            p[7] <= '9' && (p[8] < '0' || p[8] > '9')) {
            snprintf(buf, n, "HTTP %.3s", p + 5);
            return;
        }
}

enum od_jobview od_jobview_state(const struct od_job_row *r, int heartbeat_s, char *buf, size_t n)
{
    char d[32], who[64], why[16];
    if (!strcmp(r->state, "running") && r->heartbeat_age_s > od_jobview_late_s(heartbeat_s)) {
        worker_name(r->locked_by, who, sizeof who);
        od_jobview_duration(r->heartbeat_age_s, d, sizeof d);
        snprintf(buf, n, "stalled — worker %s silent %s", who, d);
        return OD_JOBVIEW_STALLED;
    }
    if (!strcmp(r->state, "running") && r->wait_s > 0) {
        od_jobview_duration(r->wait_s + 0.999, d, sizeof d);
        char *reason = od_sanitize(r->wait_reason);
        char cut[80];
        od_fit(reason, 40, cut, sizeof cut);
        free(reason);
        snprintf(buf, n, "waiting %s%s%s%s", d, cut[0] ? " (" : "", cut, cut[0] ? ")" : "");
        return OD_JOBVIEW_WAITING;
    }
    if (!strcmp(r->state, "retryable") && r->run_in_s > 0) {
        od_jobview_duration(r->run_in_s + 0.999, d, sizeof d);
        cause(r->last_error, why, sizeof why);
        snprintf(buf, n, "retry %d/%d in %s%s%s%s", r->attempts + 1, r->max_attempts, d,
                 why[0] ? " (" : "", why, why[0] ? ")" : "");
        return OD_JOBVIEW_RETRY;
    }
    snprintf(buf, n, "%s", r->state);
    return OD_JOBVIEW_PLAIN;
}
