/* Unit tests: what the console does in an incident (issue #15), without a terminal — detail
 * dialogs wrap long text instead of cutting it and scroll by wrapped row; Esc closes the
 * topmost thing first (a message, then a dialog, then the screen's own); a dismissed message
 * is not shown again while its condition lasts, whatever pushes it; the same message is not
 * stacked twice; screens a role may not open have no tab and no key; a view of a screen (the
 * Sync screen's dead letters) has no tab or number of its own; type-ahead keys replayed
 * after a busy moment act on the screen shown; --readonly refusals say "read-only". */
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
#include "tui/app.h"
#include "tui/overlay.h"
#include "tui/toast.h"
#include "tui/wrap.h"
#include "tests/lib/tuitest.h"

struct fake {
    int keys, backs;
};

static unsigned fake_key(void *st, struct tui_app *app, const struct tui_key *k)
{
    struct fake *f = st;
    f->keys++;
    if (k->action && !strcmp(k->action, "back")) {
        f->backs++; /* as a screen with a filter applied would */
        return TUI_HANDLED | TUI_REDRAW;
    }
    return 0;
}

static void fake_draw(void *st, struct tui_app *app, struct tui_grid *g, struct tui_rect a) {}

static const struct tui_action sync_actions[] = {
    {"sync.start", "n", "start a sync", "sync", TUI_ACT_WRITES, NULL},
};

static const struct tui_screen_class sync_cls = {.name = "sync",
                                                 .title = "Sync",
                                                 .actions = sync_actions,
                                                 .nactions = 1,
                                                 .key = fake_key,
                                                 .draw = fake_draw};
static const struct tui_screen_class exc_cls = {
    .name = "exceptions", .title = "Exceptions", .key = fake_key, .draw = fake_draw};
static const struct tui_screen_class profit_cls = {
    .name = "profit", .title = "Profitability", .key = fake_key, .draw = fake_draw};

/* A view of the Sync screen (as its dead letters are): no tab, no number of its own. */
static const struct tui_screen_class view_cls = {
    .name = "dl", .title = "Dead letters", .key = fake_key, .draw = fake_draw, .parent = "sync"};

static struct tui_app *app;
static struct fake s1, s2, s3, s4;

static int setup(void **state)
{
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    memset(&s3, 0, sizeof s3);
    memset(&s4, 0, sizeof s4);
    struct tui_app_options o = {.theme = "default", .title = "opsdeck"};
    app = tui_app_new(&o);
    tui_app_add_screen(app, &sync_cls, &s1);
    tui_app_add_screen(app, &exc_cls, &s2);
    tui_app_add_screen(app, &profit_cls, &s3);
    return app ? 0 : -1;
}

static int teardown(void **state)
{
    tui_app_free(app);
    return 0;
}

static const char *piece(const char *t, const struct tui_wrap_line *l)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%.*s", (int)l->len, t + l->off);
    return buf;
}

static void test_wrap(void **state)
{
    struct tui_wrap_line l[8];
    /* at spaces, the spaces dropped, continuation lines indented by the hang */
    size_t n = tui_wrap("Error:  the quick brown fox jumps", 20, 8, l, 8);
    assert_int_equal(n, 3);
    const char *t = "Error:  the quick brown fox jumps";
    assert_int_equal(l[0].indent, 0);
    assert_string_equal(piece(t, &l[0]), "Error:  the quick");
    assert_int_equal(l[1].indent, 8);
    assert_string_equal(piece(t, &l[1]), "brown fox");
    assert_int_equal(tui_wrap_hang(t, 24, 2), 8);
    /* a word wider than the line is broken inside; a wide character never straddles */
    n = tui_wrap("abcdefghij", 4, 0, l, 8);
    assert_int_equal(n, 3);
    n = tui_wrap("漢字漢字漢", 5, 0, l, 8); /* 2 columns each: two per row */
    assert_int_equal(n, 3);
    assert_int_equal(l[0].len, 6);
    assert_int_equal(tui_wrap("", 10, 0, l, 8), 1);
}

static void test_detail_wraps_and_scrolls(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 50, 12);
    struct tui_overlay *o = tui_app_overlay(app, "Job 7");
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Error:      %s",
                    "HTTP 503 from https://api.example.com/v2/time_entries?page=12 after 3 "
                    "tries; the END");
    for (int i = 0; i < 20; i++)
        tui_overlay_add(o, TUI_ROLE_NORMAL, "line %d", i);
    tui_app_render(app, &g);
    const char *txt = tuitest_text(&g);
    assert_null(strstr(txt, "…"));           /* nothing cut */
    assert_non_null(strstr(txt, "the END")); /* the end of the long line is shown */
    assert_non_null(strstr(txt, "│             https://api")); /* continued under the value */
    assert_false(tuitest_has(&g, "line 19"));
    tuitest_feed(app, "G"); /* bottom: by wrapped rows */
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "line 19"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    tui_grid_release(&g);
}

static void test_esc_order(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 60, 12);
    tui_app_render(app, &g);
    tui_app_toast(app, TUI_TOAST_ERROR, "boom");
    tui_app_overlay(app, "Detail");
    tui_app_feed_key(app, TUI_KEY_ESC); /* 1: the message */
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "boom"));
    assert_true(tuitest_has(&g, "Detail"));
    assert_int_equal(s1.backs, 0);
    tui_app_feed_key(app, TUI_KEY_ESC); /* 2: the dialog */
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "Detail"));
    assert_int_equal(s1.backs, 0);
    tui_app_feed_key(app, TUI_KEY_ESC); /* 3: the screen's (its filter) */
    assert_int_equal(s1.backs, 1);
    /* with a warning showing, Esc dismisses it and the filter stays */
    tui_app_toast(app, TUI_TOAST_WARN, "careful");
    tui_app_feed_key(app, TUI_KEY_ESC);
    assert_int_equal(s1.backs, 1);
    /* an info message goes by itself: Esc is the screen's at once */
    tui_app_toast(app, TUI_TOAST_INFO, "exported 12 rows");
    tui_app_feed_key(app, TUI_KEY_ESC);
    assert_int_equal(s1.backs, 2);
    tui_grid_release(&g);
}

static void test_dismissed_stays_dismissed(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 70, 12);
    tui_app_toast_key(app, "db", TUI_TOAST_ERROR, "database unreachable");
    tui_app_toast_key(app, "db", TUI_TOAST_ERROR, "database unreachable"); /* not stacked */
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "database unreachable"));
    assert_false(tuitest_has(&g, "(+1)"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    /* every refresh, resize and retry pushes it again: it stays away */
    tui_app_toast_key(app, "db", TUI_TOAST_ERROR, "database unreachable");
    tui_app_feed_key(app, TUI_KEY_RESIZE);
    tui_grid_resize(&g, 60, 12);
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "database unreachable"));
    /* the condition ended and came back: a new occurrence shows */
    tui_app_toast_clear(app, "db");
    tui_app_toast_key(app, "db", TUI_TOAST_ERROR, "database unreachable");
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "database unreachable"));
    /* the same plain message twice is one toast; one Esc removes it */
    tui_app_toast_clear(app, "db");
    tui_app_toast(app, TUI_TOAST_ERROR, "sync: unknown provider");
    tui_app_toast(app, TUI_TOAST_ERROR, "sync: unknown provider");
    tui_app_feed_key(app, TUI_KEY_ESC);
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "unknown provider"));
    tui_grid_release(&g);
}

static void test_screens_offered(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 70, 12);
    assert_int_equal(tui_app_set_screen_shown(app, "sync", false), 0);
    assert_int_equal(tui_app_set_screen_shown(app, "nope", false), -1);
    tui_app_show(app, "profit");
    tui_app_render(app, &g);
    assert_null(strstr(tuitest_line(&g, 0), "Sync"));
    assert_non_null(strstr(tuitest_line(&g, 0), " 2 Exceptions   3 Profitability"));
    tuitest_feed(app, "1"); /* not offered: stays, and says why */
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "not permitted for your role: Sync"));
    assert_int_equal(tui_app_show(app, "sync"), -1);
    tui_app_feed_key(app, TUI_KEY_TAB); /* profit -> (sync skipped) -> exceptions */
    tuitest_feed(app, "x");
    assert_int_equal(s2.keys, 1);
    assert_int_equal(s1.keys, 0);
    tui_grid_release(&g);
}

static void test_view_of_a_screen(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 90, 24);
    tui_app_add_screen(app, &view_cls, &s4);
    tui_app_render(app, &g);
    assert_non_null(strstr(tuitest_line(&g, 0), " 1 Sync   2 Exceptions   3 Profitability "));
    assert_false(tuitest_has(&g, "Dead letters"));
    assert_false(tuitest_has(&g, " 4 "));
    assert_int_equal(tui_app_show(app, "dl"), 0); /* what the Sync screen's key does */
    tuitest_feed(app, "x");
    assert_int_equal(s4.keys, 1);
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "Dead letters")); /* still no tab of its own */
    tui_app_feed_key(app, TUI_KEY_TAB);            /* from the view: the tab after Sync's */
    tuitest_feed(app, "x");
    assert_int_equal(s2.keys, 1);
    tuitest_feed(app, "4"); /* no number of its own */
    tuitest_feed(app, "x");
    assert_int_equal(s2.keys, 3);
    assert_int_equal(s4.keys, 2); /* "x", and Tab going by */
    tuitest_feed(app, "?");       /* help offers keys for the three screens only, by name */
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "show Profitability"));
    assert_true(tuitest_has(&g, "show Sync"));
    assert_false(tuitest_has(&g, "show screen"));
    assert_false(tuitest_has(&g, "show Dead letters"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    /* a screen the role may not open: no tab, and no key in the help either */
    assert_int_equal(tui_app_set_screen_shown(app, "sync", false), 0);
    tuitest_feed(app, "?");
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "show Sync"));
    assert_true(tuitest_has(&g, "show Exceptions"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    assert_int_equal(tui_app_set_screen_shown(app, "sync", true), 0);
    assert_int_equal(tui_app_set_screen_shown(app, "dl", false), 0); /* the role may not */
    assert_int_equal(tui_app_show(app, "dl"), -1);
    tui_grid_release(&g);
}

static void test_typeahead(void **state)
{
    tui_app_show(app, "sync");
    tui_app_replay_keys(app, NULL, 0); /* nothing was typed ahead (every login) */
    int keys[] = {'2', 'x'};
    tui_app_replay_keys(app, keys, 2);
    assert_int_equal(s2.keys, 0); /* nothing until the loop feeds them */
    tui_app_feed_replay(app);
    assert_int_equal(s1.keys, 1); /* '2' went by Sync (which let it through) and switched */
    assert_int_equal(s2.keys, 1); /* 'x' reached Exceptions */
    assert_int_equal(tui_app_feed_replay(app), 0);
}

static bool deny_writes(const char *action, void *ud)
{
    return strcmp(action, "sync.start") != 0;
}

static void test_readonly_refusal(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 90, 12);
    tui_app_show(app, "sync");
    tui_app_set_allow(app, deny_writes, NULL);
    tui_app_set_readonly(app, true);
    tuitest_feed(app, "n");
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "read-only: start a sync is disabled"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    tui_app_set_readonly(app, false);
    tuitest_feed(app, "n");
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "not permitted for your role: start a sync"));
    tui_grid_release(&g);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap),
        cmocka_unit_test_setup_teardown(test_detail_wraps_and_scrolls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_esc_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dismissed_stays_dismissed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_screens_offered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_of_a_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typeahead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_refusal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
