/* profit_report — the profitability report read from the rollups (od_profit_run) against the
 * same aggregate computed over the raw time entries, on N generated entries.
 *
 *   build/bench/profit_report [--entries N] [--runs R]     (needs OPSDECK_TEST_PGHOST)
 *
 * Makes a fresh database (tests/lib/testdb), generates N entries with generate_series over 24
 * monthly partitions (200 clients, 2000 projects, 300 people), rebuilds the rollups with
 * od_rollup_rebuild (what `opsdeck rollup rebuild` runs), checks both answers agree, then times R
 * runs of each and prints a Markdown table with p50/p95 and the ratio. Also times two ranges
 * whose ends fall inside months (rollups for whole months + raw rows for part of each edge
 * month): mid-month, and near the month ends (whole month minus a few days). */
#include "core/base/config.h"
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include "core/domain/profit.h"
#include "core/base/util.h"
#include "tests/lib/testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char gen_sql[] =
    "INSERT INTO harvest_clients (id, name, updated_at)"
    " SELECT g, 'Client ' || g, now() FROM generate_series(1, 200) g;"
    "INSERT INTO harvest_projects (id, client_id, name, updated_at)"
    " SELECT g, 1 + g % 200, 'Project ' || g, now() FROM generate_series(1, 2000) g;"
    "INSERT INTO harvest_users (id, first_name, cost_rate, updated_at)"
    " SELECT g, 'Person ' || g, 40 + g % 30, now() FROM generate_series(1, 300) g;";

static const char entries_sql[] =
    "INSERT INTO harvest_time_entries (id, spent_date, user_id, client_id, project_id, hours,"
    " rounded_hours, billable, billable_rate, cost_rate, updated_at)"
    " SELECT g, (date_trunc('month', now()) - interval '23 months')::date + (g % 700)::int,"
    " 1 + g % 300, 1 + (1 + g % 2000) % 200, 1 + g % 2000, ((g * 37) % 800 + 1) / 100.0,"
    " ceil(((g * 37) % 800 + 1) / 25.0) / 4.0, g % 5 <> 0,"
    " CASE WHEN g % 97 = 0 THEN NULL ELSE 50 + (g * 13) % 9000 / 100.0 END,"
    " CASE WHEN g % 89 = 0 THEN NULL ELSE 20 + (g * 17) % 5000 / 100.0 END, now()"
    " FROM generate_series(1, $1::bigint) g";

/* The report's aggregate straight over the raw rows (what the rollups save us from). */
static const char raw_sql[] =
    "SELECT e.client_id, c.name, count(*), round(sum(e.hours), 2),"
    " round(sum(CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) ELSE 0 END), 2),"
    " round(sum(CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) * "
    "coalesce(e.billable_rate, 0)"
    " ELSE 0 END), 2) AS revenue, round(sum(e.hours * coalesce(e.cost_rate, 0)), 2) AS cost"
    " FROM harvest_time_entries e LEFT JOIN harvest_clients c ON c.id = e.client_id"
    " WHERE e.deleted_at IS NULL AND ($1::date IS NULL OR e.spent_date >= $1::date)"
    " AND ($2::date IS NULL OR e.spent_date <= $2::date) GROUP BY e.client_id, c.name ORDER BY 2";

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void pct(int64_t *v, int n, double *p50, double *p95)
{
    qsort(v, (size_t)n, sizeof(*v), cmp64);
    *p50 = v[n / 2] / 1000.0;
    *p95 = v[(n * 95 + 99) / 100 - 1] / 1000.0;
}

/* R runs of the rollup report (through the API) and of the raw aggregate; checks that both
 * give the same total revenue; prints one table row. */
static void measure(struct od_pool *pool, const char *from, const char *to, int runs,
                    const char *label)
{
    int64_t *a = od_xcalloc((size_t)runs, sizeof(int64_t)),
            *b = od_xcalloc((size_t)runs, sizeof(int64_t));
    char roll_rev[OD_PROFIT_NUM] = "", raw_rev[64] = "";
    for (int i = 0; i < runs; i++) {
        struct od_profit_query q = {.by = OD_PROFIT_BY_CLIENT};
        snprintf(q.from, sizeof q.from, "%s", from ? from : "");
        snprintf(q.to, sizeof q.to, "%s", to ? to : "");
        struct od_profit_report r;
        int64_t t0 = od_now_us();
        if (od_profit_run(pool, &q, &r) < 0) od_die("profit: %s", od_err());
        a[i] = od_now_us() - t0;
        snprintf(roll_rev, sizeof roll_rev, "%s", r.totals.revenue);
        od_profit_report_release(&r);

        PGconn *c = od_pool_acquire(pool, 10000);
        const char *p[2] = {from, to};
        t0 = od_now_us();
        PGresult *res = od_db_exec(c, raw_sql, 2, p);
        b[i] = od_now_us() - t0;
        if (!res) od_die("raw: %s", od_err());
        PQclear(res);
        const char *tp[2] = {from, to};
        res = od_db_exec(c,
                         "SELECT round(sum(revenue), 2) FROM profit_entry_facts WHERE"
                         " ($1::date IS NULL OR spent_date >= $1::date) AND ($2::date IS NULL OR "
                         "spent_date <= $2::date)",
                         2, tp);
        if (i == 0 && res) snprintf(raw_rev, sizeof raw_rev, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        od_pool_release(pool, c);
    }
    if (strcmp(roll_rev, raw_rev) != 0)
        od_die("%s: rollup revenue %s differs from raw %s", label, roll_rev, raw_rev);
    double a50, a95, b50, b95;
    pct(a, runs, &a50, &a95);
    pct(b, runs, &b50, &b95);
    printf("| %s | %.2f | %.2f | %.2f | %.2f | %.0fx |\n", label, a50, a95, b50, b95,
           b50 / (a50 > 0 ? a50 : 0.001));
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    long entries = 200000, runs = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--entries") == 0)
            od_parse_long(argv[i + 1], 1, 100000000L, &entries);
        else if (strcmp(argv[i], "--runs") == 0)
            od_parse_long(argv[i + 1], 1, 100000L, &runs);
    }
    char *url = testdb_create("bench_profit");
    struct od_config cfg;
    testdb_config(&cfg, url);
    cfg.database.statement_timeout_ms = 0;
    struct od_pool *pool = od_pool_open(&cfg, "bench-profit");
    PGconn *c = od_pool_acquire(pool, 10000);
    char n[24];
    snprintf(n, sizeof n, "%ld", entries);
    const char *p[1] = {n};
    int64_t t0 = od_now_ms();
    PGresult *g = PQexec(c, gen_sql); /* several statements, no parameters */
    if (PQresultStatus(g) != PGRES_COMMAND_OK) od_die("generate: %s", PQerrorMessage(c));
    PQclear(g);
    if (od_db_cmd(c, "SET statement_timeout = 0", 0, NULL) < 0 ||
        od_db_cmd(c, entries_sql, 1, p) < 0)
        od_die("generate: %s", od_err());
    int64_t t1 = od_now_ms();
    struct od_rollup_diff diffs[OD_ROLLUP_TABLES];
    if (od_rollup_rebuild(c, true, diffs) < 0 || od_db_cmd(c, "VACUUM ANALYZE", 0, NULL) < 0)
        od_die("rollup: %s", od_err());
    int64_t t2 = od_now_ms();
    od_db_cmd(c, "RESET statement_timeout", 0, NULL);
    od_pool_release(pool, c);

    printf("Entries: %ld generated in %.1f s; rollups rebuilt (+ VACUUM ANALYZE) in %.1f s; %ld "
           "runs each.\n\n",
           entries, (t1 - t0) / 1000.0, (t2 - t1) / 1000.0, runs);
    printf("| client report | rollups p50 ms | rollups p95 ms | raw rows p50 ms | raw rows p95 ms "
           "| raw / rollups (p50) |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    measure(pool, NULL, NULL, (int)runs, "all time");
    /* ends inside months: whole months from rollups, the two edge months partly from raw rows
     * (the part inside the range, or the whole month minus the part outside: the smaller) */
    static const char *const edges[][3] = {
        {"14 days", "9 days", "edges mid-month"},
        {"3 days", "26 days", "edges near month ends"},
    };
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        PGconn *d = od_pool_acquire(pool, 10000);
        PGresult *r = od_db_exec(
            d,
            "SELECT (date_trunc('month', now()) - interval '17 months' + $1::interval)::date,"
            " (date_trunc('month', now()) - interval '5 months' + $2::interval)::date",
            2, (const char *const[]){edges[i][0], edges[i][1]});
        if (!r) od_die("range: %s", od_err());
        char from[11], to[11];
        snprintf(from, sizeof from, "%s", PQgetvalue(r, 0, 0));
        snprintf(to, sizeof to, "%s", PQgetvalue(r, 0, 1));
        PQclear(r);
        od_pool_release(pool, d);
        char label[80];
        snprintf(label, sizeof label, "%s .. %s (%s)", from, to, edges[i][2]);
        measure(pool, from, to, (int)runs, label);
    }

    od_pool_close(pool);
    od_config_release(&cfg);
    testdb_drop(url);
    free(url);
    return 0;
}
