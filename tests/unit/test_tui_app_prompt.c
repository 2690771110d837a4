/* Unit tests: what the app gained for the console — the prompt (masked text, Enter answers
 * with the text, Esc with NULL, modal: the screen never sees its keys), tabs hidden until
 * shown (screen keys do nothing), the loading state a screen declares (the status line starts
 * with "loading…"), and the pause hook. */
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
#include "tests/lib/tuitest.h"

static int keys_seen;
static unsigned fake_key(void *st, struct tui_app *app, const struct tui_key *k)
{
    keys_seen++;
    return 0;
}

static const char *fake_status(void *st, struct tui_app *app)
{
    return "3 of 3";
}

static const struct tui_screen_class one = {
    .name = "one", .title = "One", .key = fake_key, .status = fake_status};
static const struct tui_screen_class two = {.name = "two", .title = "Two", .key = fake_key};
static int st1, st2;
static struct tui_app *app;

static int setup(void **state)
{
    keys_seen = 0;
    struct tui_app_options o = {.theme = "default", .title = "opsdeck"};
    app = tui_app_new(&o);
    tui_app_add_screen(app, &one, &st1);
    tui_app_add_screen(app, &two, &st2);
    return app ? 0 : -1;
}

static int teardown(void **state)
{
    tui_app_free(app);
    return 0;
}

static char answer[64];
static int answers, nulls;
static unsigned on_answer(struct tui_app *a, const char *text, void *ud)
{
    answers++;
    if (text)
        snprintf(answer, sizeof answer, "%s", text);
    else
        nulls++;
    return TUI_REDRAW;
}

static void test_prompt(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 80, 20);
    answers = nulls = 0;
    tui_app_prompt(app, "Disable bob? Your password:", true, on_answer, NULL);
    tuitest_feed(app, "s3cret");
    tui_app_render(app, &g);
    assert_true(tuitest_has(&g, "Disable bob? Your password:"));
    assert_true(tuitest_has(&g, "••••••") || tuitest_has(&g, "******"));
    assert_false(tuitest_has(&g, "s3cret")); /* masked */
    assert_int_equal(keys_seen, 0);          /* modal: the screen saw nothing */
    tuitest_feed(app, "\n");
    assert_int_equal(answers, 1);
    assert_string_equal(answer, "s3cret");
    tui_app_render(app, &g);
    assert_false(tuitest_has(&g, "Your password"));
    tui_app_prompt(app, "Again?", true, on_answer, NULL);
    tuitest_feed(app, "x");
    tui_app_feed_key(app, TUI_KEY_ESC);
    assert_int_equal(answers, 2);
    assert_int_equal(nulls, 1); /* Esc: cancelled */
    tui_app_prompt(app, "Left open at quit", true, on_answer, NULL);
    tui_grid_release(&g);
    /* teardown frees the app: the open prompt is answered NULL so its owner can clean up */
}

static void test_prompt_freed_open(void **state)
{
    answers = nulls = 0;
    tui_app_prompt(app, "Q?", false, on_answer, NULL);
    tui_app_free(app);
    app = NULL;
    assert_int_equal(nulls, 1);
    setup(state);
}

static void test_tabs_hidden(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 60, 10);
    tui_app_show_tabs(app, false);
    tui_app_render(app, &g);
    assert_null(strstr(tuitest_line(&g, 0), "One"));
    assert_non_null(strstr(tuitest_line(&g, 0), "opsdeck"));
    tuitest_feed(app, "2");
    tui_app_render(app, &g);
    assert_null(strstr(tuitest_line(&g, 0), "Two")); /* screen keys do nothing */
    tui_app_show_tabs(app, true);
    tui_app_render(app, &g);
    assert_non_null(strstr(tuitest_line(&g, 0), "1 One"));
    tui_grid_release(&g);
}

static void test_loading(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 60, 10);
    assert_false(tui_app_loading(app));
    tui_app_set_loading(app, &st1, true);
    assert_true(tui_app_loading(app));
    tui_app_render(app, &g);
    assert_non_null(strstr(tuitest_line(&g, 9), "loading… · 3 of 3"));
    tuitest_feed(app, "2"); /* the other screen is not loading */
    assert_false(tui_app_loading(app));
    tuitest_feed(app, "1");
    tui_app_set_loading(app, &st1, false);
    tui_app_render(app, &g);
    assert_null(strstr(tuitest_line(&g, 9), "loading"));
    tui_grid_release(&g);
}

static int pauses, resumes;
static unsigned on_pause(struct tui_app *a, bool paused, void *ud)
{
    if (paused)
        pauses++;
    else
        resumes++;
    return 0;
}

static void test_pause_hook(void **state)
{
    pauses = resumes = 0;
    tui_app_on_pause(app, on_pause, NULL);
    tuitest_feed(app, "p");
    assert_true(tui_app_paused(app));
    tuitest_feed(app, "p");
    assert_false(tui_app_paused(app));
    assert_int_equal(pauses, 1);
    assert_int_equal(resumes, 1);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prompt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_freed_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tabs_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loading, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_hook, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
