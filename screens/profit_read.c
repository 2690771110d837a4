/* profit_read — the Profitability screen's read, on a query worker: the report from
 * core/domain/profit.h plus a margin trend per row (one value per month in the range) read straight
 * from the monthly rollups, because core/profit has no per-row series yet. */
#include "screens/profit_read.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/db/db.h"
#include "core/base/util.h"
#include "screens/common.h"

#define TREND_MAX 36

void profit_snap_free(void *p)
{
    struct profit_snap *s = p;
    if (!s) return;
    for (size_t i = 0; i < s->rep.nrows && s->trend; i++)
        free(s->trend[i]);
    free(s->trend);
    tui_rowset_release(&s->rows);
    od_profit_report_release(&s->rep);
    free(s);
}

/* Margin in cents per (row key, month), ordered by key then month. */
static PGresult *trend_rows(PGconn *conn, const struct od_profit_query *q)
{
    char client[24], from[11], to[11];
    snprintf(client, sizeof client, "%lld", (long long)q->client_id);
    snprintf(from, sizeof from, "%s", q->from);
    snprintf(to, sizeof to, "%s", q->to);
    const char *p[] = {from, to, client};
    if (q->by == OD_PROFIT_BY_CLIENT)
        return od_db_exec(conn,
                          "SELECT client_id::text, round((revenue - cost) * 100)::bigint "
                          "FROM profit_rollup_client_month WHERE ($1 = '' OR month >= "
                          "date_trunc('month', $1::date)) AND ($2 = '' OR month <= $2::date) "
                          "ORDER BY client_id, month",
                          2, p);
    if (q->by == OD_PROFIT_BY_PROJECT)
        return od_db_exec(conn,
                          "SELECT project_id::text, round((revenue - cost) * 100)::bigint "
                          "FROM profit_rollup_project_month WHERE ($1 = '' OR month >= "
                          "date_trunc('month', $1::date)) AND ($2 = '' OR month <= $2::date) "
                          "AND ($3 = '0' OR client_id = $3::bigint) ORDER BY project_id, month",
                          3, p);
    return NULL;
}

static void add_trends(PGconn *conn, struct profit_snap *s)
{
    s->trend = od_xcalloc(s->rep.nrows + 1, sizeof *s->trend);
    PGresult *r = trend_rows(conn, &s->q);
    if (!r) return; /* no trend at this level, or it failed: the report still shows */
    int n = PQntuples(r);
    for (size_t i = 0; i < s->rep.nrows; i++) {
        const char *key = s->rep.rows[i].key;
        if (!key) continue;
        int64_t v[TREND_MAX];
        size_t nv = 0;
        for (int j = 0; j < n; j++) { /* small: months x rows of one level */
            if (strcmp(PQgetvalue(r, j, 0), key)) continue;
            if (nv == TREND_MAX) memmove(v, v + 1, --nv * sizeof v[0]);
            v[nv++] = strtoll(PQgetvalue(r, j, 1), NULL, 10);
        }
        char buf[3 * TREND_MAX + 1];
        scr_spark(buf, sizeof buf, v, nv, 12);
        s->trend[i] = od_xstrdup(buf);
    }
    PQclear(r);
}

void *profit_read(PGconn *conn, void *arg)
{
    struct profit_read_arg *a = arg;
    struct profit_snap *s = od_xcalloc(1, sizeof *s);
    s->q = a->q;
    if (od_profit_run(a->pool, &a->q, &s->rep) < 0) {
        od_profit_report_release(&s->rep);
        free(s);
        return NULL;
    }
    add_trends(conn, s);
    profit_rows_build(s); /* rows and sort orders ready before the UI thread sees them */
    return s;
}
