/* test_profit_read — od_profit_read, the console's profitability read, against a real
 * PostgreSQL loaded with tests/integration/profit_fixture.sql: its rows and totals are the
 * same as od_profit_run's; each client's and project's trend is the margin of every whole
 * month touching the range, equal to the month report of that client or project (one margin
 * definition); levels without a trend have none; the connection is handed back outside any
 * transaction, also after a refused range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include "core/domain/profit.h"
#include "tests/lib/testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *url;
static struct od_config cfg;
static struct od_pool *pool;
static PGconn *db;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_addn(&sb, buf, n);
    fclose(f);
    return sb_detach(&sb);
}

static int setup(void **state)
{
    od_log_open(NULL, OD_LOG_WARN, 0, 0);
    url = testdb_create("profit_read");
    testdb_config(&cfg, url);
    pool = od_pool_open(&cfg, "test-profit-read");
    db = od_db_connect(&cfg, "test-profit-read-main");
    char *sql = slurp("tests/integration/profit_fixture.sql");
    if (!db || !pool || !sql) return -1;
    PGresult *r = PQexec(db, sql); /* several statements: the simple protocol */
    free(sql);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "fixture: %s", PQerrorMessage(db));
    PQclear(r);
    struct od_rollup_diff diffs[OD_ROLLUP_TABLES];
    return ok && od_rollup_rebuild(db, true, diffs) >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
    testdb_teardown(db, pool, &cfg, url);
    return 0;
}

static void same_row(const struct od_profit_row *a, const struct od_profit_row *b)
{
    assert_string_equal(a->key ? a->key : "-", b->key ? b->key : "-");
    assert_string_equal(a->hours, b->hours);
    assert_string_equal(a->revenue, b->revenue);
    assert_string_equal(a->cost, b->cost);
    assert_string_equal(a->margin, b->margin);
    assert_string_equal(a->margin_pct, b->margin_pct);
    assert_string_equal(a->deal_amount, b->deal_amount);
    assert_int_equal(a->entries, b->entries);
}

/* Read q both ways on a connection from the pool; check rows, totals and the transaction. */
static void read_both(const struct od_profit_query *q, struct od_profit_report *got)
{
    struct od_profit_report want;
    assert_int_equal(od_profit_run(pool, q, &want), 0);
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    assert_int_equal(od_profit_read(c, q, got), 0);
    assert_int_equal(PQtransactionStatus(c), PQTRANS_IDLE);
    od_pool_release(pool, c);
    assert_int_equal(got->nrows, want.nrows);
    assert_true(want.nrows > 0);
    for (size_t i = 0; i < want.nrows; i++)
        same_row(&got->rows[i], &want.rows[i]);
    same_row(&got->totals, &want.totals);
    od_profit_report_release(&want);
}

/* Each row's trend equals the margins of the month report filtered to that row's key, month
 * by month. */
static void trend_equals_months(const struct od_profit_report *got, enum od_profit_by by,
                                const char *from, const char *to)
{
    size_t with_trend = 0;
    for (size_t i = 0; i < got->nrows; i++) {
        const struct od_profit_row *row = &got->rows[i];
        struct od_profit_query mq = {.by = OD_PROFIT_BY_MONTH};
        snprintf(mq.from, sizeof mq.from, "%s", from);
        snprintf(mq.to, sizeof mq.to, "%s", to);
        if (by == OD_PROFIT_BY_CLIENT)
            mq.client_id = strtoll(row->key, NULL, 10);
        else
            mq.project_id = strtoll(row->key, NULL, 10);
        struct od_profit_report months;
        assert_int_equal(od_profit_run(pool, &mq, &months), 0);
        assert_int_equal(row->ntrend, months.nrows);
        for (size_t m = 0; m < months.nrows; m++) {
            assert_int_equal(row->trend_c[m], months.rows[m].margin_c);
            /* each value says its month, so rows can be lined up in time */
            assert_int_equal(row->trend_month[m], od_profit_month_index(months.rows[m].key));
        }
        with_trend += row->ntrend > 0;
        od_profit_report_release(&months);
    }
    assert_true(with_trend > 0);
}

static void test_clients_all_time(void **state)
{
    struct od_profit_query q = {.by = OD_PROFIT_BY_CLIENT};
    struct od_profit_report got;
    read_both(&q, &got);
    trend_equals_months(&got, OD_PROFIT_BY_CLIENT, "", "");
    assert_null(got.totals.trend_c);
    od_profit_report_release(&got);
}

/* A partial range: the report is exact to the day, the trend counts the touched months whole. */
static void test_projects_partial_range(void **state)
{
    struct od_profit_query q = {.by = OD_PROFIT_BY_PROJECT, .client_id = 101};
    snprintf(q.from, sizeof q.from, "2026-02-10");
    snprintf(q.to, sizeof q.to, "2026-03-20");
    struct od_profit_report got;
    read_both(&q, &got);
    trend_equals_months(&got, OD_PROFIT_BY_PROJECT, "2026-02", "2026-03");
    for (size_t i = 0; i < got.nrows; i++)
        assert_true(got.rows[i].ntrend <= 2);
    od_profit_report_release(&got);
}

static void test_months_have_no_trend(void **state)
{
    struct od_profit_query q = {.by = OD_PROFIT_BY_MONTH, .project_id = 201};
    struct od_profit_report got;
    read_both(&q, &got);
    for (size_t i = 0; i < got.nrows; i++) {
        assert_null(got.rows[i].trend_c);
        assert_int_equal(got.rows[i].ntrend, 0);
    }
    od_profit_report_release(&got);
}

static void test_refused_range_leaves_no_transaction(void **state)
{
    struct od_profit_query q = {.by = OD_PROFIT_BY_CLIENT};
    snprintf(q.from, sizeof q.from, "2026-03-01");
    snprintf(q.to, sizeof q.to, "2026-02-01");
    struct od_profit_report got;
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    assert_int_equal(od_profit_read(c, &q, &got), -1);
    assert_non_null(strstr(od_err(), "after it ends"));
    assert_int_equal(PQtransactionStatus(c), PQTRANS_IDLE);
    od_profit_report_release(&got);
    od_pool_release(pool, c);
}

static const struct od_profit_row *row_of(const struct od_profit_report *r, const char *key)
{
    for (size_t i = 0; i < r->nrows; i++)
        if (r->rows[i].key && !strcmp(r->rows[i].key, key)) return &r->rows[i];
    fail_msg("no row %s", key);
    return NULL;
}

/* Each row says its client's currency (months and people: the query's client's) and whether a
 * project is fixed fee; the totals name a currency only when the rows share it. */
static void test_currency_and_fixed_fee(void **state)
{
    PGresult *r = PQexec(db, "UPDATE harvest_clients SET currency = CASE id WHEN 102 THEN 'USD'"
                             " WHEN 104 THEN NULL ELSE 'EUR' END;"
                             " UPDATE harvest_projects SET is_fixed_fee = (id = 202)");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    struct od_profit_query q = {.by = OD_PROFIT_BY_CLIENT};
    struct od_profit_report got;
    read_both(&q, &got);
    assert_string_equal(row_of(&got, "101")->currency, "EUR");
    assert_string_equal(row_of(&got, "102")->currency, "USD");
    assert_string_equal(got.totals.currency, ""); /* EUR and USD: no one currency */
    od_profit_report_release(&got);
    q = (struct od_profit_query){.by = OD_PROFIT_BY_PROJECT, .client_id = 101};
    read_both(&q, &got);
    assert_string_equal(row_of(&got, "201")->currency, "EUR");
    assert_false(row_of(&got, "201")->is_fixed_fee);
    assert_true(row_of(&got, "202")->is_fixed_fee);
    assert_string_equal(got.totals.currency, "EUR");
    od_profit_report_release(&got);
    q = (struct od_profit_query){.by = OD_PROFIT_BY_MONTH, .project_id = 203};
    read_both(&q, &got);
    for (size_t i = 0; i < got.nrows; i++)
        assert_string_equal(got.rows[i].currency, "USD"); /* project 203 is client 102's */
    od_profit_report_release(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clients_all_time),
        cmocka_unit_test(test_projects_partial_range),
        cmocka_unit_test(test_months_have_no_trend),
        cmocka_unit_test(test_refused_range_leaves_no_transaction),
        cmocka_unit_test(test_currency_and_fixed_fee),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
