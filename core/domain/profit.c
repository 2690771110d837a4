/* profit — see profit.h. One SQL statement per report, assembled from fixed fragments chosen
 * by two tables (dimensions and rollup sources); every value is a parameter. The trend per
 * row is a second statement over the same source, in the same snapshot (od_profit_read). */
#include "core/domain/profit.h"
#include "core/db/db.h"
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
    [OD_PROFIT_BY_PROJECT] =
        {"project", DIM_PROJECT, "project_id", "a.k::text", "hp.name",
         " LEFT JOIN harvest_projects hp ON hp.id = a.k",
         "(SELECT c.currency FROM harvest_clients c WHERE c.id = hp.client_id)"},
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

#define FILTERS                                                                                    \
    " AND ($7::bigint IS NULL OR s.client_id = $7::bigint)"                                        \
    " AND ($8::bigint IS NULL OR s.project_id = $8::bigint)"                                       \
    " AND ($9::bigint IS NULL OR s.user_id = $9::bigint)"
/* An edge range's raw rows summed per key, added (sign 1) or taken away (sign -1); every %d
 * is the sign's parameter (applied to the sums, not to each row). */
#define RAW_SUMS                                                                                   \
    "$%d::int * count(*), $%d::int * sum(s.hours), $%d::int * sum(s.billable_hours), "             \
    "$%d::int * sum(s.revenue), $%d::int * sum(s.cost), $%d::int * sum(s.missing_cost_rate), "     \
    "$%d::int * sum(s.missing_billable_rate)"

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

static void fmt_day(long z, char out[11])
{
    char tmp[OD_DATE_BUF];
    od_date_format(z, tmp, sizeof tmp);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

int od_profit_date_parse(const char *s, bool to_end, char out[11])
{
    size_t len = s ? strlen(s) : 0;
    int64_t z;
    if (len == 7) { /* YYYY-MM: a date on its first day */
        char first[11];
        memcpy(first, s, 7);
        memcpy(first + 7, "-01", 4);
        if (od_date_parse(first, 10, &z) < 0)
            return od_seterr("'%s' is not a month (use YYYY-MM)", s);
        if (to_end) {
            int y, m, d;
            od_civil_from_days(z, &y, &m, &d);
            z += od_days_in_month(y, m) - 1;
        }
    } else if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (od_date_parse(s, len, &z) < 0)
            return od_seterr("'%s' is not a date (use YYYY-MM-DD)", s);
    } else {
        return od_seterr("'%s' is not a date (use YYYY-MM-DD or YYYY-MM)", s ? s : "");
    }
    fmt_day(z, out);
    return 0;
}

int32_t od_profit_month_index(const char *s)
{
    int y, m, n = 0;
    if (!s || sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || y < 1 || m < 1 || m > 12)
        return -1;
    return y * 12 + m - 1;
}

/* A date od_profit_date_parse wrote. */
static long day_of(const char *iso)
{
    int64_t z = 0;
    int rc = od_date_parse(iso, strlen(iso), &z);
    assert(rc == 0);
    (void)rc;
    return z;
}

static long first_of_next_month(long z)
{
    int y, m, d;
    od_civil_from_days(z, &y, &m, &d);
    return z - (d - 1) + od_days_in_month(y, m);
}

static long first_of_month(long z)
{
    int y, m, d;
    od_civil_from_days(z, &y, &m, &d);
    return z - (d - 1);
}

/* Split [from, to] into whole months for the rollups and up to two raw edge ranges [lo, hi).
 * p[0..5]: full_lo, full_hi, raw1_lo, raw1_hi, raw2_lo, raw2_hi; "" = NULL. A partial edge
 * month is read from raw rows either as the part inside the range (sign 1), or — when the part
 * outside is smaller and the whole month is in the rollup range — as the whole month from the
 * rollups minus the part outside (sign -1): at most half a month of raw rows per edge. */
static void split_range(const char *from, const char *to, char p[6][11], int sign[2])
{
    bool hf = *from, ht = *to;
    long f = hf ? day_of(from) : 0, t = ht ? day_of(to) : 0;
    long full_lo = 0, full_hi = 0, r[2][2] = {{0, 0}, {0, 0}}; /* lo == hi: no raw range */
    memset(p, 0, 6 * 11);
    sign[0] = sign[1] = 1;
    if (hf) full_lo = first_of_month(f) == f ? f : first_of_next_month(f);
    if (ht) full_hi = first_of_next_month(t) == t + 1 ? t + 1 : first_of_month(t);
    if (hf && ht && full_hi <= full_lo) { /* no whole month inside: all of it from raw rows */
        full_hi = full_lo;
        r[0][0] = f;
        r[0][1] = t + 1;
    } else {
        if (hf && full_lo != f) {
            long m0 = first_of_month(f);
            if (f - m0 < full_lo - f) {
                r[0][0] = m0;
                r[0][1] = f;
                sign[0] = -1;
                full_lo = m0;
            } else {
                r[0][0] = f;
                r[0][1] = full_lo;
            }
        }
        if (ht && full_hi != t + 1) {
            long m1 = first_of_next_month(t);
            if (m1 - (t + 1) < (t + 1) - full_hi) {
                r[1][0] = t + 1;
                r[1][1] = m1;
                sign[1] = -1;
                full_hi = m1;
            } else {
                r[1][0] = full_hi;
                r[1][1] = t + 1;
            }
        }
    }
    if (hf) fmt_day(full_lo, p[0]);
    if (ht) fmt_day(full_hi, p[1]);
    for (int e = 0; e < 2; e++)
        if (r[e][1] > r[e][0]) {
            fmt_day(r[e][0], p[2 + 2 * e]);
            fmt_day(r[e][1], p[3 + 2 * e]);
        }
}

/* The first rollup source with every dimension q groups or filters by. */
static size_t source_for(const struct od_profit_query *q)
{
    unsigned need = dims[q->by].need | (q->client_id ? DIM_CLIENT : 0) |
                    (q->project_id ? DIM_PROJECT : 0) | (q->user_id ? DIM_PERSON : 0);
    size_t si = 0;
    while ((sources[si].has & need) != need)
        si++; /* the last source has every dimension */
    return si;
}

static void build_sql(struct strbuf *sb, const struct od_profit_query *q)
{
    const struct dim *dm = &dims[q->by];
    size_t si = source_for(q);
    const char *k = dm->key_col;
    bool client = q->by == OD_PROFIT_BY_CLIENT;
    /* Clients: won deals per company closed in [$12, $13] (each deal once), and the live
     * clients linked to such a company: they get a row even without time in the range, unless
     * a project or person filter narrows the report to time. */
    if (client)
        sb_add(sb, "WITH won AS MATERIALIZED (SELECT * FROM opsdeck_won_by_company($12::date,"
                   " $13::date)), won_clients AS (SELECT cl.client_id FROM client_links cl"
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
        int sg = 10 + e; /* $10, $11: the edges' signs */
        sb_addf(sb,
                " UNION ALL SELECT s.%s, " RAW_SUMS " FROM profit_entry_facts s"
                " WHERE $%d::date IS NOT NULL AND s.spent_date >= $%d::date AND s.spent_date < "
                "$%d::date"
                " AND s.%s IS NOT NULL" FILTERS " GROUP BY s.%s",
                k, sg, sg, sg, sg, sg, sg, sg, 3 + 2 * e, 3 + 2 * e, 4 + 2 * e, k, k);
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
            " CASE WHEN hp.budget_by IN ('project_cost', 'task_fees')"
            " THEN (SELECT sum(revenue) FROM profit_rollup_project_month x WHERE x.project_id = "
            "a.k)"
            " ELSE (SELECT sum(hours) FROM profit_rollup_project_month x WHERE x.project_id = a.k)"
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
        " CASE WHEN count(DISTINCT currency) = 1 THEN min(currency) END FROM r)"
        " SELECT key, name, entries, round(hours, 2), round(billable_hours, 2), round(revenue, 2),"
        " round(cost, 2), round(revenue - cost, 2),"
        " CASE WHEN revenue = 0 THEN NULL ELSE round((revenue - cost) * 100 / revenue, 2) END,"
        " round(deal, 2), budget_by, round(budget, 2), round(used, 2),"
        " CASE WHEN budget > 0 THEN round(coalesce(used, 0) * 100 / budget, 2) END,"
        " mcr, mbr, fixed_fee, currency FROM t ORDER BY total, %s",
        dm->join,
        q->by == OD_PROFIT_BY_MONTH ? "key" : "lower(btrim(name)) NULLS LAST, length(key), key");
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
    split_range(out->from, out->to, p, sign);
    char ids[3][24];
    const int64_t idv[3] = {q->client_id, q->project_id, q->user_id};
    const char *params[13];
    for (int i = 0; i < 6; i++)
        params[i] = *p[i] ? p[i] : NULL;
    for (int i = 0; i < 3; i++) {
        snprintf(ids[i], sizeof ids[i], "%lld", (long long)idv[i]);
        params[6 + i] = idv[i] ? ids[i] : NULL;
    }
    for (int e = 0; e < 2; e++)
        params[9 + e] = sign[e] < 0 ? "-1" : "1";
    params[11] = *out->from ? out->from : NULL; /* won deals: close days, as given */
    params[12] = *out->to ? out->to : NULL;
    int nparams = q->by == OD_PROFIT_BY_CLIENT ? 13 : 11;
    out->deals_in_range = q->by == OD_PROFIT_BY_CLIENT && (*out->from || *out->to);
    struct strbuf sql = STRBUF_INIT;
    build_sql(&sql, q);
    PGresult *res = od_db_exec(c, sb_str(&sql), nparams, params);
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
