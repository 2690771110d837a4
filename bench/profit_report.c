/* profit_report — the profitability report read from the rollups (od_profit_run) against the
 * same aggregate computed over the raw time entries, on N generated entries, for every range
 * shape an account manager asks for.
 *
 *   build/bench/profit_report [--entries N] [--runs R] [--keep] [--reuse URL]
 *                                                          (needs OPSDECK_TEST_PGHOST)
 *
 * --keep leaves the database in place and prints its URL on stderr; --reuse URL measures a
 * database a --keep run left (no generation, no rebuild): for working on the report's SQL.
 *
 * R runs of the raw aggregate and 5 R of the report per shape (the report is cheap; more runs
 * make its p95 a percentile rather than the slowest run).
 *
 * Makes a fresh database (tests/lib/testdb), generates N entries with generate_series over 700
 * days in 24 monthly partitions: 200 clients, 2000 projects, 300 people, every person on every
 * day, each on 7 projects (so at 10M every day has every person and every project: the most
 * day rows an edge can read). Rebuilds the rollups with od_rollup_rebuild (what `opsdeck rollup
 * rebuild` runs; it lists the months the day-rollup policy asks for), then per range shape
 * checks that the report equals the raw aggregate row by row (entries, hours, billable hours,
 * revenue, cost, both missing-rate counts) and times R runs of each: p50/p95 and the ratio.
 * Shapes, relative to the data's "today" T (the 19th of its second-to-last month): all time,
 * 12 whole months, 12 months with mid-month ends, 12 months with ends near month ends, this
 * month (the preset: the calendar month), the month to date, the last 30 days (preset), the
 * year to date (preset) and a year with ragged ends (T - 364 .. T); then by project and by
 * person for the 12 whole months and the mid-month range, and one client's projects (the
 * console's drill-down) for the mid-month range. */
#include "core/base/config.h"
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include "core/domain/period.h"
#include "core/domain/profit.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include "tests/lib/testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char gen_sql[] =
    "INSERT INTO harvest_clients (id, name, updated_at)"
    " SELECT g, 'Client ' || g, now() FROM generate_series(1, 200) g;"
    "INSERT INTO harvest_projects (id, client_id, name, updated_at)"
    " SELECT g, 1 + g % 200, 'Project ' || g, now() FROM generate_series(1, 2000) g;"
    "INSERT INTO harvest_users (id, first_name, cost_rate, updated_at)"
    " SELECT g, 'Person ' || g, 40 + g % 30, now() FROM generate_series(1, 300) g;";

/* Entry g: day g % 700; r = g / 700 walks the people (r % 300) and each one's 7 projects. */
static const char entries_sql[] =
    "INSERT INTO harvest_time_entries (id, spent_date, user_id, client_id, project_id, hours,"
    " rounded_hours, billable, billable_rate, cost_rate, updated_at)"
    " SELECT g, (date_trunc('month', now()) - interval '23 months')::date + (g % 700)::int,"
    " 1 + u, 1 + p % 200, p, ((g * 37) % 800 + 1) / 100.0,"
    " ceil(((g * 37) % 800 + 1) / 25.0) / 4.0, g % 5 <> 0,"
    " CASE WHEN g % 97 = 0 THEN NULL ELSE 50 + (g * 13) % 9000 / 100.0 END,"
    " CASE WHEN g % 89 = 0 THEN NULL ELSE 20 + (g * 17) % 5000 / 100.0 END, now()"
    " FROM generate_series(1, $1::bigint) g,"
    " LATERAL (SELECT (g / 700) % 300 AS u) a,"
    " LATERAL (SELECT 1 + (a.u * 7 + (g / 700 / 300) % 7) % 2000 AS p) b";

/* The report's aggregate straight over the raw rows (what the rollups save us from), one line
 * per key as "key|entries|hours|billable_hours|revenue|cost|mcr|mbr"; %s = the key column. */
static const char raw_fmt[] =
    "SELECT e.%s::text || '|' || count(*) || '|' || round(sum(e.hours), 2) || '|' ||"
    " round(sum(CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) ELSE 0 END), 2)"
    " || '|' || round(sum(CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) *"
    " coalesce(e.billable_rate, 0) ELSE 0 END), 2) || '|' ||"
    " round(sum(e.hours * coalesce(e.cost_rate, 0)), 2) || '|' || sum((e.cost_rate IS NULL)::int)"
    " || '|' || sum((e.billable AND e.billable_rate IS NULL)::int)"
    " FROM harvest_time_entries e WHERE e.deleted_at IS NULL AND ($1::date IS NULL OR e.spent_date "
    ">= $1::date)"
    " AND ($2::date IS NULL OR e.spent_date <= $2::date)"
    " AND ($3::bigint IS NULL OR e.client_id = $3::bigint) GROUP BY e.%s ORDER BY 1";

/* The client filter of the next measure() (0: none), as the console's drill-down sets it. */
static int64_t filter_client;

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pct(int64_t *v, int n, double *p50, double *p95)
{
    qsort(v, (size_t)n, sizeof(*v), cmp64);
    *p50 = v[n / 2] / 1000.0;
    *p95 = v[(n * 95 + 99) / 100 - 1] / 1000.0;
}

/* The report's rows as raw_fmt's lines, sorted like them; dies when they differ from raw. */
static void check_equal(const struct od_profit_report *r, PGresult *raw, const char *label)
{
    size_t n = r->nrows;
    if ((size_t)PQntuples(raw) != n)
        od_die("%s: %zu rows from the rollups, %d from the raw rows", label, n, PQntuples(raw));
    char **mine = od_xcalloc(n ? n : 1, sizeof *mine),
         **theirs = od_xcalloc(n ? n : 1, sizeof *theirs);
    for (size_t i = 0; i < n; i++) {
        const struct od_profit_row *x = &r->rows[i];
        char buf[512];
        snprintf(buf, sizeof buf, "%s|%lld|%s|%s|%s|%s|%lld|%lld", x->key, (long long)x->entries,
                 x->hours, x->billable_hours, x->revenue, x->cost, (long long)x->missing_cost_rate,
                 (long long)x->missing_billable_rate);
        mine[i] = od_xstrdup(buf);
        theirs[i] = PQgetvalue(raw, (int)i, 0);
    }
    qsort(mine, n, sizeof *mine, cmpstr);
    qsort(theirs, n, sizeof *theirs, cmpstr);
    for (size_t i = 0; i < n; i++)
        if (strcmp(mine[i], theirs[i]) != 0)
            od_die("%s: the rollups say %s, the raw rows %s", label, mine[i], theirs[i]);
    for (size_t i = 0; i < n; i++)
        free(mine[i]);
    free(mine);
    free(theirs);
}

/* 5 R runs of the rollup report (through the API) and R of the raw aggregate, interleaved;
 * checks the first run's answers are equal row by row; prints one table row. */
static void measure(struct od_pool *pool, enum od_profit_by by, const char *from, const char *to,
                    int runs, const char *label)
{
    static const char *const key_col[] = {[OD_PROFIT_BY_CLIENT] = "client_id",
                                          [OD_PROFIT_BY_PROJECT] = "project_id",
                                          [OD_PROFIT_BY_PERSON] = "user_id"};
    char raw_sql[sizeof raw_fmt + 64];
    snprintf(raw_sql, sizeof raw_sql, raw_fmt, key_col[by], key_col[by]);
    int64_t *a = od_xcalloc((size_t)runs * 5, sizeof(int64_t)),
            *b = od_xcalloc((size_t)runs, sizeof(int64_t));
    char cl[24];
    snprintf(cl, sizeof cl, "%lld", (long long)filter_client);
    const char *p[3] = {from && *from ? from : NULL, to && *to ? to : NULL,
                        filter_client ? cl : NULL};
    for (int i = 0; i < runs * 5; i++) {
        struct od_profit_query q = {.by = by, .client_id = filter_client};
        snprintf(q.from, sizeof q.from, "%s", p[0] ? p[0] : "");
        snprintf(q.to, sizeof q.to, "%s", p[1] ? p[1] : "");
        struct od_profit_report r;
        int64_t t0 = od_now_us();
        if (od_profit_run(pool, &q, &r) < 0) od_die("profit: %s", od_err());
        a[i] = od_now_us() - t0;
        if (i % 5) {
            od_profit_report_release(&r);
            continue;
        }

        PGconn *c = od_pool_acquire(pool, 10000);
        t0 = od_now_us();
        PGresult *res = od_db_exec(c, raw_sql, 3, p);
        b[i / 5] = od_now_us() - t0;
        od_pool_release(pool, c);
        if (!res) od_die("raw: %s", od_err());
        if (i == 0) check_equal(&r, res, label);
        PQclear(res);
        od_profit_report_release(&r);
    }
    double a50, a95, b50, b95;
    pct(a, runs * 5, &a50, &a95);
    pct(b, runs, &b50, &b95);
    printf("| %s | %s .. %s | %.2f | %.2f | %.2f | %.2f | %.0fx |\n", label, p[0] ? p[0] : "",
           p[1] ? p[1] : "", a50, a95, b50, b95, b50 / (a50 > 0 ? a50 : 0.001));
    fflush(stdout);
    free(a);
    free(b);
}

static void day_text(long z, char out[11])
{
    int y, m, d;
    od_civil_from_days(z, &y, &m, &d);
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 11);
}

int main(int argc, char **argv)
{
    long entries = 200000, runs = 20;
    bool keep = false;
    const char *reuse = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0)
            keep = true;
        else if (i + 1 >= argc)
            od_die("usage: profit_report [--entries N] [--runs R] [--keep] [--reuse URL]");
        else if (strcmp(argv[i], "--entries") == 0)
            od_parse_long(argv[++i], 1, 100000000L, &entries);
        else if (strcmp(argv[i], "--runs") == 0)
            od_parse_long(argv[++i], 1, 100000L, &runs);
        else if (strcmp(argv[i], "--reuse") == 0)
            reuse = argv[++i];
    }
    char *url = reuse ? od_xstrdup(reuse) : testdb_create("bench_profit");
    if (keep || reuse) fprintf(stderr, "database: %s\n", url);
    struct od_config cfg;
    testdb_config(&cfg, url);
    cfg.database.statement_timeout_ms = 0;
    struct od_pool *pool = od_pool_open(&cfg, "bench-profit");
    PGconn *c = od_pool_acquire(pool, 10000);
    char n[24];
    snprintf(n, sizeof n, "%ld", entries);
    const char *p[1] = {n};
    int64_t t0 = od_now_ms(), t1 = t0, t2 = t0;
    if (!reuse) {
        PGresult *g = PQexec(c, gen_sql); /* several statements, no parameters */
        if (PQresultStatus(g) != PGRES_COMMAND_OK) od_die("generate: %s", PQerrorMessage(c));
        PQclear(g);
        if (od_db_cmd(c, "SET statement_timeout = 0", 0, NULL) < 0 ||
            od_db_cmd(c, entries_sql, 1, p) < 0)
            od_die("generate: %s", od_err());
        t1 = od_now_ms();
        struct od_rollup_diff diffs[OD_ROLLUP_TABLES];
        if (od_rollup_rebuild(c, true, diffs) < 0 || od_db_cmd(c, "VACUUM ANALYZE", 0, NULL) < 0)
            od_die("rollup: %s", od_err());
        t2 = od_now_ms();
    }
    od_db_cmd(c, "RESET statement_timeout", 0, NULL);
    /* the data's first and last day, how many months keep day rows, how many day rows */
    PGresult *r = od_db_exec(
        c,
        "SELECT (min(spent_date) - '1970-01-01')::int, (max(spent_date) - '1970-01-01')::int,"
        " (SELECT count(*) FROM profit_rollup_daily_months),"
        " (SELECT count(*) FROM profit_rollup_client_day),"
        " (SELECT count(*) FROM profit_rollup_project_day),"
        " (SELECT count(*) FROM profit_rollup_person_day),"
        " (SELECT count(DISTINCT month) FROM profit_rollup_client_month), count(*)"
        " FROM harvest_time_entries",
        0, NULL);
    if (!r) od_die("range: %s", od_err());
    long last = atol(PQgetvalue(r, 0, 1));
    if (reuse)
        printf("Entries: %ld, generated by an earlier --keep run (--reuse); ",
               atol(PQgetvalue(r, 0, 7)));
    else
        printf("Entries: %ld generated in %.1f s; rollups rebuilt (+ VACUUM ANALYZE) in %.1f s; ",
               atol(PQgetvalue(r, 0, 7)), (t1 - t0) / 1000.0, (t2 - t1) / 1000.0);
    printf("%s of %s months keep day rows (day rows: %s client, %s project, %s person); %ld "
           "runs of the raw aggregate and %ld of the report per shape, interleaved.\n\n",
           PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 6), PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4),
           PQgetvalue(r, 0, 5), runs, runs * 5);
    PQclear(r);
    od_pool_release(pool, c);

    /* "today" in the data: the 19th of the month before the last day's */
    int y, m, d;
    od_civil_from_days(last, &y, &m, &d);
    int tm = y * 12 + m - 2;
    struct {
        int y, m, d;
    } today = {tm / 12, tm % 12 + 1, 19};
    /* the presets resolve at noon local time of that day */
    struct tm noon = {.tm_year = today.y - 1900,
                      .tm_mon = today.m - 1,
                      .tm_mday = 19,
                      .tm_hour = 12,
                      .tm_isdst = -1};
    time_t now = mktime(&noon);
    long tz = od_days_from_civil(today.y, today.m, today.d);
    long mstart = tz - 18; /* the 1st of today's month */
    char f[16][11], t[16][11];
    int k = 0;
    printf("\"Today\" is %04d-%02d-%02d.\n\n", today.y, today.m, today.d);
    printf("| report, range shape | range | rollups p50 ms | rollups p95 ms | raw rows p50 ms | "
           "raw rows p95 ms | raw / rollups (p50) |\n");
    printf("|---|---|---:|---:|---:|---:|---:|\n");
    measure(pool, OD_PROFIT_BY_CLIENT, NULL, NULL, (int)runs, "client, all time");
    /* 12 whole months: the 12 months before today's */
    day_text(od_days_from_civil(today.y - 1, today.m, 1), f[k]);
    day_text(mstart - 1, t[k]);
    measure(pool, OD_PROFIT_BY_CLIENT, f[k], t[k], (int)runs, "client, 12 whole months");
    k++;
    /* 12 months ending mid-month: the 15th .. the 10th; ends near month ends: the 4th .. 27th */
    day_text(od_days_from_civil(today.y - 1, today.m, 15), f[k]);
    day_text(od_days_from_civil(today.y, today.m, 10), t[k]);
    measure(pool, OD_PROFIT_BY_CLIENT, f[k], t[k], (int)runs, "client, 12 months, mid-month ends");
    int mid = k++;
    day_text(od_days_from_civil(today.y - 1, today.m, 4), f[k]);
    {
        int pm = tm - 1;
        day_text(od_days_from_civil(pm / 12, pm % 12 + 1, 27), t[k]);
    }
    measure(pool, OD_PROFIT_BY_CLIENT, f[k], t[k], (int)runs,
            "client, 12 months, ends near month ends");
    k++;
    static const struct {
        const char *preset, *label;
    } presets[] = {
        {"this-month", "client, this month (--period this-month: the calendar month)"},
        {"last-30d", "client, last 30 days (--period last-30d)"},
        {"ytd", "client, year to date (--period ytd)"},
    };
    for (size_t i = 0; i < OD_ARRAY_LEN(presets); i++, k++) {
        if (od_profit_period_resolve(presets[i].preset, now, f[k], t[k]) < 0)
            od_die("%s", od_err());
        measure(pool, OD_PROFIT_BY_CLIENT, f[k], t[k], (int)runs, presets[i].label);
        if (i == 0) { /* the month to date, right after the calendar month */
            k++;
            day_text(mstart, f[k]);
            day_text(tz, t[k]);
            measure(pool, OD_PROFIT_BY_CLIENT, f[k], t[k], (int)runs,
                    "client, this month to date (the 1st .. today)");
        }
    }
    day_text(tz - 364, f[k]);
    day_text(tz, t[k]);
    measure(pool, OD_PROFIT_BY_CLIENT, f[k], t[k], (int)runs,
            "client, a year with ragged ends (today - 364 .. today)");
    /* by project and by person: 12 whole months, then mid-month ends (what the ends cost) */
    measure(pool, OD_PROFIT_BY_PROJECT, f[0], t[0], (int)runs, "project, 12 whole months");
    measure(pool, OD_PROFIT_BY_PROJECT, f[mid], t[mid], (int)runs,
            "project, 12 months, mid-month ends");
    filter_client = 7; /* the console's drill-down: one client's 10 projects */
    measure(pool, OD_PROFIT_BY_PROJECT, f[mid], t[mid], (int)runs,
            "project, one client's projects (drill-down), 12 months, mid-month ends");
    filter_client = 0;
    measure(pool, OD_PROFIT_BY_PERSON, f[0], t[0], (int)runs, "person, 12 whole months");
    measure(pool, OD_PROFIT_BY_PERSON, f[mid], t[mid], (int)runs,
            "person, 12 months, mid-month ends");

    od_pool_close(pool);
    od_config_release(&cfg);
    if (!keep && !reuse) testdb_drop(url);
    free(url);
    return 0;
}
