/* test_period — the ranges a person types (core/domain/period.h): each named period on
 * ordinary days and at the edges (1 January, the last day of a quarter, a leap day), the
 * FROM..TO forms, and what is refused (reversed, impossible dates, unknown names) without
 * touching the previous range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/domain/period.h"
#include "core/domain/profit_range.h"

/* noon local time of a day (TZ is UTC in this test, but noon keeps it safe anyway) */
static time_t day(int y, int m, int d)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    tm.tm_isdst = -1;
    return mktime(&tm);
}

static void check(const char *name, time_t now, const char *want_from, const char *want_to)
{
    char from[11] = "x", to[11] = "x";
    assert_int_equal(od_profit_period_resolve(name, now, from, to), 0);
    assert_string_equal(from, want_from);
    assert_string_equal(to, want_to);
}

static void test_periods(void **state)
{
    time_t t = day(2026, 5, 14);
    check("this-month", t, "2026-05-01", "2026-05-31");
    check("last-month", t, "2026-04-01", "2026-04-30");
    check("this-quarter", t, "2026-04-01", "2026-06-30");
    check("last-quarter", t, "2026-01-01", "2026-03-31");
    check("ytd", t, "2026-01-01", "2026-05-14");
    check("last-30d", t, "2026-04-15", "2026-05-14"); /* 30 days, both ends inclusive */
    check("all", t, "", "");
}

static void test_period_edges(void **state)
{
    time_t jan1 = day(2026, 1, 1);
    check("last-month", jan1, "2025-12-01", "2025-12-31");
    check("last-quarter", jan1, "2025-10-01", "2025-12-31");
    check("this-quarter", jan1, "2026-01-01", "2026-03-31");
    check("ytd", jan1, "2026-01-01", "2026-01-01");
    check("last-30d", jan1, "2025-12-03", "2026-01-01");
    time_t leap = day(2024, 3, 1);
    check("last-month", leap, "2024-02-01", "2024-02-29");
    check("last-30d", leap, "2024-02-01", "2024-03-01"); /* 29 days in February */
    check("this-quarter", day(2026, 12, 31), "2026-10-01", "2026-12-31");
    check("last-quarter", day(2026, 10, 1), "2026-07-01", "2026-09-30");
    check("this-month", day(2026, 2, 28), "2026-02-01", "2026-02-28");
    check("this-month", day(2028, 2, 29), "2028-02-01", "2028-02-29");
    check("last-month", day(2026, 1, 31), "2025-12-01", "2025-12-31");
    check("last-month", day(2024, 3, 31), "2024-02-01", "2024-02-29");
    check("this-quarter", day(2026, 4, 1), "2026-04-01", "2026-06-30");
    check("this-quarter", day(2026, 3, 31), "2026-01-01", "2026-03-31");
    check("last-quarter", day(2026, 7, 1), "2026-04-01", "2026-06-30");
    check("last-quarter", day(2026, 12, 5), "2026-07-01", "2026-09-30");
    check("ytd", day(2026, 12, 5), "2026-01-01", "2026-12-05");
    check("last-30d", day(2026, 12, 5), "2026-11-06", "2026-12-05");
    check("last-30d", day(2026, 1, 10), "2025-12-12", "2026-01-10"); /* across the year */
}

static void test_unknown_period(void **state)
{
    char from[11] = "2026-01-01", to[11] = "2026-01-31";
    assert_int_equal(od_profit_period_resolve("last-week", day(2026, 5, 14), from, to), -1);
    assert_non_null(strstr(od_err(), "unknown period 'last-week'"));
    assert_non_null(strstr(od_err(), "last-30d"));
    assert_string_equal(from, "2026-01-01"); /* untouched */
    assert_string_equal(to, "2026-01-31");
    const char *bad[] = {"", "This-Month", "last-30", "ytd ", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(od_profit_period_resolve(bad[i], day(2026, 5, 14), from, to), -1);
    assert_int_equal(od_profit_period_resolve(NULL, day(2026, 5, 14), from, to), -1);
    assert_string_equal(from, "2026-01-01");
}

static void range_ok(const char *spec, const char *want_from, const char *want_to)
{
    char from[11] = "x", to[11] = "x";
    assert_int_equal(od_profit_range_parse(spec, day(2026, 5, 14), from, to), 0);
    assert_string_equal(from, want_from);
    assert_string_equal(to, want_to);
}

static void range_refused(const char *spec, const char *msg)
{
    char from[11] = "2025-01-01", to[11] = "2025-12-31";
    assert_int_equal(od_profit_range_parse(spec, day(2026, 5, 14), from, to), -1);
    if (!strstr(od_err(), msg)) fail_msg("'%s': error '%s' lacks '%s'", spec, od_err(), msg);
    assert_string_equal(from, "2025-01-01"); /* nothing changes */
    assert_string_equal(to, "2025-12-31");
}

static void test_ranges(void **state)
{
    range_ok("2026-01..2026-06", "2026-01-01", "2026-06-30");
    range_ok("2026-01-15..2026-02-10", "2026-01-15", "2026-02-10");
    range_ok("2026-03", "2026-03-01", "2026-03-31");
    range_ok("2024-02", "2024-02-01", "2024-02-29");
    range_ok("2026-03-05", "2026-03-05", "2026-03-05");
    range_ok("2026-03-05..2026-03-05", "2026-03-05", "2026-03-05"); /* one day */
    range_ok("2026-01..", "2026-01-01", "");
    range_ok("..2026-06", "", "2026-06-30");
    range_ok("all", "", "");
    range_ok("", "", "");
    range_ok(NULL, "", "");
    range_ok("last-month", "2026-04-01", "2026-04-30");
}

static void test_ranges_refused(void **state)
{
    range_refused("2026-06..2026-01", "the range starts (2026-06-01) after it ends (2026-01-31)");
    range_refused("2026-03-02..2026-03-01", "starts (2026-03-02) after it ends (2026-03-01)");
    range_refused("2026-02-30", "is not a date");
    range_refused("2026-13", "is not a month");
    range_refused("2026-01..2026-02-30", "'2026-02-30' is not a date");
    range_refused("2026-00-10..2026-03", "is not a date");
    range_refused("yesterday", "'yesterday' is not a date");
    range_refused("..", "needs a date");
    range_refused("2026-01..2026-03..2026-05", "is not a date");
    range_refused("2026-01-01xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..2026-02", "is not a date");
}

static void check_dekads(const char *lo, const char *hi, const char *want1, const char *want2)
{
    char d1[11] = "x", d2[11] = "x";
    od_profit_edge_dekads(lo, hi, d1, d2);
    assert_string_equal(d1, want1);
    assert_string_equal(d2, want2);
}

/* A report's range split into whole months and edges (od_profit_range_split), and an edge into
 * whole dekads and the days left at its ends (od_profit_edge_dekads). */
static void test_range_split(void **state)
{
    (void)state;
    char p[6][11];
    int sign[2];
    od_profit_range_split("2026-01-15", "2026-03-10", p, sign);
    const char *want[6] = {"2026-01-01", "2026-03-01", "2026-01-01",
                           "2026-01-15", "2026-03-01", "2026-03-11"};
    for (int i = 0; i < 6; i++)
        assert_string_equal(p[i], want[i]);
    assert_int_equal(sign[0], -1); /* January minus its first 14 days */
    assert_int_equal(sign[1], 1);  /* plus 1-10 March */
    od_profit_range_split("2026-11-01", "2026-11-19", p, sign); /* the month to the 19th */
    assert_string_equal(p[0], "2026-11-01");
    assert_string_equal(p[1], "2026-12-01");
    assert_string_equal(p[4], "2026-11-20");
    assert_string_equal(p[5], "2026-12-01");
    assert_int_equal(sign[1], -1);
    check_dekads("2026-01-01", "2026-01-15", "2026-01-01", "2026-01-11"); /* + 11th..14th */
    check_dekads("2026-03-01", "2026-03-11", "2026-03-01", "2026-03-11"); /* one dekad */
    check_dekads("2026-11-20", "2026-12-01", "2026-11-21", "2026-12-01"); /* the 20th + 21-30 */
    check_dekads("2026-02-11", "2026-03-01", "2026-02-11", "2026-03-01"); /* to February's end */
    check_dekads("2026-02-05", "2026-02-09", "2026-02-09", "2026-02-09"); /* no whole dekad */
    check_dekads("2026-02-12", "2026-02-21", "2026-02-21", "2026-02-21");
    check_dekads("2026-01-31", "2026-02-01", "2026-02-01", "2026-02-01"); /* the 31st alone */
    check_dekads("", "", "", "");
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),        cmocka_unit_test(test_period_edges),
        cmocka_unit_test(test_unknown_period), cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_ranges_refused), cmocka_unit_test(test_range_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
