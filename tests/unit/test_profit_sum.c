/* test_profit_sum — the totals of the rows shown (core/domain/profit_sum.h): each amount is
 * the exact sum of the rows' 2-place values (a TOTAL row equals the sum of its rows, where the
 * exact sum rounded once would differ by a cent), the margin % is total margin / total
 * revenue (not a sum or an average of percentages), a chosen subset sums only those rows,
 * deals only over linked rows, mixed currencies are flagged, and overflow is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/domain/profit_sum.h"

static struct od_profit_row row(int64_t hours_c, int64_t rev_c, int64_t cost_c, const char *cur)
{
    struct od_profit_row r = {0};
    r.entries = 1;
    r.hours_c = r.billable_hours_c = hours_c;
    r.revenue_c = rev_c;
    r.cost_c = cost_c;
    r.margin_c = rev_c - cost_c;
    snprintf(r.currency, sizeof r.currency, "%s", cur);
    return r;
}

static void test_sums_are_sums_of_rows(void **state)
{
    /* three rows of 0.01 each: the exact values might be 0.005 each (rounded once: 0.02); the
     * total of what is shown is 0.03, the sum a spreadsheet makes of the column */
    struct od_profit_row rows[3] = {row(1, 1, 0, "EUR"), row(1, 1, 0, "EUR"), row(1, 1, 0, "EUR")};
    struct od_profit_row t;
    assert_int_equal(od_profit_sum(rows, NULL, 3, &t), 0);
    assert_string_equal(t.revenue, "0.03");
    assert_string_equal(t.hours, "0.03");
    assert_string_equal(t.margin, "0.03");
    assert_string_equal(t.cost, "0.00");
    assert_int_equal(t.entries, 3);
    assert_string_equal(t.margin_pct, "100.00");
    assert_string_equal(t.currency, "EUR");
    assert_false(t.mixed_currency);
    assert_null(t.key);
    assert_null(t.trend_c);
}

static void test_margin_pct_of_the_total(void **state)
{
    /* 90% of 1000.00 and -100% of 10.00: the total's margin % is 890 / 1010 = 88.12 %, not
     * (90 - 100) / 2 = -5 % and not -10 % */
    struct od_profit_row rows[2] = {row(100, 100000, 10000, "EUR"), row(100, 1000, 2000, "EUR")};
    struct od_profit_row t;
    assert_int_equal(od_profit_sum(rows, NULL, 2, &t), 0);
    assert_string_equal(t.revenue, "1010.00");
    assert_string_equal(t.margin, "890.00");
    assert_true(t.has_margin_pct);
    assert_string_equal(t.margin_pct, "88.12");
    assert_int_equal(t.margin_pct_c, 8812);
    /* negative, rounded half away from zero: -1 / 20000 cents = -0.005 % -> -0.01 */
    struct od_profit_row neg[1] = {row(0, 20000, 20001, "EUR")};
    assert_int_equal(od_profit_sum(neg, NULL, 1, &t), 0);
    assert_string_equal(t.margin_pct, "-0.01");
    /* no revenue: no margin % */
    struct od_profit_row none[1] = {row(100, 0, 5000, "EUR")};
    assert_int_equal(od_profit_sum(none, NULL, 1, &t), 0);
    assert_false(t.has_margin_pct);
    assert_string_equal(t.margin_pct, "");
    assert_string_equal(t.margin, "-50.00");
}

static void test_subset_deals_and_missing(void **state)
{
    struct od_profit_row rows[4] = {row(100, 1000, 100, "EUR"), row(200, 2000, 200, "EUR"),
                                    row(300, 3000, 300, "EUR"), row(400, 4000, 400, "EUR")};
    rows[1].has_deal_amount = true;
    rows[1].deal_amount_c = 123456;
    rows[3].has_deal_amount = true;
    rows[3].deal_amount_c = 1;
    rows[3].missing_cost_rate = 4;
    rows[2].missing_billable_rate = 2;
    const uint32_t shown[] = {3, 0}; /* the order shown does not matter */
    struct od_profit_row t;
    assert_int_equal(od_profit_sum(rows, shown, 2, &t), 0);
    assert_string_equal(t.revenue, "50.00");
    assert_string_equal(t.hours, "5.00");
    assert_true(t.has_deal_amount);
    assert_string_equal(t.deal_amount, "0.01");
    assert_int_equal(t.missing_cost_rate, 4);
    assert_int_equal(t.missing_billable_rate, 0);
    const uint32_t unlinked[] = {0, 2};
    assert_int_equal(od_profit_sum(rows, unlinked, 2, &t), 0);
    assert_false(t.has_deal_amount);
    assert_string_equal(t.deal_amount, "");
    assert_int_equal(t.missing_billable_rate, 2);
    assert_int_equal(od_profit_sum(rows, shown, 0, &t), 0); /* nothing shown */
    assert_string_equal(t.revenue, "0.00");
    assert_false(t.has_margin_pct);
}

static void test_currency_and_overflow(void **state)
{
    struct od_profit_row rows[2] = {row(1, 100, 0, "EUR"), row(1, 100, 0, "USD")};
    struct od_profit_row t;
    assert_int_equal(od_profit_sum(rows, NULL, 2, &t), 0);
    assert_true(t.mixed_currency);
    assert_string_equal(t.currency, "");
    rows[0].revenue_c = INT64_MAX;
    assert_int_equal(od_profit_sum(rows, NULL, 2, &t), -1);
    assert_non_null(strstr(od_err(), "too large"));
    assert_int_equal(t.revenue_c, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_are_sums_of_rows),
        cmocka_unit_test(test_margin_pct_of_the_total),
        cmocka_unit_test(test_subset_deals_and_missing),
        cmocka_unit_test(test_currency_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
