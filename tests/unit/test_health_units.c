/* test_health_units — health values in human units (core/ops/health_units.c) and the runbook
 * compiled into the binary (core/ops/health_runbook.c): every check of the table has a section
 * whose first line says what to do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/ops/health.h"
#include "core/ops/health_run.h"
#include "core/base/util.h"
#include <string.h>

static const char *fmt(const char *value, const char *unit)
{
    static char buf[64];
    od_health_format_value(value, unit, buf, sizeof buf);
    return buf;
}

static void test_bytes(void **state)
{
    assert_string_equal(fmt("0", "bytes"), "0 B");
    assert_string_equal(fmt("1023", "bytes"), "1023 B");
    assert_string_equal(fmt("1024", "bytes"), "1.0 KiB");
    assert_string_equal(fmt("26975591", "bytes"), "25.7 MiB");
    assert_string_equal(fmt("1073741824", "bytes"), "1.0 GiB");
    assert_string_equal(fmt("1610612736", "bytes"), "1.5 GiB");
    assert_string_equal(fmt("1048575", "bytes"), "1024.0 KiB"); /* just under 1 MiB stays KiB */
}

static void test_durations(void **state)
{
    assert_string_equal(fmt("0", "s"), "0 s");
    assert_string_equal(fmt("45", "s"), "45 s");
    assert_string_equal(fmt("60", "s"), "1 min");
    assert_string_equal(fmt("725", "s"), "12 min 5 s");
    assert_string_equal(fmt("4320", "s"), "1 h 12 min");
    assert_string_equal(fmt("7200", "s"), "2 h");
    assert_string_equal(fmt("108000", "s"), "1 d 6 h");
    assert_string_equal(fmt("-90", "s"), "-1 min 30 s");
}

static void test_others(void **state)
{
    assert_string_equal(fmt("0", "count"), "0");
    assert_string_equal(fmt("17", "count"), "17");
    assert_string_equal(fmt("12.345", "ms"), "12.3 ms");
    assert_string_equal(fmt("3", "ms"), "3.0 ms");
    assert_string_equal(fmt("1250", "ms"), "1.25 s");
    assert_string_equal(fmt("85", "%"), "85 %");
    assert_string_equal(fmt("", "bytes"), "");
    assert_string_equal(fmt("7", NULL), "7");
}

static void test_runbook_every_check(void **state)
{
    size_t nchecks;
    const struct od_health_check *checks = od_health_check_table(&nchecks);
    for (size_t i = 0; i < nchecks; i++) {
        const char *name = checks[i].name;
        const char *t = od_health_runbook(name);
        if (!t) fail_msg("no runbook section for %s", name);
        char line[512];
        od_health_runbook_line(name, line, sizeof line);
        assert_true(strlen(line) > 20);
        assert_null(strchr(line, '\n'));
    }
    assert_null(od_health_runbook("no:such"));
    assert_null(od_health_runbook(""));
    /* one heading may name several checks */
    assert_ptr_equal(od_health_runbook("harvest:token"), od_health_runbook("hubspot:token"));
    assert_non_null(strstr(od_health_runbook("harvest:token"), "401"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_others),
        cmocka_unit_test(test_runbook_every_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
