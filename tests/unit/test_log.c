/* test_log — JSON lines, thread names, redaction of secrets, control characters, rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return od_xstrdup("");
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        sb_addn(&sb, buf, n);
    fclose(f);
    return sb_detach(&sb);
}

static void check_redacted(const char *in, const char *secret, const char *keep)
{
    char *out = od_log_redact(in);
    if (strstr(out, secret)) fail_msg("secret '%s' survived in '%s'", secret, out);
    if (keep && !strstr(out, keep)) fail_msg("'%s' lost from '%s'", keep, out);
    free(out);
}

static void test_redaction(void **state)
{
    check_redacted("Authorization: Bearer abc.def-123", "abc.def-123", "Authorization: Bearer ");
    check_redacted("GET /x?access_token=zzz999&page=2", "zzz999", "page=2");
    check_redacted("{\"refresh_token\":\"rt-777\",\"expires_in\":1800}", "rt-777", "expires_in");
    check_redacted("{\"password\": \"hunter2\"}", "hunter2", "password");
    check_redacted("postgresql://user:pw123@db/x", "pw123", "user:REDACTED@db/x");
    check_redacted("host=db password=letmein dbname=x", "letmein", "dbname=x");
    check_redacted("client_secret=shh", "shh", NULL);
    char *same = od_log_redact("nothing secret here: 42 entries");
    assert_string_equal(same, "nothing secret here: 42 entries");
    free(same);
}

static void test_json_lines_and_rotation(void **state)
{
    char dir[] = "/tmp/opsdeck-log-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = od_xasprintf("%s/sub/opsdeck.log", dir);
    assert_int_equal(od_log_open(path, OD_LOG_INFO, 2048, 2), 0);
    od_log_set_thread("sync-7");
    od_log_debug("not written");
    od_log_info("hello \x1b[2J world \"quoted\" token=abc123");
    od_log_kv(OD_LOG_WARN, "request", "method", "GET", "status", "200", NULL);
    char *text = slurp(path);
    assert_null(strstr(text, "not written"));
    assert_null(strstr(text, "\x1b"));
    assert_null(strstr(text, "abc123"));
    assert_non_null(strstr(text, "\"thread\":\"sync-7\""));
    assert_non_null(strstr(text, "\"level\":\"warn\""));
    assert_non_null(strstr(text, "\"method\":\"GET\""));
    assert_non_null(strstr(text, "\\\"quoted\\\""));
    free(text);
    for (int i = 0; i < 200; i++)
        od_log_info("filler line %d with some text to pass the rotation size", i);
    od_log_close();
    char *r1 = od_xasprintf("%s.1", path), *r3 = od_xasprintf("%s.3", path);
    assert_int_equal(access(r1, F_OK), 0);
    assert_int_not_equal(access(r3, F_OK), 0); /* keep = 2 */
    uint64_t warns = 0, errors = 0;
    od_log_stats(&warns, &errors, NULL, 0);
    assert_true(warns >= 1);
    free(r1);
    free(r3);
    free(path);
    char *cmd = od_xasprintf("rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void test_unwritable_path(void **state)
{
    assert_int_equal(od_log_open("/proc/opsdeck-nope/x.log", OD_LOG_INFO, 0, 1), -1);
    assert_non_null(strstr(od_err(), "cannot open log file"));
}

static void test_error_cut_at_character(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 400; i++)
        sb_add(&sb, "é");
    od_seterr("%s", sb_str(&sb));
    const char *e = od_err();
    size_t n = strlen(e);
    assert_true(n < 512);
    assert_true(n % 2 == 0); /* whole two-byte characters only */
    sb_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_json_lines_and_rotation),
        cmocka_unit_test(test_unwritable_path),
        cmocka_unit_test(test_error_cut_at_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
