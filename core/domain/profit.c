/* profit — see profit.h. One SQL statement per report, assembled from fixed fragments chosen
 * by two tables (dimensions and rollup sources); every value is a parameter. The trend per
 * row is a second statement over the same source, in the same snapshot (od_profit_read). */
#include "core/domain/profit.h"
#include "core/domain/profit_range.h"
#include "core/db/db.h"
#include "core/db/stmt.h"
#include "core/base/log.h"
#include "core/base/money.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DIM_CLIENT = 1, DIM_PROJECT = 2, DIM_PERSON = 4 };

/* What a report groups by: the key column of the uniform source, its text, its name. */
struct dim {
    const char *name;
    unsigned need;       /* which source columns grouping needs */
    const char *key_col; /* column of src */
    const char *key_txt; /* text of the key from agg.k */
    const char *name_sql;
    const char *join;         /* joined to agg a */
    const char *currency_sql; /* the row's client's currency */
};

/* month and person rows: the client of the query's client ($7) or project ($8), if any */
#define QUERY_CURRENCY                                                                             \
    "(SELECT c.currency FROM harvest_clients c WHERE c.id = coalesce($7::bigint,"                  \
    " (SELECT p.client_id FROM harvest_projects p WHERE p.id = $8::bigint)))"

static const struct dim dims[] = {
    [OD_PROFIT_BY_CLIENT] = {"client", DIM_CLIENT, "client_id", "a.k::text", "hc.name",
                             " LEFT JOIN harvest_clients hc ON hc.id = a.k"
                             " LEFT JOIN client_links cl ON cl.client_id = a.k",
                             "hc.currency"},
    [OD_PROFIT_BY_PROJECT] = {"project", DIM_PROJECT, "project_id", "a.k::text", "hp.name",
                              " LEFT JOIN harvest_projects hp ON hp.id = a.k"
                              " LEFT JOIN harvest_clients hpc ON hpc.id = hp.client_id",
                              "hpc.currency"},
    [OD_PROFIT_BY_MONTH] = {"month", 0, "month", "to_char(a.k, 'YYYY-MM')",
                            "to_char(a.k, 'YYYY-MM')", "", QUERY_CURRENCY},
    [OD_PROFIT_BY_PERSON] = {"person", DIM_PERSON, "user_id", "a.k::text",
                             "nullif(btrim(concat_ws(' ', hu.first_name, hu.last_name)), '')",
                             " LEFT JOIN harvest_users hu ON hu.id = a.k", QUERY_CURRENCY},
};

/* Rollup sources exposing the same columns; the first that has every needed dimension wins. */
#define MEASURES                                                                                   \
    "entries, hours, billable_hours, revenue, cost, missing_cost_rate, missing_billable_rate"
static const struct {
    unsigned has;
    const char *sql;
} sources[] = {
    {DIM_CLIENT,
     "SELECT client_id, NULL::bigint AS project_id, NULL::bigint AS user_id, month, " MEASURES
     " FROM profit_rollup_client_month"},
    {DIM_PERSON,
     "SELECT NULL::bigint AS client_id, NULL::bigint AS project_id, user_id, month, " MEASURES
     " FROM profit_rollup_person_month"},
    {DIM_CLIENT | DIM_PROJECT,
     "SELECT client_id, project_id, NULL::bigint AS user_id, month, " MEASURES
     " FROM profit_rollup_project_month"},
    {DIM_CLIENT | DIM_PROJECT | DIM_PERSON,
     "SELECT pm.client_id, r.project_id, r.user_id, r.month, r.entries, r.hours, r.billable_hours,"
     " r.revenue, r.cost, r.missing_cost_rate, r.missing_billable_rate"
     " FROM profit_rollup_project_person_month r"
     " JOIN profit_rollup_project_month pm ON pm.project_id = r.project_id AND pm.month = r.month"},
};

/* Day-grained rollups (sql/0014) and their dekads (sql/0019), the same columns with day (or
 * dekad) for month; they hold the listed months only (profit_rollup_daily_months). Project and
 * person together have none: such an edge is read from raw rows (a project filter narrows it
 * through the project index). */
static const struct {
    unsigned has;
    const char *cols; /* the three reference columns, absent ones as NULL */
    const char *table;
} day_sources[] = {
    {DIM_CLIENT, "client_id, NULL::bigint AS project_id, NULL::bigint AS user_id",
     "profit_rollup_client"},
    {DIM_CLIENT | DIM_PERSON, "client_id, NULL::bigint AS project_id, user_id",
     "profit_rollup_person"},
    {DIM_CLIENT | DIM_PROJECT, "client_id, project_id, NULL::bigint AS user_id",
     "profit_rollup_project"},
};

/* Parameters: $1, $2 whole months [from, to); $3..$6 the edges [lo, hi); $7..$9 client,
 * project, person filters; $10, $11 the edges' signs; EDGE_DEKADS(e), + 1: the whole dekads
 * [d1, d2) inside edge e; WON_FROM, WON_TO: close days of won deals (client report only). */
#define EDGE_DEKADS(e) (12 + 2 * (e))
#define WON_FROM "$16"
#define WON_TO "$17"
#define NPARAMS_TIME 15 /* reports other than by client */
#define NPARAMS_CLIENT 17

#define FILTERS                                                                                    \
    " AND ($7::bigint IS NULL OR s.client_id = $7::bigint)"                                        \
    " AND ($8::bigint IS NULL OR s.project_id = $8::bigint)"                                       \
    " AND ($9::bigint IS NULL OR s.user_id = $9::bigint)"
/* An edge range added (sign 1) or taken away (sign -1); every %d is the sign's parameter.
 * RAW_SUMS: profit_entry_facts rows summed per key (the sign applied to the sums). DAY_ROWS:
 * day and dekad rollup rows, each with its sign, summed with the months' rows: a group per
 * key and edge would cost more than the rows it saves (2,000 projects: bench/RESULTS.md). */
#define RAW_SUMS                                                                                   \
    "$%d::int * count(*), $%d::int * sum(s.hours), $%d::int * sum(s.billable_hours), "             \
    "$%d::int * sum(s.revenue), $%d::int * sum(s.cost), $%d::int * sum(s.missing_cost_rate), "     \
    "$%d::int * sum(s.missing_billable_rate)"
#define DAY_ROWS                                                                                   \
    "CASE WHEN $%d::int < 0 THEN -s.entries ELSE s.entries END, "                                  \
    "CASE WHEN $%d::int < 0 THEN -s.hours ELSE s.hours END, "                                      \
    "CASE WHEN $%d::int < 0 THEN -s.billable_hours ELSE s.billable_hours END, "                    \
    "CASE WHEN $%d::int < 0 THEN -s.revenue ELSE s.revenue END, "                                  \
    "CASE WHEN $%d::int < 0 THEN -s.cost ELSE s.cost END, "                                        \
    "CASE WHEN $%d::int < 0 THEN -s.missing_cost_rate ELSE s.missing_cost_rate END, "              \
    "CASE WHEN $%d::int < 0 THEN -s.missing_billable_rate ELSE s.missing_billable_rate END"
/* Whether an edge's month keeps day rows (then the edge is read from them, else from raw rows).
 * A report first assumes its edge months do (the usual case where edges would be slow) and
 * says in its last column whether that held, in the same snapshot; when it did not, the months
 * are looked up and the report planned again with raw branches where needed. Only the branch
 * that reads is ever planned. Reading raw rows for a month listed meanwhile is still exact, and
 * a listed month stays listed. */
#define LISTED(p)                                                                                  \
    "EXISTS (SELECT 1 FROM profit_rollup_daily_months WHERE month = date_trunc('month', " p        \
    "::date)::date)"
static const char listed_sql[] =
    "SELECT $1::date IS NOT NULL AND " LISTED("$1") ", $2::date IS NOT NULL AND " LISTED("$2");
/* For a report that reads raw edge rows, in its transaction: no JIT and no parallel workers.
 * The raw edges of a month without day rows are small (the policy lists the big ones), but
 * their estimated cost at a few hundred thousand rows a partition crosses jit_above_cost, and
 * compiling the query or starting workers would cost 30-300 ms. */
#define LISTED_COL 18 /* the report's column that says whether the edges' months are listed */
static const char settings_sql[] =
    "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', "
    "true)";

const char *od_profit_by_name(enum od_profit_by by)
{
    return (unsigned)by < OD_ARRAY_LEN(dims) ? dims[by].name : "?";
}

int od_profit_by_parse(const char *s, enum od_profit_by *out)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(dims); i++)
        if (s && strcmp(s, dims[i].name) == 0) {
            *out = (enum od_profit_by)i;
            return 0;
        }
    return od_seterr("unknown grouping '%s' (use client, project, month or person)", s ? s : "");
}

/* Every dimension q groups or filters by. */
static unsigned need_of(const struct od_profit_query *q)
{
    return dims[q->by].need | (q->client_id ? DIM_CLIENT : 0) | (q->project_id ? DIM_PROJECT : 0) |
           (q->user_id ? DIM_PERSON : 0);
}

/* The first rollup source with every dimension q groups or filters by. */
static size_t source_for(const struct od_profit_query *q)
{
    unsigned need = need_of(q);
    size_t si = 0;
    while ((sources[si].has & need) != need)
        si++; /* the last source has every dimension */
    return si;
}

/* The day rollup holding every dimension the query needs; OD_ARRAY_LEN(day_sources) when none
 * does (project and person together). */
static size_t day_source_of(const struct od_profit_query *q)
{
    unsigned need = need_of(q);
    size_t di = 0;
    while (di < OD_ARRAY_LEN(day_sources) && (day_sources[di].has & need) != need)
        di++;
    return di;
}

/* edge[e]: the range has edge e; listed[e]: its month keeps day rows. Returns whether an edge
 * is read from raw rows. The last column says whether the listed edges' months keep day rows
 * (in the same snapshot). */
static bool build_sql(struct strbuf *sb, const struct od_profit_query *q, const bool edge[2],
                      const bool listed[2])
{
    bool raw = false;
    const struct dim *dm = &dims[q->by];
    size_t si = source_for(q), di = day_source_of(q);
    const char *k = dm->key_col;
    bool client = q->by == OD_PROFIT_BY_CLIENT, by_month = q->by == OD_PROFIT_BY_MONTH;
    /* Clients: won deals per company closed in [WON_FROM, WON_TO] (each deal once), and the live
     * clients linked to such a company: they get a row even without time in the range, unless
     * a project or person filter narrows the report to time. */
    if (client)
        sb_add(sb, "WITH won AS MATERIALIZED (SELECT * FROM opsdeck_won_by_company(" WON_FROM
                   "::date, " WON_TO
                   "::date)), won_clients AS (SELECT cl.client_id FROM client_links cl"
                   " JOIN won w ON w.company_id = cl.company_id JOIN harvest_clients wc"
                   " ON wc.id = cl.client_id AND wc.deleted_at IS NULL"
                   " WHERE $8::bigint IS NULL AND $9::bigint IS NULL"
                   " AND ($7::bigint IS NULL OR cl.client_id = $7::bigint)), ");
    else
        sb_add(sb, "WITH ");
    sb_addf(sb,
            "src AS ("
            " SELECT s.%s AS k, s.entries, s.hours, s.billable_hours, s.revenue, s.cost,"
            " s.missing_cost_rate, s.missing_billable_rate FROM (%s) s"
            " WHERE ($1::date IS NULL OR s.month >= $1::date) AND ($2::date IS NULL OR s.month < "
            "$2::date)" FILTERS,
            k, sources[si].sql);
    for (int e = 0; e < 2; e++) {
        int sg = 10 + e, lo = 3 + 2 * e, hi = 4 + 2 * e; /* $10, $11: the edges' signs */
        int d1 = EDGE_DEKADS(e), d2 = d1 + 1;
        /* an edge the range does not have reads day rows too: guarded by its NULL bounds it
         * returns nothing, and a prepared statement's generic plan never scans raw rows */
        if ((listed[e] || !edge[e]) && di < OD_ARRAY_LEN(day_sources)) {
            /* the whole dekads inside the edge, and the days before and after them */
            sb_addf(sb,
                    " UNION ALL SELECT s.%s, " DAY_ROWS " FROM ("
                    "SELECT %s%s, " MEASURES " FROM %s_day WHERE $%d::date IS NOT NULL AND"
                    " ((day >= $%d::date AND day < $%d::date) OR (day >= $%d::date AND day <"
                    " $%d::date)) UNION ALL SELECT %s%s, " MEASURES " FROM %s_dekad WHERE"
                    " $%d::date IS NOT NULL AND dekad >= $%d::date AND dekad < $%d::date) s"
                    " WHERE true" FILTERS,
                    k, sg, sg, sg, sg, sg, sg, sg, day_sources[di].cols,
                    by_month ? ", date_trunc('month', day)::date AS month" : "",
                    day_sources[di].table, lo, lo, d1, d2, hi, day_sources[di].cols,
                    by_month ? ", date_trunc('month', dekad)::date AS month" : "",
                    day_sources[di].table, lo, d1, d2);
        } else {
            raw = raw || edge[e];
            /* the dekad bounds go unused here; num_nulls() only gives them their type */
            sb_addf(sb,
                    " UNION ALL SELECT s.%s, " RAW_SUMS " FROM profit_entry_facts s"
                    " WHERE $%d::date IS NOT NULL AND s.spent_date >= $%d::date"
                    " AND s.spent_date < $%d::date AND s.%s IS NOT NULL"
                    " AND num_nulls($%d::date, $%d::date) >= 0" FILTERS " GROUP BY s.%s",
                    k, sg, sg, sg, sg, sg, sg, sg, lo, lo, hi, k, d1, d2, k);
        }
    }
    if (client) sb_add(sb, " UNION ALL SELECT client_id, 0, 0, 0, 0, 0, 0, 0 FROM won_clients");
    sb_addf(sb,
            "), a AS (SELECT k, sum(entries) AS entries, sum(hours) AS hours,"
            " sum(billable_hours) AS billable_hours, sum(revenue) AS revenue, sum(cost) AS cost,"
            " sum(missing_cost_rate) AS mcr, sum(missing_billable_rate) AS mbr FROM src GROUP BY k"
            " HAVING sum(entries) <> 0%s" /* a key whose every entry was taken away again */
            "), r AS (SELECT %s AS key, %s AS name, a.*,",
            client ? " OR k IN (SELECT client_id FROM won_clients)" : "", dm->key_txt,
            dm->name_sql);
    if (q->by == OD_PROFIT_BY_CLIENT)
        sb_add(sb, " CASE WHEN cl.company_id IS NULL THEN NULL ELSE coalesce((SELECT w.amount"
                   " FROM won w WHERE w.company_id = cl.company_id), 0) END AS deal,");
    else
        sb_add(sb, " NULL::numeric AS deal,");
    if (q->by == OD_PROFIT_BY_PROJECT)
        sb_add(
            sb,
            " hp.budget_by AS budget_by,"
            " CASE WHEN hp.budget_by IN ('project_cost', 'task_fees') THEN hp.cost_budget"
            " WHEN hp.budget_by IN ('project', 'task', 'person') THEN hp.budget END AS budget,"
            /* used: all time, and only where there is a budget to use (a sum per project) */
            " CASE WHEN hp.budget_by IN ('project_cost', 'task_fees') AND hp.cost_budget IS NOT"
            " NULL THEN (SELECT sum(revenue) FROM profit_rollup_project_month x WHERE"
            " x.project_id = a.k)"
            " WHEN hp.budget_by IN ('project', 'task', 'person') AND hp.budget IS NOT NULL"
            " THEN (SELECT sum(hours) FROM profit_rollup_project_month x WHERE x.project_id = a.k)"
            " END AS used, hp.is_fixed_fee AS fixed_fee");
    else
        sb_add(sb, " NULL::text AS budget_by, NULL::numeric AS budget, NULL::numeric AS used,"
                   " NULL::boolean AS fixed_fee");
    sb_addf(sb, ", %s AS currency", dm->currency_sql);
    sb_addf(
        sb,
        " FROM a%s), t AS ("
        " SELECT false AS total, key, name, entries, hours, billable_hours, revenue, cost,"
        " deal, budget_by, budget, used, mcr, mbr, fixed_fee, currency FROM r"
        " UNION ALL SELECT true, NULL, NULL, coalesce(sum(entries), 0), coalesce(sum(hours), 0),"
        " coalesce(sum(billable_hours), 0), coalesce(sum(revenue), 0), coalesce(sum(cost), 0),"
        " sum(deal), NULL, NULL, NULL, coalesce(sum(mcr), 0), coalesce(sum(mbr), 0), NULL,"
        /* one currency over the rows that have one (no sort, unlike count(DISTINCT)) */
        " CASE WHEN min(currency) = max(currency) THEN min(currency) END FROM r)"
        " SELECT key, name, entries, round(hours, 2), round(billable_hours, 2), round(revenue, 2),"
        " round(cost, 2), round(revenue - cost, 2),"
        " CASE WHEN revenue = 0 THEN NULL ELSE round((revenue - cost) * 100 / revenue, 2) END,"
        " round(deal, 2), budget_by, round(budget, 2), round(used, 2),"
        " CASE WHEN budget > 0 THEN round(coalesce(used, 0) * 100 / budget, 2) END,"
        " mcr, mbr, fixed_fee, currency, %s FROM t ORDER BY total, %s",
        dm->join,
        (listed[0] && edge[0]) || (listed[1] && edge[1])
            ? "($3::date IS NULL OR " LISTED("$3") ") AND ($5::date IS NULL OR " LISTED("$5") ")"
            : "true",
        q->by == OD_PROFIT_BY_MONTH ? "key" : "lower(btrim(name)) NULLS LAST, length(key), key");
    return raw;
}

/* A report reading raw edge rows: with settings_sql, in the caller's transaction
 * (od_profit_read) or in one of its own. */
static PGresult *run_raw(PGconn *c, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = NULL;
    bool own = PQtransactionStatus(c) == PQTRANS_IDLE;
    if (own && od_db_begin(c) < 0) return NULL;
    PGresult *sr = od_db_exec(c, settings_sql, 0, NULL);
    if (sr) res = od_db_exec(c, sql, nparams, params);
    PQclear(sr);
    if (!own) return res;
    if (res && od_db_commit(c) < 0) {
        PQclear(res);
        res = NULL;
    } else if (!res) {
        od_db_rollback(c);
    }
    return res;
}

/* Copy a numeric column into its string and int64 hundredths; false when NULL. */
static bool num(PGresult *res, int i, int col, char *s, int64_t *c)
{
    if (PQgetisnull(res, i, col)) {
        *s = '\0';
        if (c) *c = 0;
        return false;
    }
    snprintf(s, OD_PROFIT_NUM, "%s", PQgetvalue(res, i, col));
    if (c && od_money_parse(s, c) < 0) *c = 0;
    return true;
}

static void fill_row(PGresult *res, int i, struct od_profit_row *row)
{
    row->key = od_db_text(res, i, 0);
    row->name = od_db_text(res, i, 1);
    row->entries = strtoll(PQgetvalue(res, i, 2), NULL, 10);
    num(res, i, 3, row->hours, &row->hours_c);
    num(res, i, 4, row->billable_hours, &row->billable_hours_c);
    num(res, i, 5, row->revenue, &row->revenue_c);
    num(res, i, 6, row->cost, &row->cost_c);
    num(res, i, 7, row->margin, &row->margin_c);
    row->has_margin_pct = num(res, i, 8, row->margin_pct, &row->margin_pct_c);
    row->has_deal_amount = num(res, i, 9, row->deal_amount, &row->deal_amount_c);
    if (!PQgetisnull(res, i, 10) && !PQgetisnull(res, i, 11)) {
        row->has_budget = true;
        snprintf(row->budget_by, sizeof row->budget_by, "%s", PQgetvalue(res, i, 10));
        row->budget_is_money =
            strcmp(row->budget_by, "project_cost") == 0 || strcmp(row->budget_by, "task_fees") == 0;
        num(res, i, 11, row->budget, NULL);
        if (!num(res, i, 12, row->budget_used, NULL))
            snprintf(row->budget_used, sizeof row->budget_used, "0.00");
        num(res, i, 13, row->budget_pct, &row->budget_pct_c);
    }
    row->missing_cost_rate = strtoll(PQgetvalue(res, i, 14), NULL, 10);
    row->missing_billable_rate = strtoll(PQgetvalue(res, i, 15), NULL, 10);
    row->is_fixed_fee = !PQgetisnull(res, i, 16) && PQgetvalue(res, i, 16)[0] == 't';
    if (!PQgetisnull(res, i, 17))
        snprintf(row->currency, sizeof row->currency, "%s", PQgetvalue(res, i, 17));
}

/* Check and normalise q into out (by, from, to); nothing else is filled yet. */
static int check_query(const struct od_profit_query *q, struct od_profit_report *out)
{
    memset(out, 0, sizeof(*out));
    if ((unsigned)q->by >= OD_ARRAY_LEN(dims))
        return od_seterr("unknown profitability grouping %d", (int)q->by);
    out->by = q->by;
    if (*q->from && od_profit_date_parse(q->from, false, out->from) < 0) return -1;
    if (*q->to && od_profit_date_parse(q->to, true, out->to) < 0) return -1;
    if (*out->from && *out->to && strcmp(out->from, out->to) > 0)
        return od_seterr("the range starts (%s) after it ends (%s)", out->from, out->to);
    return 0;
}

/* The report statement on c, after check_query. */
static int run_on(PGconn *c, const struct od_profit_query *q, struct od_profit_report *out)
{
    char p[6][11];
    int sign[2];
    od_profit_range_split(out->from, out->to, p, sign);
    char ids[3][24];
    const int64_t idv[3] = {q->client_id, q->project_id, q->user_id};
    const char *params[NPARAMS_CLIENT];
    for (int i = 0; i < 6; i++)
        params[i] = *p[i] ? p[i] : NULL;
    for (int i = 0; i < 3; i++) {
        snprintf(ids[i], sizeof ids[i], "%lld", (long long)idv[i]);
        params[6 + i] = idv[i] ? ids[i] : NULL;
    }
    for (int e = 0; e < 2; e++)
        params[9 + e] = sign[e] < 0 ? "-1" : "1";
    char dk[2][2][11];
    for (int e = 0; e < 2; e++) {
        od_profit_edge_dekads(p[2 + 2 * e], p[3 + 2 * e], dk[e][0], dk[e][1]);
        params[EDGE_DEKADS(e) - 1] = *dk[e][0] ? dk[e][0] : NULL;
        params[EDGE_DEKADS(e)] = *dk[e][1] ? dk[e][1] : NULL;
    }
    params[15] = *out->from ? out->from : NULL; /* won deals: close days, as given */
    params[16] = *out->to ? out->to : NULL;
    int nparams = q->by == OD_PROFIT_BY_CLIENT ? NPARAMS_CLIENT : NPARAMS_TIME;
    out->deals_in_range = q->by == OD_PROFIT_BY_CLIENT && (*out->from || *out->to);
    struct strbuf sql = STRBUF_INIT;
    PGresult *res = NULL;
    bool edge[2] = {params[2] != NULL, params[4] != NULL};
    bool days = (edge[0] || edge[1]) && day_source_of(q) < OD_ARRAY_LEN(day_sources);
    bool listed[2] = {days, days}; /* first assume the edge months keep day rows */
    for (int attempt = 0; attempt < 2; attempt++) {
        sb_reset(&sql);
        /* The client report runs as a prepared statement (core/db/stmt.h): planning it costs
         * as much as running it, and PostgreSQL's generic plan for it is as good as a custom
         * one (few keys, no raw branch). Project and person reports keep a plan made for
         * their dates: a generic plan guesses an edge's day rows at one and groups tens of
         * thousands of them by sorting, 2-3 times slower (bench/RESULTS.md). */
        if (build_sql(&sql, q, edge, listed))
            res = run_raw(c, sb_str(&sql), nparams, params);
        else if (q->by == OD_PROFIT_BY_CLIENT)
            res = od_stmt_exec(c, sb_str(&sql), nparams, params);
        else
            res = od_db_exec(c, sb_str(&sql), nparams, params);
        if (!res || attempt || !days || PQgetvalue(res, PQntuples(res) - 1, LISTED_COL)[0] == 't')
            break;
        PQclear(res); /* an edge month keeps no day rows: look them up, plan again */
        res = od_db_exec(c, listed_sql, 2, (const char *const[]){params[2], params[4]});
        if (!res) break;
        for (int e = 0; e < 2; e++)
            listed[e] = PQgetvalue(res, 0, e)[0] == 't';
        PQclear(res);
        res = NULL;
    }
    sb_release(&sql);
    if (!res) return -1;
    int n = PQntuples(res);
    assert(n >= 1); /* the totals row is always there */
    out->nrows = (size_t)n - 1;
    out->rows = od_xcalloc(out->nrows ? out->nrows : 1, sizeof(*out->rows));
    for (int i = 0; i < n - 1; i++)
        fill_row(res, i, &out->rows[i]);
    fill_row(res, n - 1, &out->totals);
    PQclear(res);
    return 0;
}

int od_profit_run(struct od_pool *pool, const struct od_profit_query *q,
                  struct od_profit_report *out)
{
    if (check_query(q, out) < 0) return -1;
    int64_t t0 = od_now_us();
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    int rc = run_on(c, q, out);
    od_pool_release(pool, c);
    out->took_us = od_now_us() - t0;
    return rc;
}

/* ---- the margin trend per row (od_profit_read) ---- */

struct keyed {
    const char *key;
    size_t row;
};

static int keyed_cmp(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

/* Each row's monthly margin from the same rollup source the report groups by, with the same
 * filters and the same margin (revenue - cost, rounded to cents); every month that touches the
 * range counts whole. */
static int read_trend(PGconn *c, const struct od_profit_query *q, struct od_profit_report *out)
{
    if (q->by != OD_PROFIT_BY_CLIENT && q->by != OD_PROFIT_BY_PROJECT) return 0;
    const char *k = dims[q->by].key_col;
    char ids[3][24];
    const int64_t idv[3] = {q->client_id, q->project_id, q->user_id};
    const char *params[5] = {*out->from ? out->from : NULL, *out->to ? out->to : NULL};
    for (int i = 0; i < 3; i++) {
        snprintf(ids[i], sizeof ids[i], "%lld", (long long)idv[i]);
        params[2 + i] = idv[i] ? ids[i] : NULL;
    }
    struct strbuf sql = STRBUF_INIT;
    sb_addf(&sql,
            "SELECT s.%s::text, round(s.revenue - s.cost, 2), to_char(s.month, 'YYYY-MM')"
            " FROM (%s) s"
            " WHERE ($1::date IS NULL OR s.month >= date_trunc('month', $1::date))"
            " AND ($2::date IS NULL OR s.month <= $2::date)"
            " AND ($3::bigint IS NULL OR s.client_id = $3::bigint)"
            " AND ($4::bigint IS NULL OR s.project_id = $4::bigint)"
            " AND ($5::bigint IS NULL OR s.user_id = $5::bigint) ORDER BY s.%s, s.month",
            k, sources[source_for(q)].sql, k);
    PGresult *r = od_db_exec(c, sb_str(&sql), 5, params);
    sb_release(&sql);
    if (!r) return -1;
    /* rows by key, to place each key's run of months */
    struct keyed *idx = od_xcalloc(out->nrows + 1, sizeof *idx);
    size_t nidx = 0;
    for (size_t i = 0; i < out->nrows; i++)
        if (out->rows[i].key) idx[nidx++] = (struct keyed){out->rows[i].key, i};
    qsort(idx, nidx, sizeof *idx, keyed_cmp);
    int n = PQntuples(r);
    for (int j = 0; j < n;) {
        int end = j + 1;
        while (end < n && strcmp(PQgetvalue(r, end, 0), PQgetvalue(r, j, 0)) == 0)
            end++;
        struct keyed want = {PQgetvalue(r, j, 0), 0};
        struct keyed *hit = bsearch(&want, idx, nidx, sizeof *idx, keyed_cmp);
        if (hit) {
            struct od_profit_row *row = &out->rows[hit->row];
            int first = end - j > OD_PROFIT_TREND_MAX ? end - OD_PROFIT_TREND_MAX : j;
            row->ntrend = (size_t)(end - first);
            row->trend_c = od_xcalloc(row->ntrend, sizeof *row->trend_c);
            row->trend_month = od_xcalloc(row->ntrend, sizeof *row->trend_month);
            for (int m = first; m < end; m++) {
                if (od_money_parse(PQgetvalue(r, m, 1), &row->trend_c[m - first]) < 0)
                    row->trend_c[m - first] = 0;
                row->trend_month[m - first] = od_profit_month_index(PQgetvalue(r, m, 2));
            }
        }
        j = end;
    }
    free(idx);
    PQclear(r);
    return 0;
}

int od_profit_read(PGconn *c, const struct od_profit_query *q, struct od_profit_report *out)
{
    if (check_query(q, out) < 0) return -1;
    int64_t t0 = od_now_us();
    if (od_db_cmd(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL) < 0) return -1;
    int rc = run_on(c, q, out);
    if (rc == 0 && read_trend(c, q, out) < 0)
        od_log_warn("profitability trend not read: %s", od_err()); /* the report stands */
    od_db_rollback(c); /* read only: nothing to commit; also ends an aborted transaction */
    out->took_us = od_now_us() - t0;
    return rc;
}

static void row_release(struct od_profit_row *row)
{
    free(row->key);
    free(row->name);
    free(row->trend_c);
    free(row->trend_month);
}

void od_profit_report_release(struct od_profit_report *r)
{
    for (size_t i = 0; i < r->nrows; i++)
        row_release(&r->rows[i]);
    free(r->rows);
    row_release(&r->totals);
    memset(r, 0, sizeof(*r));
}
