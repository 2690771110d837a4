/* sync_marks — marked jobs and the writes over several; see sync_marks.h. */
#include "screens/sync_marks.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/jobs/jobdetail.h"
#include "core/jobs/queue.h"
#include "screens/common.h"

bool sync_marks_has(const struct sync_marks *m, int64_t id)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->ids[i] == id) return true;
    return false;
}

void sync_marks_toggle(struct sync_marks *m, int64_t id)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->ids[i] == id) {
            memmove(m->ids + i, m->ids + i + 1, (m->n - i - 1) * sizeof *m->ids);
            m->n--;
            return;
        }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->ids = od_xrealloc(m->ids, m->cap * sizeof *m->ids);
    }
    m->ids[m->n++] = id;
}

void sync_marks_keep(struct sync_marks *m, const int64_t *listed, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < m->n; i++)
        for (size_t k = 0; k < n; k++)
            if (listed[k] == m->ids[i]) {
                m->ids[kept++] = m->ids[i];
                break;
            }
    m->n = kept;
}

size_t sync_marks_join(const struct sync_marks *m, char *out, size_t n)
{
    size_t len = 0, used = 0;
    if (n) out[0] = '\0';
    for (size_t i = 0; i < m->n; i++) {
        char one[32];
        int w = snprintf(one, sizeof one, "%s%lld", used ? "," : "", (long long)m->ids[i]);
        if (len + (size_t)w + 1 > n) break;
        memcpy(out + len, one, (size_t)w + 1);
        len += (size_t)w;
        used++;
    }
    return used;
}

void sync_marks_release(struct sync_marks *m)
{
    free(m->ids);
    memset(m, 0, sizeof *m);
}

int sync_act_many(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    int done = 0, not = 0;
    struct strbuf why = STRBUF_INIT;
    for (const char *p = a->text; p && *p;) {
        int64_t id = strtoll(p, NULL, 10);
        int rc = a->version == 1 ? od_queue_cancel(conn, id) : od_queue_retry(conn, id);
        if (rc == 1)
            done++;
        else {
            not ++;
            if (rc < 0 && !why.len) sb_addf(&why, " (%s)", od_err());
        }
        p = strchr(p, ',');
        if (p) p++;
    }
    sb_addf(msg, "%d job(s) %s", done, a->version == 1 ? "cancelled" : "queued again");
    if (not )
        sb_addf(msg, ", %d not (finished, or not retryable in its state)%s", not, sb_str(&why));
    sb_release(&why);
    return 0;
}

int sync_act_retry_dead(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    int retried, skipped;
    if (od_jobs_retry_dead(conn, &retried, &skipped) < 0) return -1;
    sb_addf(msg, "%d dead job(s) queued again", retried);
    if (skipped) sb_addf(msg, ", %d skipped (an equal job is pending)", skipped);
    return 0;
}
