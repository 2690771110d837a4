/* test_period — preset date ranges (core/domain/period.c) against fixed "today"s: month and
 * quarter ends, leap years, year boundaries, unknown names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/domain/period.h"
#include "core/base/util.h"
#include <stdio.h>
#include <string.h>

static char got[32];

static const char *range(const char *name, int y, int m, int d)
{
    char from[11], to[11];
    struct od_day t = {y, m, d};
    if (od_period_resolve(name, t, from, to) < 0) return "error";
    snprintf(got, sizeof got, "%s..%s", from, to);
    return got;
}

static void test_months(void **state)
{
    (void)state;
    assert_string_equal(range("this-month", 2026, 12, 5), "2026-12-01..2026-12-31");
    assert_string_equal(range("this-month", 2028, 2, 29), "2028-02-01..2028-02-29");
    assert_string_equal(range("last-month", 2026, 12, 5), "2026-11-01..2026-11-30");
    assert_string_equal(range("last-month", 2026, 1, 31), "2025-12-01..2025-12-31");
    assert_string_equal(range("last-month", 2024, 3, 31), "2024-02-01..2024-02-29");
}

static void test_quarters(void **state)
{
    (void)state;
    assert_string_equal(range("this-quarter", 2026, 12, 5), "2026-10-01..2026-12-31");
    assert_string_equal(range("this-quarter", 2026, 4, 1), "2026-04-01..2026-06-30");
    assert_string_equal(range("this-quarter", 2026, 3, 31), "2026-01-01..2026-03-31");
    assert_string_equal(range("last-quarter", 2026, 12, 5), "2026-07-01..2026-09-30");
    assert_string_equal(range("last-quarter", 2026, 2, 14), "2025-10-01..2025-12-31");
    assert_string_equal(range("last-quarter", 2026, 7, 1), "2026-04-01..2026-06-30");
}

static void test_days(void **state)
{
    (void)state;
    assert_string_equal(range("ytd", 2026, 12, 5), "2026-01-01..2026-12-05");
    assert_string_equal(range("ytd", 2026, 1, 1), "2026-01-01..2026-01-01");
    assert_string_equal(range("last-30d", 2026, 12, 5), "2026-11-06..2026-12-05");
    assert_string_equal(range("last-30d", 2026, 1, 10), "2025-12-12..2026-01-10");
    assert_string_equal(range("last-30d", 2024, 3, 1), "2024-02-01..2024-03-01");
    assert_string_equal(range("all", 2026, 12, 5), "..");
}

static void test_refused(void **state)
{
    (void)state;
    assert_string_equal(range("last-week", 2026, 12, 5), "error");
    assert_non_null(strstr(od_err(), "this-month"));
    assert_string_equal(range("", 2026, 12, 5), "error");
    assert_string_equal(range(NULL, 2026, 12, 5), "error");
    assert_string_equal(range("This-Month", 2026, 12, 5), "error");
    assert_string_equal(range("ytd", 2026, 2, 30), "error");
    struct od_day t;
    od_period_today(&t);
    assert_true(t.y >= 2000 && t.m >= 1 && t.m <= 12 && t.d >= 1 && t.d <= 31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_quarters),
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
