/* test_money — exact fixed-point parse/format: JSON number tokens and HubSpot strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/money.h"
#include "core/base/util.h"
#include <string.h>

static int64_t p2(const char *s)
{
    int64_t v = 0;
    assert_int_equal(od_fixed_parse(s, 2, &v), 0);
    return v;
}

static void test_parse(void **state)
{
    assert_int_equal(p2("123.45"), 12345);
    assert_int_equal(p2("0"), 0);
    assert_int_equal(p2("-0"), 0);
    assert_int_equal(p2("100"), 10000);
    assert_int_equal(p2("100.0"), 10000);
    assert_int_equal(p2("2.11"), 211);
    assert_int_equal(p2("0.05"), 5);
    assert_int_equal(p2("-12.3"), -1230);
    assert_int_equal(p2("1500.00"), 150000);
    assert_int_equal(p2("+7.5"), 750);
    assert_int_equal(p2("1.5e2"), 15000);
    assert_int_equal(p2("15E-1"), 150);
    assert_int_equal(p2("0.1"), 10); /* exact: no 0.1000000000000000055 */
    assert_int_equal(p2("0007.10"), 710);
    assert_int_equal(p2("92233720368547758.07"), INT64_MAX);
    assert_int_equal(p2("-92233720368547758.08"), INT64_MIN);
}

static void test_rounding_like_postgres(void **state)
{
    assert_int_equal(p2("2.125"), 213); /* half away from zero, as numeric(_, 2) */
    assert_int_equal(p2("2.124999"), 212);
    assert_int_equal(p2("-2.125"), -213);
    assert_int_equal(p2("0.004"), 0);
    assert_int_equal(p2("0.005"), 1);
    assert_int_equal(p2("1e-9"), 0);
    assert_int_equal(p2("9.999"), 1000);
}

static void test_reject(void **state)
{
    const char *bad[] = {"",     "-",   ".",    "abc",  "1.2.3", "1,5",      " 1",
                         "1 ",   "1e",  "1e+",  "0x10", "NaN",   "Infinity", "92233720368547758.08",
                         "1e30", "--1", "1.5.", "e5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t v;
        assert_int_equal(od_fixed_parse(bad[i], 2, &v), -1);
        assert_true(strlen(od_err()) > 0);
    }
    int64_t v;
    assert_int_equal(od_fixed_parse(NULL, 2, &v), -1);
    assert_int_equal(od_fixed_parse("1", 12, &v), -1);
}

static void test_format_roundtrip(void **state)
{
    char buf[OD_FIXED_BUF];
    od_money_format(12345, buf, sizeof buf);
    assert_string_equal(buf, "123.45");
    od_money_format(-5, buf, sizeof buf);
    assert_string_equal(buf, "-0.05");
    od_money_format(0, buf, sizeof buf);
    assert_string_equal(buf, "0.00");
    od_fixed_format(INT64_MIN, 2, buf, sizeof buf);
    assert_string_equal(buf, "-92233720368547758.08");
    od_fixed_format(7, 0, buf, sizeof buf);
    assert_string_equal(buf, "7");
    od_fixed_format(123456, 4, buf, sizeof buf);
    assert_string_equal(buf, "12.3456");
    const char *texts[] = {"0.01", "1.00", "99999999.99", "-1234.56", "25000.00"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        int64_t v = p2(texts[i]);
        od_money_format(v, buf, sizeof buf);
        assert_string_equal(buf, texts[i]);
    }
}

static void test_mul(void **state)
{
    int64_t out;
    /* 2.25 h x 100.00/h = 225.0000 at scale 4 */
    assert_int_equal(od_fixed_mul(p2("2.25"), p2("100.00"), &out), 0);
    assert_int_equal(out, 2250000);
    assert_int_equal(od_fixed_mul(INT64_MAX, 2, &out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),  cmocka_unit_test(test_rounding_like_postgres),
        cmocka_unit_test(test_reject), cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_mul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
