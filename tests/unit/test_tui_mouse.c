/* Unit tests: the mouse, paste and copy in the app without a terminal. Hit testing (what a
 * frame drew where: tabs, a table's header cells and rows; the last drawn on top), a click
 * on a tab shows its screen, on a header sorts (again: reversed), on a row selects it, the
 * wheel scrolls; a bracketed paste reaches the field with focus and none of its keys acts;
 * `y` copies the screen's text or the overlay's, and with copying off says how to turn it on;
 * a link is laid out as the terminal wraps a line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "tui/app.h"
#include "tui/app_impl.h" /* tui_app_input_idle, as the loop calls it */
#include "tui/mouse.h"
#include "tui/overlay.h"
#include "tui/table.h"
#include "tests/lib/tuitest.h"

static void test_hits_last_on_top(void **state)
{
    struct tui_hits h = {0};
    assert_null(tui_hits_find(&h, 0, 0));
    tui_hits_add(&h, (struct tui_rect){0, 0, 10, 5}, TUI_HIT_TABLE_ROW, &h, 1);
    tui_hits_add(&h, (struct tui_rect){2, 2, 3, 1}, TUI_HIT_TAB, NULL, 7);
    tui_hits_add(&h, (struct tui_rect){0, 9, 0, 1}, TUI_HIT_TAB, NULL, 8); /* empty: ignored */
    assert_int_equal(h.n, 2);
    assert_int_equal(tui_hits_find(&h, 3, 2)->id, 7);
    assert_int_equal(tui_hits_find(&h, 5, 2)->id, 1); /* just right of the tab */
    assert_int_equal(tui_hits_find(&h, 9, 4)->id, 1);
    assert_null(tui_hits_find(&h, 10, 4));
    assert_null(tui_hits_find(&h, 0, 5));
    tui_hits_clear(&h);
    assert_null(tui_hits_find(&h, 3, 2));
    tui_hits_release(&h);
}

/* --- a table screen --- */

static const struct tui_column cols[] = {
    {"Client", TUI_ALIGN_LEFT, 6, 12, TUI_CMP_TEXT, NULL},
    {"Margin", TUI_ALIGN_RIGHT, 0, 0, TUI_CMP_DECIMAL, NULL},
};

struct scr {
    struct tui_table t;
    char pasted[256];
    int pastes;
};

static unsigned scr_key(void *st, struct tui_app *app, const struct tui_key *k)
{
    struct scr *s = st;
    if (k->key == TUI_KEY_MOUSE) return tui_table_mouse(&s->t, tui_app_mouse(app)) | TUI_HANDLED;
    return tui_table_key(&s->t, k);
}

static void scr_draw(void *st, struct tui_app *app, struct tui_grid *g, struct tui_rect a)
{
    tui_table_draw(&((struct scr *)st)->t, g, a, true);
}

static bool scr_copy(void *st, struct tui_app *app, struct strbuf *out)
{
    tui_table_row_text(&((struct scr *)st)->t, out);
    return out->len > 0;
}

static unsigned scr_paste(void *st, struct tui_app *app, const char *text)
{
    struct scr *s = st;
    s->pastes++;
    snprintf(s->pasted, sizeof s->pasted, "%s", text);
    return tui_table_paste(&s->t, text);
}

static const struct tui_screen_class table_cls = {.name = "clients",
                                                  .title = "Clients",
                                                  .key = scr_key,
                                                  .draw = scr_draw,
                                                  .copy = scr_copy,
                                                  .paste = scr_paste};
static const struct tui_screen_class other_cls = {.name = "other", .title = "Other"};

static struct tui_app *app;
static struct scr s;
static struct tui_grid g;

static struct tui_app *make_app(bool no_osc52, bool no_mouse)
{
    struct tui_app_options o = {
        .theme = "default", .title = "t", .no_osc52 = no_osc52, .no_mouse = no_mouse};
    struct tui_app *a = tui_app_new(&o);
    tui_app_add_screen(a, &table_cls, &s);
    tui_app_add_screen(a, &other_cls, NULL);
    return a;
}

static int setup(void **state)
{
    memset(&s, 0, sizeof s);
    tui_table_init(&s.t, cols, 2);
    struct tui_rowset rs;
    tui_rowset_init(&rs, 2);
    static const char *const rows[][2] = {
        {"Acme", "10.00"},   {"Beta", "-3.50"}, {"Gamma", "99.10"}, {"Delta", "5.00"},
        {"Epsilon", "1.00"}, {"Zeta", "42.00"}, {"Eta", "0.50"},    {"Theta", "7.25"}};
    for (size_t i = 0; i < OD_ARRAY_LEN(rows); i++)
        tui_rowset_add(&rs, rows[i][0], (const char *[]){rows[i][0], rows[i][1]}, 0);
    tui_table_set_rows(&s.t, &rs);
    tui_rowset_release(&rs);
    app = make_app(false, false);
    tui_grid_init(&g, 40, 10); /* body: rows 1..8; header at y 1, rows at y 2..8 */
    tui_app_render(app, &g);
    return 0;
}

static int teardown(void **state)
{
    tui_app_free(app);
    tui_table_release(&s.t);
    tui_grid_release(&g);
    return 0;
}

static void test_click_tab_header_row(void **state)
{
    /* the tab line: " 1 Clients   2 Other " */
    const struct tui_hit *h = tui_hits_find(g.hits, 17, 0);
    assert_non_null(h);
    assert_int_equal(h->kind, TUI_HIT_TAB);
    assert_int_equal(h->id, 1);
    assert_int_equal(tui_app_feed_mouse(app, 17, 0, TUI_MOUSE_CLICK) & TUI_REDRAW, TUI_REDRAW);
    tui_app_render(app, &g);
    assert_int_equal(tui_grid_at(&g, 16, 0)->role, TUI_ROLE_TAB_ACTIVE);
    tui_app_feed_mouse(app, 2, 0, TUI_MOUSE_CLICK);
    tui_app_render(app, &g);
    assert_int_equal(tui_grid_at(&g, 2, 0)->role, TUI_ROLE_TAB_ACTIVE);
    assert_string_equal(tuitest_line(&g, 1), "Client   Margin");

    /* the Margin header: numbers sort largest first, a second click reverses */
    tui_app_feed_mouse(app, 10, 1, TUI_MOUSE_CLICK);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 1), "Client  Margin▼");
    assert_string_equal(tuitest_line(&g, 2), "Gamma     99.10");
    tui_app_feed_mouse(app, 10, 1, TUI_MOUSE_CLICK);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 2), "Beta      -3.50");
    /* Client: text A-Z */
    tui_app_feed_mouse(app, 0, 1, TUI_MOUSE_CLICK);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 1), "Client▲  Margin");
    assert_string_equal(tuitest_line(&g, 2), "Acme      10.00");

    /* a row: selected; y copies it, cells separated by a tab */
    tui_app_feed_mouse(app, 30, 4, TUI_MOUSE_CLICK);
    assert_string_equal(tui_table_selected_key(&s.t), "Delta");
    tui_app_render(app, &g);
    assert_int_equal(tui_grid_at(&g, 0, 4)->role, TUI_ROLE_SELECTED);
    tuitest_feed(app, "y");
    assert_string_equal(tui_app_copied(app), "Delta\t5.00");
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "copied 10 characters"));
    /* below the last row nothing is hit: the selection stays */
    tui_hits_clear(g.hits);
    tui_app_feed_mouse(app, 3, 4, TUI_MOUSE_CLICK);
    assert_string_equal(tui_table_selected_key(&s.t), "Delta");
}

static void test_wheel_scrolls(void **state)
{
    /* 7 rows on screen of 8: the wheel moves the view, the selection stays on screen */
    assert_string_equal(tuitest_line(&g, 2), "Acme      10.00");
    tui_app_feed_mouse(app, 5, 5, TUI_MOUSE_WHEEL_DOWN);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 2), "Beta      -3.50");
    assert_string_equal(tui_table_selected_key(&s.t), "Beta");
    tui_app_feed_mouse(app, 5, 5, TUI_MOUSE_WHEEL_UP);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 2), "Acme      10.00");
    assert_string_equal(tui_table_selected_key(&s.t), "Beta");
}

static void test_mouse_off_and_dialogs(void **state)
{
    struct tui_app *off = make_app(false, true);
    tui_app_render(off, &g);
    tui_app_feed_mouse(off, 17, 0, TUI_MOUSE_CLICK);
    tui_app_render(off, &g);
    assert_int_equal(tui_grid_at(&g, 2, 0)->role, TUI_ROLE_TAB_ACTIVE); /* still the first */
    tui_app_free(off);
    /* while the command line is open a click does nothing */
    tuitest_feed(app, ":");
    tui_app_feed_mouse(app, 10, 1, TUI_MOUSE_CLICK);
    assert_int_equal(s.t.sort_col, -1);
}

static void paste(const char *seq)
{
    for (const char *p = seq; *p; p++)
        tui_app_input_key(app, *p == '\n' ? TUI_KEY_ENTER : (unsigned char)*p);
    tui_app_input_idle(app, 0);
}

static void test_paste_into_filter(void **state)
{
    /* no field open: nothing is typed, nothing runs (q would quit) */
    tui_app_input_key(app, TUI_KEY_PASTE_BEGIN);
    assert_int_equal(tui_app_input_key(app, 'q') & TUI_QUIT, 0);
    tui_app_input_key(app, TUI_KEY_PASTE_END);
    assert_int_equal(s.pastes, 1);
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "pasted text ignored"));
    /* the filter open: the text goes in, a line break as a space */
    tuitest_feed(app, "/");
    paste("\033[200~et\na\033[201~");
    assert_string_equal(s.pasted, "et a");
    assert_string_equal(tui_edit_str(&s.t.filter), "et a");
    assert_true(s.t.filter_editing);
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "no rows match \"et a\""));
    /* keys typed around a paste still act as keys */
    paste("\033");
    assert_false(s.t.filter_editing); /* Esc closed the filter */
    /* the command line takes a paste too, without running it */
    tuitest_feed(app, ":");
    paste("\033[200~quit\n\033[201~");
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 9), ":quit");
}

static void test_copy_overlay_and_off(void **state)
{
    struct tui_overlay *o = tui_app_overlay(app, "Job 7");
    tui_overlay_add(o, TUI_ROLE_NORMAL, "State: dead");
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Error: HTTP 500 from /v2/users");
    tuitest_feed(app, "y");
    assert_string_equal(tui_app_copied(app), "State: dead\nError: HTTP 500 from /v2/users");
    tui_overlay_set_copy(o, "HTTP 500 from /v2/users");
    tuitest_feed(app, "y");
    assert_string_equal(tui_app_copied(app), "HTTP 500 from /v2/users");
    assert_true(app != NULL);
    tuitest_feed(app, "\033");
    /* sanitized: controls other than tab and line break never reach the clipboard */
    tui_app_copy(app, "a\033]0;x\a\tb\u202e");
    assert_string_equal(tui_app_copied(app), "a]0;x\tb");

    struct tui_app *off = make_app(true, false);
    tui_app_render(off, &g);
    tuitest_feed(off, "y");
    assert_string_equal(tui_app_copied(off), "");
    tui_app_render(off, &g);
    assert_true(tuitest_has(&g, "copying is off (ui.osc52 = off"));
    tui_app_free(off);
}

static void test_help_and_hints_list_copy(void **state)
{
    struct tui_grid big;
    tui_grid_init(&big, 120, 60);
    tui_app_render(app, &big);
    assert_true(tuitest_has(&big, "y copy"));
    tuitest_feed(app, "?");
    tui_app_render(app, &big);
    assert_true(tuitest_has(&big, "copy the selected row"));
    tui_grid_release(&big);
}

static void test_link_layout(void **state)
{
    struct tui_grid lg;
    tui_grid_init(&lg, 10, 5);
    const char *url = "https://example.com/a?b=c";
    assert_int_equal(tui_grid_link(&lg, 4, 1, 3, url, url, TUI_ROLE_NORMAL), 3);
    assert_string_equal(tuitest_line(&lg, 1), "    https:");
    assert_string_equal(tuitest_line(&lg, 2), "//example.");
    assert_string_equal(tuitest_line(&lg, 3), "com/a?b=c");
    assert_int_equal(lg.nlinks, 1);
    assert_int_equal(lg.links[0].w, 25);
    assert_string_equal(lg.links[0].url, url);
    /* too long for the rows given: cut with an ellipsis; a url with a space: no hyperlink */
    assert_int_equal(tui_grid_link(&lg, 0, 4, 1, "http://x y/0123456789", "http://x y", 0), 1);
    assert_string_equal(tuitest_line(&lg, 4), "http://x …");
    assert_null(lg.links[1].url);
    tui_grid_clear(&lg);
    assert_int_equal(lg.nlinks, 0);
    tui_grid_release(&lg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_last_on_top),
        cmocka_unit_test_setup_teardown(test_click_tab_header_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wheel_scrolls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse_off_and_dialogs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paste_into_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_overlay_and_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_hints_list_copy, setup, teardown),
        cmocka_unit_test(test_link_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
