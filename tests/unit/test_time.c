/* test_time — core/base/time: the calendar, the date and timestamp grammar (leap years, dates
 * that do not exist, zones, fractions, out-of-range fields), formatting at the int64 edges,
 * and a sweep against the C library's timegm/gmtime_r as an independent oracle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/time.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static int date(const char *s, int64_t *d)
{
    return od_date_parse(s, strlen(s), d);
}

static int ts(const char *s, int64_t *us)
{
    return od_time_parse_us(s, strlen(s), us);
}

static int64_t ts_ok(const char *s)
{
    int64_t us = -42;
    if (ts(s, &us) != 0) fail_msg("'%s' should parse", s);
    return us;
}

static void ts_bad(const char *s)
{
    int64_t us = -42;
    if (ts(s, &us) != -1) fail_msg("'%s' should not parse", s);
    assert_int_equal(us, -42); /* untouched */
}

static void test_calendar(void **state)
{
    assert_int_equal(od_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(od_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(od_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(od_days_from_civil(1, 1, 1), -719162);
    for (int64_t z = -800000; z <= 3000000; z += 7) {
        int y, m, d;
        od_civil_from_days(z, &y, &m, &d);
        assert_true(od_date_valid(y, m, d));
        assert_int_equal(od_days_from_civil(y, m, d), z);
    }
    assert_int_equal(od_days_in_month(2024, 2), 29);
    assert_int_equal(od_days_in_month(2023, 2), 28);
    assert_int_equal(od_days_in_month(1900, 2), 28); /* divisible by 100 */
    assert_int_equal(od_days_in_month(2000, 2), 29); /* ... and by 400 */
    assert_int_equal(od_days_in_month(2026, 4), 30);
    assert_int_equal(od_days_in_month(2026, 12), 31);
}

static void test_dates(void **state)
{
    int64_t d = -42;
    assert_int_equal(date("2024-02-29", &d), 0);
    assert_int_equal(d, 19782);
    assert_int_equal(date("2000-02-29", &d), 0);
    assert_int_equal(date("0001-01-01", &d), 0);
    assert_int_equal(d, -719162);
    assert_int_equal(date("9999-12-31", &d), 0);
    assert_int_equal(d, 2932896);
    d = -42;
    static const char *const bad[] = {
        "2026-02-30",    "2023-02-29",           "1900-02-29", "2026-04-31", "2026-13-01",
        "2026-00-10",    "2026-01-00",           "2026-01-32", "0000-01-01", "2026-1-01",
        "2026-01-1",     "2026/01/01",           " 026-01-01", "+026-01-01", "-026-01-01",
        "2026-01-01x",   "2026-01-01T00:00:00Z", "",           "20260101",   "2026-0a-01",
        "２０２６-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (date(bad[i], &d) != -1) fail_msg("'%s' should not be a date", bad[i]);
    assert_int_equal(d, -42);
    /* the length is what counts: no NUL needed, nothing read past n */
    assert_int_equal(od_date_parse("2026-03-01garbage", 10, &d), 0);
    assert_int_equal(d, od_days_from_civil(2026, 3, 1));
    assert_int_equal(od_date_parse("2026-03-01", 9, &d), -1);
}

static void test_timestamps(void **state)
{
    const int64_t base = (od_days_from_civil(2026, 3, 1) * 86400 + 10 * 3600) * 1000000LL;
    assert_int_equal(ts_ok("2026-03-01T10:00:00Z"), base);
    assert_int_equal(ts_ok("2026-03-01 10:00:00Z"), base); /* PostgreSQL's separator */
    assert_int_equal(ts_ok("2026-03-01T12:00:00+02:00"), base);
    assert_int_equal(ts_ok("2026-03-01T04:30:00-05:30"), base);
    assert_int_equal(ts_ok("2026-03-01 12:00:00+02"), base); /* PostgreSQL text */
    assert_int_equal(ts_ok("2026-03-02T01:59:00+15:59"), base);
    assert_int_equal(ts_ok("2026-03-01T10:00:00+00:00"), base);
    assert_int_equal(ts_ok("2026-03-01T10:00:00-00:00"), base);
    /* fractions: up to 9 digits, rounded half up to the microsecond */
    assert_int_equal(ts_ok("2026-03-01T10:00:00.5Z"), base + 500000);
    assert_int_equal(ts_ok("2026-03-01T10:00:00.000001Z"), base + 1);
    assert_int_equal(ts_ok("2026-03-01T10:00:00.1234564Z"), base + 123456);
    assert_int_equal(ts_ok("2026-03-01T10:00:00.1234565Z"), base + 123457);
    assert_int_equal(ts_ok("2026-03-01T09:59:59.999999999Z"), base);
    assert_int_equal(ts_ok("2026-03-01T12:00:00.25+02:00"), base + 250000);
    /* a leap second reads as the start of the next second, like PostgreSQL */
    assert_int_equal(ts_ok("2026-03-01T09:59:60Z"), base);
    /* the edges of the calendar */
    assert_int_equal(ts_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(ts_ok("1969-12-31T23:59:59.999999Z"), -1);
    assert_int_equal(ts_ok("0001-01-01T00:00:00Z"), -62135596800LL * 1000000);
    assert_int_equal(ts_ok("9999-12-31T23:59:59.999999Z"), 253402300799999999LL);
    assert_int_equal(ts_ok("2024-02-29T23:59:59Z"), (19782LL * 86400 + 86399) * 1000000);

    static const char *const bad[] = {
        "2026-02-30T10:00:00Z",            /* no such day */
        "2023-02-29T10:00:00Z",            /* not a leap year */
        "2026-03-01T24:00:00Z",            /* hour */
        "2026-03-01T10:60:00Z",            /* minute */
        "2026-03-01T10:00:61Z",            /* second */
        "2026-03-01T10:00:00",             /* no zone */
        "2026-03-01T10:00:00z",            /* lower-case zone */
        "2026-03-01t10:00:00Z",            /* lower-case separator */
        "2026-03-01T10:00:00+16:00",       /* beyond PostgreSQL's offsets */
        "2026-03-01T10:00:00+02:60",       /* offset minute */
        "2026-03-01T10:00:00+0200",        /* basic-format offset */
        "2026-03-01T10:00:00+2",           /* one-digit offset */
        "2026-03-01T10:00:00+02:00Z",      /* two zones */
        "2026-03-01T10:00:00.Z",           /* empty fraction */
        "2026-03-01T10:00:00.1234567890Z", /* 10 fraction digits */
        "2026-03-01T10:00:00,5Z",          /* comma fraction */
        "2026-03-01T10:00:00Z ",           /* trailing space */
        "2026-03-01T1:00:00Z",             /* one-digit hour */
        "2026-03-01T10:00Z",               /* no seconds */
        "2026-03-01",                      /* a date alone */
        "",
        "0000-01-01T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ts_bad(bad[i]);
    int64_t us;
    assert_int_equal(od_time_parse_us("2026-03-01T10:00:00Zjunk", 20, &us), 0);
    assert_int_equal(us, base);
    assert_int_equal(od_time_parse_us("2026-03-01T10:00:00+02:00", 24, &us), -1);
}

static void test_ms(void **state)
{
    int64_t ms;
    assert_int_equal(od_time_parse_ms("2026-03-01T10:00:00.1239Z", 25, &ms), 0);
    assert_int_equal(ms % 1000, 123); /* rounded down to the millisecond */
    /* before the epoch: still down, toward the earlier millisecond */
    const char *s = "1969-12-31T23:59:59.9995Z";
    assert_int_equal(od_time_parse_ms(s, strlen(s), &ms), 0);
    assert_int_equal(ms, -1);
    assert_int_equal(od_time_parse_ms("nope", 4, &ms), -1);
}

static void test_format(void **state)
{
    char b[OD_TIME_BUF];
    od_time_format_ms(0, b, sizeof b);
    assert_string_equal(b, "1970-01-01T00:00:00.000Z");
    od_time_format_ms(-1, b, sizeof b);
    assert_string_equal(b, "1969-12-31T23:59:59.999Z");
    od_time_format_us(1772359200123456LL, b, sizeof b);
    assert_string_equal(b, "2026-03-01T10:00:00.123456Z");
    od_time_format_us(-1, b, sizeof b);
    assert_string_equal(b, "1969-12-31T23:59:59.999999Z");
    /* the int64 edges format without overflow (years far past 9999) */
    od_time_format_ms(INT64_MAX, b, sizeof b);
    assert_string_equal(b, "292278994-08-17T07:12:55.807Z");
    od_time_format_ms(INT64_MIN, b, sizeof b);
    assert_string_equal(b, "-292275055-05-16T16:47:04.192Z");
    od_time_format_us(INT64_MIN, b, sizeof b);
    assert_string_equal(b, "-290308-12-21T19:59:05.224192Z");
    /* a short buffer is cut, never overrun */
    char small[11];
    od_time_format_ms(0, small, sizeof small);
    assert_string_equal(small, "1970-01-01");
    char d[OD_DATE_BUF];
    od_date_format(19782, d, sizeof d);
    assert_string_equal(d, "2024-02-29");
    od_date_format(-719162, d, sizeof d);
    assert_string_equal(d, "0001-01-01");
}

/* Every format parses back to itself, and agrees with the C library over 1900-2200. */
static void test_round_trip_and_libc(void **state)
{
    char b[OD_TIME_BUF];
    for (int64_t us = -62135596800LL * 1000000; us < 253402300799LL * 1000000;
         us += 999999937LL * 3571) {
        int64_t back;
        od_time_format_us(us, b, sizeof b);
        assert_int_equal(od_time_parse_us(b, strlen(b), &back), 0);
        assert_int_equal(back, us);
    }
    for (int64_t t = -2208988800LL; t < 7258118400LL; t += 86399LL * 13 + 17) {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        char s[64];
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S+01:30", &tm);
        int64_t ms;
        assert_int_equal(od_time_parse_ms(s, strlen(s), &ms), 0);
        assert_int_equal(ms, (t - 5400) * 1000);
        struct tm back = tm;
        assert_int_equal((int64_t)timegm(&back), t);
        od_time_format_ms(t * 1000, b, sizeof b);
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
        assert_string_equal(b, s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar),   cmocka_unit_test(test_dates),
        cmocka_unit_test(test_timestamps), cmocka_unit_test(test_ms),
        cmocka_unit_test(test_format),     cmocka_unit_test(test_round_trip_and_libc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
