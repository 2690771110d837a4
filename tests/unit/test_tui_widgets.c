/* Unit tests: the small widgets as they appear on screen — progress bars at 0/50/100 %,
 * eighth blocks, sparkline glyphs, bar charts, toasts expiring (errors staying), form fields
 * (masked, UTF-8, Tab/Enter/submit), the line editor, and the yes/no dialog defaulting to No. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "tui/confirm.h"
#include "tui/form.h"
#include "tui/grid.h"
#include "tui/meter.h"
#include "tui/toast.h"
#include "tests/lib/tuitest.h"

static void test_progress(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 15, 4);
    tui_meter_progress(&g, 0, 0, 15, 0, 10);
    tui_meter_progress(&g, 0, 1, 15, 5, 10);
    tui_meter_progress(&g, 0, 2, 15, 10, 10);
    tui_meter_bar(&g, 0, 3, 4, 9, 32); /* 9/32 of 4 cells = 1 1/8 cells */
    assert_string_equal(tuitest_line(&g, 0), "░░░░░░░░░░   0%");
    assert_string_equal(tuitest_line(&g, 1), "█████░░░░░  50%");
    assert_string_equal(tuitest_line(&g, 2), "██████████ 100%");
    assert_string_equal(tuitest_line(&g, 3), "█▏░░");
    assert_int_equal(tui_grid_at(&g, 0, 1)->role, TUI_ROLE_BAR_FILL);
    assert_int_equal(tui_grid_at(&g, 9, 1)->role, TUI_ROLE_BAR_EMPTY);
    tui_meter_progress(&g, 0, 1, 15, 20, 10); /* over 100 % is clamped */
    assert_string_equal(tuitest_line(&g, 1), "██████████ 100%");
    g.ascii = true;
    tui_meter_progress(&g, 0, 1, 15, 5, 10);
    assert_string_equal(tuitest_line(&g, 1), "#####.....  50%");
    tui_grid_release(&g);
}

static void test_sparkline_and_chart(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 30, 4);
    const int64_t v[] = {99, 0, 1, 2, 3, 4, 5, 6, 7};
    tui_meter_spark(&g, 0, 0, 8, v, 9); /* the last 8 samples */
    assert_string_equal(tuitest_line(&g, 0), "▁▂▃▄▅▆▇█");
    assert_int_equal(tui_grid_at(&g, 0, 0)->role, TUI_ROLE_SPARK);
    const int64_t flat[] = {0, 0, 0};
    tui_meter_spark(&g, 0, 1, 3, flat, 3);
    assert_string_equal(tuitest_line(&g, 1), "▁▁▁");
    g.ascii = true;
    tui_meter_spark(&g, 0, 1, 8, v + 1, 8);
    assert_string_equal(tuitest_line(&g, 1), "_.-~=+*#");
    g.ascii = false;
    const char *labels[] = {"Acme", "Beta"};
    const int64_t vals[] = {100, 50};
    const char *texts[] = {"1.00", "0.50"};
    tui_meter_chart(&g, (struct tui_rect){0, 2, 20, 2}, labels, vals, texts, 2);
    assert_string_equal(tuitest_line(&g, 2), "Acme ██████████ 1.00");
    assert_string_equal(tuitest_line(&g, 3), "Beta █████      0.50");
    tui_grid_release(&g);
}

static void test_toasts(void **state)
{
    struct tui_toasts q = {0};
    struct tui_grid g;
    tui_grid_init(&g, 40, 1);
    tui_toast_push(&q, TUI_TOAST_ERROR, 1000, "database unreachable");
    tui_toast_push(&q, TUI_TOAST_INFO, 1000, "theme dark");
    assert_true(tui_toast_draw(&q, &g, 0, 0, 40));
    assert_string_equal(tuitest_line(&g, 0), "theme dark                          (+1)");
    assert_int_equal(tui_toast_next_expiry(&q), 5000);
    assert_false(tui_toast_expire(&q, 4999));
    assert_true(tui_toast_expire(&q, 5000));             /* info gone after 4 s */
    assert_true(tui_toast_expire(&q, 1000000) == false); /* the error stays */
    tui_toast_draw(&q, &g, 0, 0, 40);
    assert_string_equal(tuitest_line(&g, 0), "error: database unreachable  [Esc]");
    assert_int_equal(tui_grid_at(&g, 0, 0)->role, TUI_ROLE_TOAST_ERROR);
    assert_true(tui_toast_dismiss(&q));
    assert_false(tui_toast_draw(&q, &g, 0, 0, 40));
    assert_string_equal(tui_toast_logged(&q, 0)->text, "theme dark"); /* :messages keeps them */
    assert_string_equal(tui_toast_logged(&q, 1)->text, "database unreachable");
    assert_null(tui_toast_logged(&q, 2));
    tui_toasts_release(&q);
    tui_grid_release(&g);
}

static unsigned type(struct tui_form *f, const char *s)
{
    unsigned r = 0;
    for (const char *p = s; *p;) {
        uint32_t cp = (unsigned char)*p;
        int n = 1;
        if (cp >= 0xc0) { /* the tests only type 2-byte UTF-8 */
            cp = (cp & 0x1f) << 6 | ((unsigned char)p[1] & 0x3f);
            n = 2;
        }
        struct tui_key k = {(int)cp, NULL};
        r |= tui_form_key(f, &k);
        p += n;
    }
    return r;
}

static void test_form(void **state)
{
    static const struct tui_field_spec specs[] = {{"Username", false}, {"Password", true}};
    struct tui_form f;
    struct tui_grid g;
    tui_form_init(&f, specs, 2);
    tui_grid_init(&g, 40, 5);
    type(&f, "zoë");
    struct tui_key k = {TUI_KEY_BACKSPACE, "back"};
    tui_form_key(&f, &k);
    type(&f, "é q"); /* 'q' is typed, not quit */
    assert_string_equal(tui_form_value(&f, 0), "zoé q");
    k = (struct tui_key){TUI_KEY_ENTER, "enter"};
    assert_false(tui_form_key(&f, &k) & TUI_SUBMIT); /* Enter moves to the next field */
    assert_int_equal(f.focus, 1);
    type(&f, "sécret");
    tui_form_set_message(&f, TUI_ROLE_FAIL, "invalid username or password");
    tui_form_draw(&f, &g, (struct tui_rect){0, 0, 40, 5});
    assert_string_equal(tuitest_line(&g, 0), "Username  zoé q");
    assert_string_equal(tuitest_line(&g, 2), "Password  ••••••");
    assert_string_equal(tuitest_line(&g, 4), "          invalid username or password");
    assert_int_equal(tui_grid_at(&g, 10, 2)->role, TUI_ROLE_INPUT_FOCUS);
    assert_int_equal(tui_grid_at(&g, 10, 0)->role, TUI_ROLE_INPUT);
    assert_true(g.cursor_on);
    assert_int_equal(g.cursor_x, 16);
    assert_int_equal(g.cursor_y, 2);
    assert_true(tui_form_key(&f, &k) & TUI_SUBMIT); /* Enter on the last field submits */
    assert_string_equal(tui_form_value(&f, 1), "sécret");
    k = (struct tui_key){TUI_KEY_BTAB, "prev_screen"};
    tui_form_key(&f, &k);
    assert_int_equal(f.focus, 0);
    k = (struct tui_key){TUI_KEY_ESC, "back"};
    assert_int_equal(tui_form_key(&f, &k), 0); /* Esc is the screen's */
    tui_form_clear(&f);
    assert_string_equal(tui_form_value(&f, 1), "");
    tui_form_release(&f);
    tui_grid_release(&g);
}

static void test_edit_scrolls(void **state)
{
    struct tui_edit e;
    struct tui_grid g;
    tui_edit_init(&e, false);
    tui_grid_init(&g, 10, 1);
    tui_edit_set(&e, "abcdefghijklmno");
    tui_edit_draw(&e, &g, 0, 0, 6, TUI_ROLE_INPUT, true);
    assert_string_equal(tuitest_line(&g, 0), "klmno"); /* cursor at the end stays visible */
    assert_int_equal(g.cursor_x, 5);
    tui_edit_key(&e, TUI_KEY_CTRL('w'));
    assert_string_equal(tui_edit_str(&e), "");
    tui_edit_set(&e, "one two");
    tui_edit_key(&e, TUI_KEY_CTRL('w'));
    assert_string_equal(tui_edit_str(&e), "one ");
    tui_edit_key(&e, TUI_KEY_HOME);
    tui_edit_key(&e, TUI_KEY_DELETE);
    assert_string_equal(tui_edit_str(&e), "ne ");
    assert_int_equal(tui_edit_key(&e, 0x1b), 0); /* not an editing key */
    tui_edit_release(&e);
    tui_grid_release(&g);
}

static void test_confirm(void **state)
{
    struct tui_confirm c = {0};
    struct tui_grid g;
    tui_grid_init(&g, 50, 10);
    tui_confirm_open(&c, "Delete 3 links?");
    tui_confirm_draw(&c, &g, (struct tui_rect){0, 0, 50, 10});
    assert_non_null(strstr(tuitest_line(&g, 4), "Delete 3 links?"));
    assert_non_null(strstr(tuitest_line(&g, 6), "[ Yes ]"));
    assert_int_equal(tui_confirm_key(&c, TUI_KEY_ENTER), TUI_CONFIRM_NO); /* default No */
    assert_int_equal(tui_confirm_key(&c, TUI_KEY_LEFT), TUI_CONFIRM_PENDING);
    assert_int_equal(tui_confirm_key(&c, TUI_KEY_ENTER), TUI_CONFIRM_YES);
    assert_int_equal(tui_confirm_key(&c, 'n'), TUI_CONFIRM_NO);
    assert_int_equal(tui_confirm_key(&c, 'q'), TUI_CONFIRM_PENDING);
    tui_confirm_close(&c);
    tui_grid_release(&g);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress),     cmocka_unit_test(test_sparkline_and_chart),
        cmocka_unit_test(test_toasts),       cmocka_unit_test(test_form),
        cmocka_unit_test(test_edit_scrolls), cmocka_unit_test(test_confirm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
