/* profit — profitability per client, project, month or person over a date range, read from
 * the rollup tables (sql/0001 profit_rollup_*, defined by the view profit_entry_facts in
 * sql/0005_profit.sql), returned as a plain snapshot for commands and screens alike.
 *
 *   struct od_profit_query q = {.by = OD_PROFIT_BY_PROJECT, .client_id = 5000001};
 *   snprintf(q.from, sizeof q.from, "2026-01-01");                  // "" = unbounded
 *   struct od_profit_report r;
 *   if (od_profit_run(pool, &q, &r) < 0) puts(od_err());
 *   ... r.rows[i].revenue ("1234.50"), r.totals ...
 *   od_profit_report_release(&r);
 * The console reads the same report with a margin trend per row on its own connection, in one
 * snapshot: od_profit_read(conn, &q, &r).
 *
 * Drill-down client -> projects -> months -> people is the same call with more filters:
 * {by=client}, {by=project, client_id}, {by=month, project_id}, {by=person, project_id,
 * from/to = that month}.
 *
 * Date ranges: whole months come from the monthly rollups; when from/to fall inside a month,
 * each partial edge month is read as its days inside the range, or as the whole month minus
 * its days outside, whichever is fewer: from the day rollups when the month keeps them
 * (profit_rollup_daily_months, the dense months), else summed from the raw rows (same
 * definition; sparse months, so few rows). Exact for any range; at most half a month of days
 * per edge.
 *
 * Numbers: every amount is summed exactly (numeric) and rounded half away from zero to 2
 * places once, at the end, per row; totals round the exact sum, never the sum of rounded
 * rows. Strings are exact decimals ("12.50"); the *_c fields hold the same values as int64
 * hundredths (cents, hundredths of an hour, hundredths of a percent) for sorting. */
#ifndef OD_PROFIT_H
#define OD_PROFIT_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/domain/profit_range.h"

struct od_pool;

enum od_profit_by {
    OD_PROFIT_BY_CLIENT,
    OD_PROFIT_BY_PROJECT,
    OD_PROFIT_BY_MONTH,
    OD_PROFIT_BY_PERSON
};

/* "client" | "project" | "month" | "person"; parse returns -1 with od_seterr when unknown. */
const char *od_profit_by_name(enum od_profit_by by);
int od_profit_by_parse(const char *s, enum od_profit_by *out);

struct od_profit_query {
    enum od_profit_by by;
    char from[11];      /* "YYYY-MM-DD" or "YYYY-MM" (its first day); "" = all time */
    char to[11];        /* inclusive; "YYYY-MM" = its last day; "" = all time */
    int64_t client_id;  /* 0 = any */
    int64_t project_id; /* 0 = any */
    int64_t user_id;    /* 0 = any */
};

#define OD_PROFIT_NUM 32

struct od_profit_row {
    char *key;  /* upstream id or "YYYY-MM"; NULL for totals. Owned. */
    char *name; /* raw database text: sanitize before a terminal. NULL when unknown. Owned. */
    int64_t entries;
    char hours[OD_PROFIT_NUM], billable_hours[OD_PROFIT_NUM];
    char revenue[OD_PROFIT_NUM], cost[OD_PROFIT_NUM], margin[OD_PROFIT_NUM];
    char margin_pct[OD_PROFIT_NUM]; /* 2 places; "" when revenue is 0 */
    bool has_margin_pct;
    /* by=client: Σ amount of the won deals (sql/0010_won_deals.sql: a closed stage with
     * probability 1.0 in any pipeline, not archived, each deal once, for its Primary company)
     * of the linked company; with a range only those whose closedate (UTC day) falls in it.
     * has_ false when unlinked. Totals: Σ of the rows' amounts, has_ false when no row is
     * linked. */
    char deal_amount[OD_PROFIT_NUM];
    bool has_deal_amount;
    /* by=project: budget burn over the project's whole life (not the range). */
    bool has_budget;
    char budget_by[16];         /* Harvest budget_by: project, person, task (hours) ... */
    bool budget_is_money;       /* project_cost/task_fees: money (revenue); else hours */
    char budget[OD_PROFIT_NUM]; /* hours or money */
    char budget_used[OD_PROFIT_NUM];
    char budget_pct[OD_PROFIT_NUM]; /* used / budget × 100, 2 places */
    bool is_fixed_fee;              /* by=project: Harvest's is_fixed_fee */
    /* The client's currency (ISO code, raw database text: sanitize before a terminal); "" when
     * unknown: by=client its own, by=project its client's, by=month/person the client of the
     * query's client_id or project_id. Totals (od_profit_sum): the rows' one currency, "" when
     * they differ (mixed_currency) or none is known. */
    char currency[8];
    bool mixed_currency;
    int64_t missing_cost_rate, missing_billable_rate;
    /* The values above as int64 hundredths (0 when absent). */
    int64_t hours_c, billable_hours_c, revenue_c, cost_c, margin_c, margin_pct_c, deal_amount_c;
    int64_t budget_pct_c;
    /* od_profit_read, by=client and by=project: the margin (cents, computed like `margin`) of
     * every whole month that touches the range, oldest first, the latest OD_PROFIT_TREND_MAX;
     * NULL when not read or when the row has no month. Owned. */
    int64_t *trend_c;
    size_t ntrend;
    /* trend_month[i]: the month of trend_c[i] as year * 12 + month - 1 (od_profit_month_index),
     * so rows can be lined up in time: a row's months are only those it has data in. Owned. */
    int32_t *trend_month;
};
#define OD_PROFIT_TREND_MAX 36

struct od_profit_report {
    enum od_profit_by by;
    char from[11], to[11]; /* as queried, normalised to YYYY-MM-DD; "" = unbounded */
    struct od_profit_row *rows;
    size_t nrows;
    struct od_profit_row totals;
    bool deals_in_range; /* by=client with from/to: deal_amount holds the deals won in the range
                          * (a table header says "Won in range"), else all won deals */
    int64_t took_us;     /* query time */
};

/* Run the query; out is filled (release with od_profit_report_release, also after -1).
 * -1 with od_seterr on a bad range, unreachable database or query failure. */
int od_profit_run(struct od_pool *pool, const struct od_profit_query *q,
                  struct od_profit_report *out);
void od_profit_report_release(struct od_profit_report *r);
/* The same report plus each row's margin trend (rows' trend_c), both read on c in one
 * REPEATABLE READ READ ONLY transaction: one snapshot, so the trend agrees with the totals.
 * A trend that cannot be read leaves trend_c NULL; the report still comes back. For the
 * console's query workers (core/db/reader.h), which hand it a connection. */
int od_profit_read(PGconn *c, const struct od_profit_query *q, struct od_profit_report *out);

/* od_profit_date_parse and od_profit_month_index: core/domain/profit_range.h */

#endif
