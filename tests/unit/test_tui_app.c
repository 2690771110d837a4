/* Unit tests: the app without a terminal — the tab line and status hints, switching screens
 * by key, the "terminal too small" notice and recovery, help built from the key table with
 * refused actions greyed, the `:` command line (completion, history, :theme, errors), a
 * refused action never reaching the screen, confirmation, events posted from a thread, and
 * a screen's actions running their own function with the screen's state. */
#include <locale.h>
#include <pthread.h>
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
#include "tests/lib/tuitest.h"

struct fake {
    int keys, draws, events, enters, leaves, acked;
    char last_action[32];
};

static unsigned fake_key(void *st, struct tui_app *app, const struct tui_key *k)
{
    struct fake *f = st;
    f->keys++;
    snprintf(f->last_action, sizeof f->last_action, "%s", k->action ? k->action : "");
    if (k->action && !strcmp(k->action, "exceptions.ack")) {
        f->acked++;
        return TUI_HANDLED | TUI_REDRAW;
    }
    return 0;
}

static void fake_draw(void *st, struct tui_app *app, struct tui_grid *g, struct tui_rect a)
{
    struct fake *f = st;
    f->draws++;
    tui_grid_textf(g, a.x, a.y, a.w, TUI_ROLE_NORMAL, "body of screen, %d draws", f->draws);
}

static unsigned fake_event(void *st, struct tui_app *app, struct tui_event *ev)
{
    struct fake *f = st;
    f->events += *(int *)ev->data;
    return TUI_REDRAW;
}

static void fake_enter(void *st, struct tui_app *app)
{
    ((struct fake *)st)->enters++;
}

static void fake_leave(void *st, struct tui_app *app)
{
    ((struct fake *)st)->leaves++;
}

static const char *fake_status(void *st, struct tui_app *app)
{
    return "12 of 340";
}

static const struct tui_action exc_actions[] = {
    {"exceptions.ack", "a", "acknowledge the exception", "exceptions", TUI_ACT_WRITES, NULL},
};

static const struct tui_screen_class sync_cls = {.name = "sync",
                                                 .title = "Sync",
                                                 .enter = fake_enter,
                                                 .leave = fake_leave,
                                                 .key = fake_key,
                                                 .draw = fake_draw,
                                                 .on_event = fake_event,
                                                 .status = fake_status};
static const struct tui_screen_class exc_cls = {.name = "exceptions",
                                                .title = "Exceptions",
                                                .actions = exc_actions,
                                                .nactions = 1,
                                                .enter = fake_enter,
                                                .leave = fake_leave,
                                                .key = fake_key,
                                                .draw = fake_draw,
                                                .on_event = fake_event};

static struct tui_app *app;
static struct fake s1, s2;

static int setup(void **state)
{
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    struct tui_app_options o = {.theme = "default", .title = "opsdeck · ana"};
    app = tui_app_new(&o);
    tui_app_add_screen(app, &sync_cls, &s1);
    tui_app_add_screen(app, &exc_cls, &s2);
    return app ? 0 : -1;
}

static int teardown(void **state)
{
    tui_app_free(app);
    return 0;
}

static void test_frame_and_switching(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 60, 12);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 0),
                        " 1 Sync   2 Exceptions                        opsdeck · ana");
    assert_int_equal(tui_grid_at(&g, 1, 0)->role, TUI_ROLE_TAB_ACTIVE);
    assert_string_equal(tuitest_line(&g, 1), "body of screen, 1 draws");
    assert_string_equal(tuitest_line(&g, 11),
                        "? help  / filter  s sort  y copy  : command        12 of 340");
    assert_int_equal(s1.enters, 1);
    tuitest_feed(app, "2");
    assert_int_equal(s1.leaves, 1);
    assert_int_equal(s2.enters, 1);
    tui_app_feed_key(app, TUI_KEY_TAB); /* wraps around */
    assert_int_equal(s1.enters, 2);
    tuitest_feed(app, "p");
    tui_app_render(app, &g);
    assert_true(tui_app_paused(app));
    assert_non_null(strstr(tuitest_line(&g, 0), "opsdeck · ana  PAUSED"));
    assert_int_equal(tui_app_feed_key(app, 'q') & TUI_QUIT, TUI_QUIT);
    tui_grid_release(&g);
}

static void test_too_small(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 30, 8);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 2), "      Terminal too small");
    assert_string_equal(tuitest_line(&g, 3), "      30x8, needs 40x10");
    assert_int_equal(s1.draws, 0); /* the screen is not asked to draw into 30x8 */
    assert_int_equal(tui_app_feed_key(app, 'j'), TUI_HANDLED);
    assert_int_equal(s1.keys, 0);
    tui_grid_resize(&g, 40, 10);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 1), "body of screen, 1 draws");
    assert_int_equal(tui_app_feed_key(app, 'q') & TUI_QUIT, TUI_QUIT);
    tui_grid_release(&g);
}

static bool oncall_only(const char *action, void *ud)
{
    return strcmp(action, "exceptions.ack") != 0;
}

static unsigned cmd_kind(struct tui_app *a, int argc, char **argv, void *ud)
{
    return TUI_REDRAW;
}

static const struct tui_command exc_cmds[] = {
    {"kind", "KIND|all", "show one kind of exception", NULL, cmd_kind},
};

/* The help's text as one string (owned by sb). */
static const char *help_text(struct tui_grid *g, struct strbuf *sb)
{
    sb_reset(sb);
    tui_app_render(app, g);
    for (int y = 0; y < g->h; y++)
        tui_grid_line(g, y, sb);
    return sb_str(sb);
}

static void test_help_and_roles(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 80, 40);
    tui_app_add_screen_commands(app, "exceptions", exc_cmds, 1, NULL);
    tui_app_set_allow(app, oncall_only, NULL);
    tuitest_feed(app, "2a"); /* refused: never reaches the screen, a toast says why */
    assert_int_equal(s2.acked, 0);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 39),
                        "warning: not permitted for your role: acknowledge the exception");
    tuitest_feed(app, "?");
    tui_app_render(app, &g);
    struct strbuf all = STRBUF_INIT;
    int ack_row = -1;
    for (int y = 0; y < g.h; y++) {
        tui_grid_line(&g, y, &all);
        if (y < g.h - 1 && strstr(tuitest_line(&g, y), "acknowledge the exception")) ack_row = y;
    }
    assert_non_null(strstr(sb_str(&all), "On this screen (exceptions)"));
    assert_non_null(strstr(sb_str(&all), "q, C-c           quit"));
    /* the screen has keys and a command of its own: listed, and no "none" line */
    assert_null(strstr(sb_str(&all), "no keys of its own"));
    assert_non_null(strstr(sb_str(&all), ":kind KIND|all"));
    assert_non_null(strstr(sb_str(&all), "show one kind of exception"));
    assert_null(strstr(sb_str(&all), "show screen")); /* keys name their screens */
    assert_non_null(strstr(sb_str(&all), "show Exceptions"));
    assert_non_null(strstr(sb_str(&all), ":theme NAME")); /* commands of no screen, too */
    assert_true(ack_row > 0);
    assert_non_null(strstr(tuitest_line(&g, ack_row), "(not permitted for your role)"));
    assert_int_equal(tui_grid_at(&g, 3, ack_row)->ch[0], 'a'); /* inside the box */
    assert_int_equal(tui_grid_at(&g, 3, ack_row)->role, TUI_ROLE_DIM);
    int before = s2.keys;
    tuitest_feed(app, "j"); /* the overlay is modal */
    assert_int_equal(s2.keys, before);
    /* Esc closes the topmost thing first: the message, then the help */
    tui_app_feed_key(app, TUI_KEY_ESC);
    tui_app_render(app, &g);
    assert_null(strstr(tuitest_line(&g, 39), "not permitted"));
    assert_true(tuitest_has(&g, "Help — keys"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "Help — keys"));
    tui_app_set_allow(app, NULL, NULL);
    tuitest_feed(app, "a");
    assert_int_equal(s2.acked, 1);
    tuitest_feed(app, "1?"); /* a screen with neither keys nor commands says so */
    const char *h = help_text(&g, &all);
    assert_non_null(strstr(h, "On this screen (sync)"));
    assert_non_null(strstr(h, "no keys of its own"));
    assert_non_null(strstr(h, "no commands of its own"));
    assert_null(strstr(h, "show one kind of exception")); /* another screen's command */
    tui_app_feed_key(app, TUI_KEY_ESC);
    sb_release(&all);
    tui_grid_release(&g);
}

static void test_cmdline(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 80, 12);
    tuitest_feed(app, ":th");
    tui_app_feed_key(app, TUI_KEY_TAB);
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 11), ":theme");
    tuitest_feed(app, "l");
    tui_app_feed_key(app, TUI_KEY_TAB);
    tuitest_feed(app, "\n");
    assert_string_equal(tui_app_theme(app)->name, "light");
    tuitest_feed(app, ":theme ");
    tui_app_feed_key(app, TUI_KEY_TAB); /* several candidates: listed as a hint */
    tui_app_render(app, &g);
    assert_non_null(strstr(tuitest_line(&g, 11), "default dark light mono high-contrast"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    tuitest_feed(app, ":");
    tui_app_feed_key(app, TUI_KEY_UP); /* history */
    tui_app_render(app, &g);
    assert_string_equal(tuitest_line(&g, 11), ":theme light");
    tui_app_feed_key(app, TUI_KEY_ESC);
    tuitest_feed(app, ":theme nosuch\n");
    assert_string_equal(tui_app_theme(app)->name, "light"); /* the old theme stays */
    tui_app_render(app, &g);
    assert_non_null(strstr(tuitest_line(&g, 11), "error: unknown theme 'nosuch'"));
    tui_app_feed_key(app, TUI_KEY_ESC); /* Esc dismisses the error */
    tuitest_feed(app, ":frobnicate\n");
    tui_app_render(app, &g);
    assert_non_null(strstr(tuitest_line(&g, 11), "unknown command 'frobnicate'"));
    tui_app_feed_key(app, TUI_KEY_ESC);
    tuitest_feed(app, ":screen exc");
    tui_app_feed_key(app, TUI_KEY_TAB);
    tuitest_feed(app, "\n");
    assert_int_equal(s2.enters, 1);
    assert_int_equal(tui_app_feed_key(app, ':') & TUI_REDRAW, TUI_REDRAW);
    assert_int_equal(tui_app_feed_key(app, 'q'), TUI_HANDLED | TUI_REDRAW); /* typed */
    assert_true(tui_app_feed_key(app, TUI_KEY_ENTER) & TUI_QUIT);           /* :q */
    tui_grid_release(&g);
}

static unsigned answered(struct tui_app *a, bool yes, void *ud)
{
    *(int *)ud = yes ? 1 : 2;
    return TUI_REDRAW;
}

static void *poster(void *arg)
{
    static int one = 1;
    for (int i = 0; i < 100; i++)
        tui_app_post(app, 1, &one, NULL);
    return NULL;
}

static void test_confirm_and_events(void **state)
{
    int answer = 0;
    tui_app_confirm(app, "Run the Harvest sync now?", answered, &answer);
    tuitest_feed(app, "j"); /* pending, and the screen does not see it */
    assert_int_equal(s1.keys, 0);
    tuitest_feed(app, "\n");
    assert_int_equal(answer, 2); /* Enter on the untouched dialog is No */
    tui_app_confirm(app, "Again?", answered, &answer);
    tuitest_feed(app, "y");
    assert_int_equal(answer, 1);
    pthread_t th;
    pthread_create(&th, NULL, poster, NULL);
    pthread_join(th, NULL);
    unsigned f = tui_app_dispatch(app, od_now_ms());
    assert_true(f & TUI_REDRAW);
    assert_int_equal(s1.events, 100); /* every screen sees every event */
    assert_int_equal(s2.events, 100);
}

static unsigned tick(struct tui_app *a, void *ud)
{
    (*(int *)ud)++;
    return TUI_REDRAW;
}

static void test_timers(void **state)
{
    int n = 0;
    int id = tui_app_timer(app, 100, true, tick, &n);
    int64_t now = od_now_ms();
    tui_app_dispatch(app, now);
    assert_int_equal(n, 0);
    tui_app_dispatch(app, now + 150);
    assert_int_equal(n, 1);
    tui_app_dispatch(app, now + 300);
    assert_int_equal(n, 2);
    tui_app_timer_cancel(app, id);
    tui_app_dispatch(app, now + 1000);
    assert_int_equal(n, 2);
}

/* A screen whose actions carry their function: the app runs it with the screen's state. */
struct runs {
    int views, wipes;
    void *seen;
    bool grab; /* key() takes every key */
};

static unsigned runs_key(void *st, struct tui_app *a, const struct tui_key *k)
{
    return ((struct runs *)st)->grab ? TUI_HANDLED : 0;
}

static unsigned run_view(void *st, struct tui_app *a, const struct tui_key *k)
{
    struct runs *r = st;
    r->views++;
    r->seen = st;
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned run_wipe(void *st, struct tui_app *a, const struct tui_key *k)
{
    ((struct runs *)st)->wipes++;
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_action admin_actions[] = {
    {"admin.view", "v", "next view", "admin", 0, run_view},
    {"admin.wipe", "w", "wipe everything", "admin", TUI_ACT_WRITES, run_wipe},
};

static const struct tui_screen_class admin_cls = {
    .name = "admin", .title = "Admin", .actions = admin_actions, .nactions = 2, .key = runs_key};

static bool no_wipe(const char *action, void *ud)
{
    return strcmp(action, "admin.wipe") != 0;
}

static void test_actions_run(void **state)
{
    struct runs r = {0};
    tui_app_add_screen(app, &admin_cls, &r);
    tuitest_feed(app, "vw"); /* screen 1 is shown: admin's keys mean nothing here */
    assert_int_equal(r.views + r.wipes, 0);
    assert_int_equal(s1.keys, 2);
    tuitest_feed(app, "3v");
    assert_int_equal(r.views, 1);
    assert_ptr_equal(r.seen, &r); /* run with the screen's state */
    r.grab = true;
    tuitest_feed(app, "v"); /* key() took it: the action does not run */
    assert_int_equal(r.views, 1);
    r.grab = false;
    tui_app_set_allow(app, no_wipe, NULL);
    tuitest_feed(app, "w"); /* refused before the screen or its run */
    assert_int_equal(r.wipes, 0);
    tui_app_set_allow(app, NULL, NULL);
    tuitest_feed(app, "w");
    assert_int_equal(r.wipes, 1);
    char *act[] = {"admin.view"}, *spec[] = {"V"};
    assert_int_equal(tui_app_apply_keys(app, 1, act, spec), 0); /* [keys] still names it */
    tuitest_feed(app, "vV");
    assert_int_equal(r.views, 2);
    assert_int_equal(tui_app_feed_key(app, 'q') & TUI_QUIT, TUI_QUIT); /* built-ins still work */
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    unsetenv("OPSDECK_THEME");
    setenv("HOME", "/nonexistent", 1);
    unsetenv("XDG_CONFIG_HOME");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_frame_and_switching, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmdline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirm_and_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actions_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
