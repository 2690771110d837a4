/* test_screens_text — the screens' text helpers as a person reads them: thousands separators
 * on exact decimals (never through a float: the digits stay the digits), and sparklines with
 * a blank cell for a month without data, so rows showing the same months line up. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "screens/common.h"

static const char *th(const char *num, const char *suffix)
{
    static char out[96];
    scr_thousands(out, sizeof out, num, suffix);
    return out;
}

static void test_thousands(void **state)
{
    assert_string_equal(th("0.00", ""), "0.00");
    assert_string_equal(th("999.99", ""), "999.99");
    assert_string_equal(th("1000.00", ""), "1,000.00");
    assert_string_equal(th("-1234567.50", ""), "-1,234,567.50");
    assert_string_equal(th("123456", ""), "123,456");
    assert_string_equal(th("92233720368547758.07", ""), "92,233,720,368,547,758.07");
    assert_string_equal(th("12.50", " %"), "12.50 %");
    assert_string_equal(th("-1234.00", " %"), "-1,234.00 %");
    assert_string_equal(th("120.00", " h"), "120.00 h");
    /* not a plain decimal: shown as it is */
    assert_string_equal(th("", ""), "");
    assert_string_equal(th("1e5", ""), "1e5");
    assert_string_equal(th("n/a", " %"), "n/a %");
    assert_string_equal(th("12.5x", ""), "12.5x");
}

static void test_spark_gaps(void **state)
{
    char out[64];
    const int64_t v[] = {0, 70, 999, 35};
    const bool has[] = {true, true, false, true};
    scr_spark_gaps(out, sizeof out, v, has, 4); /* "C" locale: ASCII levels */
    assert_string_equal(out, "_# ~");
    const bool none[] = {false, false, false};
    scr_spark_gaps(out, sizeof out, v, none, 3);
    assert_string_equal(out, "   "); /* a row with no month in the window: blanks, same width */
    const int64_t neg[] = {-500, -100};
    const bool both[] = {true, true};
    scr_spark_gaps(out, sizeof out, neg, both, 2); /* scaled over the values present */
    assert_string_equal(out, "_#");
}

int main(void)
{
    setlocale(LC_ALL, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thousands),
        cmocka_unit_test(test_spark_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
