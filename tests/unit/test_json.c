/* test_json — core/base/json: strings decoded through core/base/sanitize's UTF-8 code (what
 * is refused, what is kept byte for byte), and the cJSON writing helpers (int64 exact beyond
 * 2^53, NULL as null, compact text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/json.h"
#include "core/base/sanitize.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The decoded value of the JSON string literal `lit`, or NULL when the parser refuses it. */
static char *decode(const char *lit)
{
    struct od_json *doc = od_json_parse(lit, strlen(lit));
    if (!doc) return NULL;
    const char *s = od_jv_string(od_json_root(doc));
    char *copy = s ? strdup(s) : NULL;
    od_json_free(doc);
    return copy;
}

static void expect(const char *lit, const char *want)
{
    char *got = decode(lit);
    if (!got) fail_msg("%s was refused", lit);
    assert_string_equal(got, want);
    free(got);
}

static void refused(const char *lit)
{
    char *got = decode(lit);
    if (got) fail_msg("%s was accepted as '%s'", lit, got);
}

static void test_strings_utf8(void **state)
{
    expect("\"plain\"", "plain");
    expect("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
           "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    expect("\"\\u00e9\\u20ac\\ud83d\\ude00\"", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    expect("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
           "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
    expect("\"\xef\xbf\xbd\"", "\xef\xbf\xbd"); /* a literal U+FFFD is valid text */
    refused("\"\xc0\xaf\"");                    /* overlong '/' */
    refused("\"\xe0\x80\xaf\"");                /* overlong, 3 bytes */
    refused("\"\xed\xa0\x80\"");                /* a surrogate as UTF-8 */
    refused("\"\xf4\x90\x80\x80\"");            /* past U+10FFFF */
    refused("\"\xc3\"");                        /* cut short */
    refused("\"\x80\"");                        /* a lone continuation byte */
    refused("\"\xfe\"");
    refused("\"\\ud83d\"");   /* unpaired high surrogate */
    refused("\"\\ude00\"");   /* unpaired low surrogate */
    refused("\"\\u0000\"");   /* NUL */
    refused("\"tab\there\""); /* raw control character */
}

static void test_utf8_valid(void **state)
{
    const unsigned char ok4[] = {0xf0, 0x9f, 0x98, 0x80}, bad[] = {0xc0, 0xaf};
    assert_int_equal(od_utf8_valid(ok4, 4), 4);
    assert_int_equal(od_utf8_valid(ok4, 3), 0); /* not all bytes available */
    assert_int_equal(od_utf8_valid(bad, 2), 0);
    assert_int_equal(od_utf8_valid((const unsigned char *)"A", 1), 1);
    assert_int_equal(od_utf8_valid((const unsigned char *)"\xef\xbf\xbd", 3), 3);
}

static void test_write(void **state)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "big", 9007199254740993LL); /* 2^53 + 1: a double would say ...992 */
    od_json_add_i64(o, "max", INT64_MAX);
    od_json_add_i64(o, "min", INT64_MIN);
    od_json_add_str(o, "none", NULL);
    od_json_add_str(o, "text", "a\"b\\c\n\x01");
    char *s = od_json_print(o);
    assert_string_equal(s, "{\"big\":9007199254740993,\"max\":9223372036854775807,"
                           "\"min\":-9223372036854775808,\"none\":null,"
                           "\"text\":\"a\\\"b\\\\c\\n\\u0001\"}");
    /* and our own parser reads the digits back exactly */
    struct od_json *doc = od_json_parse(s, strlen(s));
    assert_non_null(doc);
    assert_string_equal(od_jv_number(od_jv_get(od_json_root(doc), "big")), "9007199254740993");
    assert_true(od_jv_is_null(od_jv_get(od_json_root(doc), "none")));
    od_json_free(doc);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_utf8),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
