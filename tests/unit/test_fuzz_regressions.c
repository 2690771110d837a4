/* test_fuzz_regressions — every crash the fuzzers (tests/fuzz/) found, fed through the entry
 * point the harness used, with what a person would see once fixed. The crashing inputs also
 * sit in tests/fuzz/seeds/<harness>/regression_*, so every fuzzing run replays them first.
 * docs/fuzzing.md keeps the list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/connectors/harvest_parse.h"
#include "core/connectors/hubspot_parse.h"
#include "core/connectors/store.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one dead-letter reason of a page (asserts there is exactly one bad record). */
static char *hubspot_reason(const char *res_name, const char *body)
{
    const struct od_resource *res = od_hubspot_resource(res_name);
    struct od_hubspot_page pg;
    assert_int_equal(od_hubspot_page_parse(res, body, strlen(body), &pg), 0);
    struct od_batch b;
    od_batch_init(&b, res);
    od_batch_add_page(&b, pg.doc, pg.records);
    assert_int_equal(b.ndead, 1);
    char *reason = od_xstrdup(b.dead[0].reason);
    od_batch_release(&b);
    od_hubspot_page_release(&pg);
    return reason;
}

static char *harvest_reason(const char *res_name, const char *body)
{
    const struct od_resource *res = od_harvest_resource(res_name);
    struct od_harvest_page pg;
    assert_int_equal(od_harvest_page_parse(res, body, strlen(body), &pg), 0);
    struct od_batch b;
    od_batch_init(&b, res);
    od_batch_add_page(&b, pg.doc, pg.records);
    assert_int_equal(b.ndead, 1);
    char *reason = od_xstrdup(b.dead[0].reason);
    od_batch_release(&b);
    od_harvest_page_release(&pg);
    return reason;
}

static bool valid_utf8(const char *s)
{
    for (size_t i = 0, n = strlen(s); i < n;) {
        uint32_t cp;
        size_t len = od_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (cp == 0xFFFD && len == 1) return false;
        i += len;
    }
    return true;
}

/* fuzz_hubspot_page: a bad value quoted in a dead-letter reason was cut at 40 bytes, inside a
 * UTF-8 character; PostgreSQL refuses such text, so the page's transaction failed on every
 * retry and the sync stopped there. Fixed in core/connectors/fields.c bad(). */
static void test_dead_letter_reason_cut_between_characters(void **state)
{
    /* the fuzzer's input, minimized */
    char *r =
        hubspot_reason("deals", "{\"results\":[{\"id\":\"8\",\"properties\":{\"amount\":\"e9}}]}"
                                "archiedu00e9e9u00e9u90e9e9e90e0e9\\u00e9\"}}]}");
    assert_true(valid_utf8(r));
    assert_string_equal(r, "properties.amount: \"e9}}]}archiedu00e9e9u00e9u90e9e9e90e0e9\" is "
                           "not a number");
    free(r);
    /* the same through a Harvest time entry: 39 ASCII bytes, then a 2-byte character */
    r = harvest_reason(
        "time_entries",
        "{\"time_entries\":[{\"id\":1,\"spent_date\":\"2024-01-02\",\"user\":{\"id\":"
        "2},\"client\":{\"id\":3},\"project\":{\"id\":4},\"hours\":"
        "\"about two and a half hours, maybe a bit\u00e9\"}]}");
    assert_true(valid_utf8(r));
    assert_string_equal(r, "hours: \"about two and a half hours, maybe a bit\" is not a number");
    free(r);
    /* a 4-byte character straddling the cut, and a value that fits stays whole */
    r = hubspot_reason("deals", "{\"results\":[{\"id\":\"9\",\"properties\":{\"amount\":"
                                "\"12345678901234567890123456789012345678\xf0\x9f\x92\xb6\"}}]}");
    assert_string_equal(r, "properties.amount: \"12345678901234567890123456789012345678\" is "
                           "not a number");
    free(r);
    r = hubspot_reason("deals", "{\"results\":[{\"id\":\"9\",\"properties\":{\"amount\":"
                                "\"\xe2\x82\xac 12\"}}]}");
    assert_string_equal(r, "properties.amount: \"\xe2\x82\xac 12\" is not a number");
    free(r);
}

/* fuzz_hubspot_page (its jsonb invariant): a number PostgreSQL's numeric cannot hold (more
 * than 131072 digits before the point or 16383 after, e.g. 1e999999 or 1e-16384) inside
 * "properties" went into the jsonb column; the COPY of the whole page failed on every retry.
 * Fixed in core/connectors/fields.c jsonb_storable(): the record becomes a dead letter. */
static void test_jsonb_number_out_of_range(void **state)
{
    /* two PostgreSQL refuses; the third it would take, but the check is simpler than numeric's */
    static const char *const bad[] = {"1e999999", "1e-16384", "-2.5E+1001"};
    for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++) {
        char *body =
            od_xasprintf("{\"results\":[{\"id\":\"1\",\"updatedAt\":\"2024-01-01T00:00:00Z\","
                         "\"properties\":{\"name\":\"x\",\"n\":[%s]}}]}",
                         bad[i]);
        char *r = hubspot_reason("companies", body);
        assert_string_equal(r, "properties: holds a number out of range");
        free(r);
        free(body);
    }
    /* ordinary numbers stay in the row */
    const char *ok = "{\"results\":[{\"id\":\"1\",\"updatedAt\":\"2024-01-01T00:00:00Z\","
                     "\"properties\":{\"n\":1.5e300,\"m\":-0.000001}}]}";
    const struct od_resource *res = od_hubspot_resource("companies");
    struct od_hubspot_page pg;
    assert_int_equal(od_hubspot_page_parse(res, ok, strlen(ok), &pg), 0);
    struct od_batch b;
    od_batch_init(&b, res);
    od_batch_add_page(&b, pg.doc, pg.records);
    assert_int_equal(b.rows, 1);
    assert_int_equal(b.ndead, 0);
    assert_non_null(strstr(sb_str(&b.copy), "{\"n\":1.5e300,\"m\":-0.000001}"));
    od_batch_release(&b);
    od_hubspot_page_release(&pg);
}

static char *write_tmp(const char *text)
{
    char *path = od_xstrdup("/tmp/opsdeck-fuzzreg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static char *printout(const struct od_config *cfg)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    od_config_print(cfg, f);
    fclose(f);
    return out;
}

/* fuzz_config: a [keys] line with no action name (`= x`) was accepted; `opsdeck config --show`
 * printed it as " = x", which INI reads as a continuation of the entry above, so loading the
 * printout changed another binding (help = "= x"). Fixed in core/base/config.c od_config_set. */
static void test_config_keys_entry_without_action(void **state)
{
    unsetenv("OPSDECK_CONFIG");
    char *path = write_tmp("[log]\nlevel = debug\n[keys]\nhelp = ?\n= x\n");
    struct od_config cfg;
    assert_int_equal(od_config_load(&cfg, path, NULL), -1);
    assert_non_null(strstr(od_err(), ":5: [keys] entry without an action name"));
    od_config_release(&cfg);
    unlink(path);
    free(path);

    /* a well-formed [keys] section still prints as a file that loads back the same */
    path = write_tmp("[keys]\nhelp = ?\nquit = q\n");
    assert_int_equal(od_config_load(&cfg, path, NULL), 0);
    char *first = printout(&cfg);
    od_config_release(&cfg);
    unlink(path);
    free(path);
    path = write_tmp(first);
    assert_int_equal(od_config_load(&cfg, path, NULL), 0);
    char *second = printout(&cfg);
    od_config_release(&cfg);
    assert_string_equal(first, second);
    assert_non_null(strstr(second, "[keys]\nhelp = ?\nquit = q\n"));
    unlink(path);
    free(path);
    free(first);
    free(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dead_letter_reason_cut_between_characters),
        cmocka_unit_test(test_jsonb_number_out_of_range),
        cmocka_unit_test(test_config_keys_entry_without_action),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
