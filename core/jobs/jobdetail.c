/* jobdetail — see jobdetail.h. */
#include "core/jobs/jobdetail.h"
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/db/db.h"

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static char *str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : od_xstrdup(PQgetvalue(r, row, col));
}

static double seconds(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? -1 : strtod(PQgetvalue(r, row, col), NULL);
}

int od_job_detail_read(PGconn *c, int64_t id, struct od_job_detail *out)
{
    memset(out, 0, sizeof *out);
    struct od_job_row *rows = NULL;
    size_t n = 0;
    if (od_queue_list(c, NULL, &id, 1, 1, &rows, &n) < 0) return -1;
    if (n == 0) {
        od_queue_rows_free(rows, n);
        return od_seterr("no job %lld", (long long)id);
    }
    out->row = rows;
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    const char *p[1] = {sid};
    PGresult *r = od_db_exec(c,
                             "SELECT checkpoint::text, " ISO("started_at") ", " ISO(
                                 "heartbeat_at") ","
                                                 " extract(epoch FROM coalesce(finished_at, "
                                                 "now()) - started_at)"
                                                 " FROM sync_jobs WHERE id = $1",
                             1, p);
    if (!r) goto fail;
    if (PQntuples(r) == 1) {
        out->checkpoint_json = str(r, 0, 0);
        out->started_at = str(r, 0, 1);
        out->heartbeat_at = str(r, 0, 2);
        out->run_seconds = seconds(r, 0, 3);
    }
    PQclear(r);
    r = od_db_exec(c,
                   "SELECT attempt, worker, " ISO("started_at") ", " ISO(
                       "finished_at") ", outcome, error,"
                                      " extract(epoch FROM finished_at - started_at)"
                                      " FROM sync_job_attempts WHERE job_id = $1 ORDER BY id",
                   1, p);
    if (!r) goto fail;
    out->nattempts = (size_t)PQntuples(r);
    out->attempts = od_xcalloc(out->nattempts ? out->nattempts : 1, sizeof *out->attempts);
    for (int i = 0; i < (int)out->nattempts; i++) {
        struct od_job_attempt *a = &out->attempts[i];
        a->attempt = atoi(PQgetvalue(r, i, 0));
        a->worker = str(r, i, 1);
        a->started_at = str(r, i, 2);
        a->finished_at = str(r, i, 3);
        a->outcome = str(r, i, 4);
        a->error = str(r, i, 5);
        a->seconds = seconds(r, i, 6);
    }
    PQclear(r);
    return 0;
fail:
    od_job_detail_release(out);
    return -1;
}

void od_job_detail_release(struct od_job_detail *d)
{
    od_queue_rows_free(d->row, d->row ? 1 : 0);
    for (size_t i = 0; i < d->nattempts; i++) {
        struct od_job_attempt *a = &d->attempts[i];
        free(a->worker);
        free(a->started_at);
        free(a->finished_at);
        free(a->outcome);
        free(a->error);
    }
    free(d->attempts);
    free(d->checkpoint_json);
    free(d->started_at);
    free(d->heartbeat_at);
    memset(d, 0, sizeof *d);
}

int od_jobs_retry_dead(PGconn *c, int *retried, int *skipped)
{
    *retried = *skipped = 0;
    struct od_job_row *rows = NULL;
    size_t n = 0;
    if (od_queue_list(c, "dead", NULL, 0, 100000, &rows, &n) < 0) return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int one = od_queue_retry(c, rows[i].id);
        if (one == 1)
            (*retried)++;
        else if (one == 0 || PQstatus(c) == CONNECTION_OK) /* changed meanwhile, or a twin */
            (*skipped)++;
        else
            rc = -1;
    }
    od_queue_rows_free(rows, n);
    return rc;
}
