/* Unit tests for the console screens without a terminal or database: the login gate (every
 * screen shows the Email/Password form until a session exists, keys go to the form, the
 * password is masked, C-c still quits, write actions are not refused before login), and the
 * text helpers that put bars, sparklines and ages into table cells. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "screens/common.h"
#include "screens/login.h"
#include "screens/sync.h"
#include "tui/app.h"
#include "tests/lib/tuitest.h"

static void test_login_gate(void **state)
{
    struct scr_ctx c;
    scr_ctx_init(&c);
    scr_gate_set(&c, &login_gate_class, login_new(&c)); /* as screens_new does */
    struct tui_app_options o = {.theme = "default"};
    c.app = tui_app_new(&o);
    assert_non_null(c.app);
    struct sync_screen *s = sync_screen_new(&c);
    tui_app_add_screen(c.app, &sync_screen_class, s);
    tui_app_set_allow(c.app, scr_allow, &c);
    scr_update_title(&c);
    struct tui_grid g;
    tui_grid_init(&g, 80, 24);
    tui_app_render(c.app, &g);
    const char *txt = tuitest_text(&g);
    assert_non_null(strstr(txt, "Email"));
    assert_non_null(strstr(txt, "Password"));
    assert_non_null(strstr(txt, "log in"));
    assert_null(strstr(txt, "Resource")); /* the jobs table is not shown yet */

    /* letters bound to actions (n = sync.start, q = quit) are typed into the email */
    const char *email = "nq@x.io";
    for (const char *p = email; *p; p++)
        assert_int_equal(tui_app_feed_key(c.app, *p) & TUI_QUIT, 0);
    tui_app_feed_key(c.app, TUI_KEY_TAB);
    for (const char *p = "secret"; *p; p++)
        tui_app_feed_key(c.app, *p);
    tui_app_render(c.app, &g);
    txt = tuitest_text(&g);
    assert_non_null(strstr(txt, "nq@x.io"));
    assert_null(strstr(txt, "secret")); /* masked */
    assert_non_null(strstr(txt, "••••••"));
    assert_null(strstr(txt, "not permitted")); /* no refusals before login */
    assert_true(tui_app_feed_key(c.app, TUI_KEY_CTRL('c')) & TUI_QUIT);

    tui_grid_release(&g);
    tui_app_free(c.app);
    sync_screen_free(s);
    scr_ctx_release(&c);
}

static void test_text_helpers(void **state)
{
    char buf[256];
    scr_bar(buf, sizeof buf, 5, 10, 10);
    assert_string_equal(buf, "█████     ");
    scr_bar(buf, sizeof buf, 0, 0, 4); /* unknown total: empty bar */
    assert_string_equal(buf, "    ");
    scr_bar(buf, sizeof buf, 99, 10, 3); /* clamped */
    assert_string_equal(buf, "███");
    int64_t v[] = {0, 7, 14};
    scr_spark(buf, sizeof buf, v, 3, 10);
    assert_string_equal(buf, "▁▄█");
    scr_spark(buf, sizeof buf, v, 3, 2); /* only the last w values */
    assert_string_equal(buf, "▁█");
    int64_t flat[] = {0, 0};
    scr_spark(buf, sizeof buf, flat, 2, 5);
    assert_string_equal(buf, "▁▁");
    assert_int_equal(scr_parse_time("1970-01-01T00:01:40Z"), 100000);
    assert_int_equal(scr_parse_time("1970-01-01 02:00:00+02"), 0);
    assert_int_equal(scr_parse_time(""), 0);
    scr_age(buf, sizeof buf, "");
    assert_string_equal(buf, "");
    scr_age(buf, sizeof buf, "2000-01-01T00:00:00Z");
    assert_non_null(strchr(buf, 'd'));
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_gate),
        cmocka_unit_test(test_text_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
