/* app_keys — what a key does (tui_app_feed_key): an open dialog, prompt, overlay or command
 * line takes it first; then the screen's key(); then, if the screen let it through, the
 * screen's own action (its run, with the screen's state) or the app's meaning of a built-in
 * action (the handler table below). On top of app.c, which never calls into this file. */
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "tui/app.h"
#include "tui/app_impl.h"

/* The prompt answered: done sees the text, then it is wiped (done may open another). */
static unsigned prompt_answer(struct tui_app *app, enum tui_prompt_answer ans)
{
    struct tui_prompt p = app->prompt;
    unsigned (*done)(struct tui_app *, const char *, void *) = app->prompt_done;
    app->prompt = (struct tui_prompt){0};
    app->prompt_done = NULL;
    unsigned f =
        done ? done(app, ans == TUI_PROMPT_ENTER ? tui_prompt_text(&p) : NULL, app->prompt_ud) : 0;
    tui_prompt_close(&p);
    return f | TUI_HANDLED | TUI_REDRAW;
}

/* The built-in actions the app gives a meaning (keymap.c declares their keys). */

static unsigned act_quit(void *state, struct tui_app *app, const struct tui_key *k)
{
    return TUI_QUIT;
}

static unsigned act_screen(void *state, struct tui_app *app, const struct tui_key *k)
{
    int n = atoi(k->action + strlen("screen."));
    if (n >= 1 && n <= app->nscreens && !app->tabs_hidden) tui_app_switch_to(app, n - 1);
    return TUI_HANDLED | TUI_REDRAW;
}

/* next_screen, prev_screen */
static unsigned act_cycle(void *state, struct tui_app *app, const struct tui_key *k)
{
    int step = k->action[0] == 'n' ? 1 : app->nscreens - 1;
    if (app->nscreens && !app->tabs_hidden)
        tui_app_switch_to(app, (app->cur + step) % app->nscreens);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_help(void *state, struct tui_app *app, const struct tui_key *k)
{
    tui_app_open_help(app);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_command(void *state, struct tui_app *app, const struct tui_key *k)
{
    tui_cmdline_open(&app->cmdline);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_pause(void *state, struct tui_app *app, const struct tui_key *k)
{
    return tui_app_toggle_pause(app) | TUI_HANDLED;
}

static unsigned act_redraw(void *state, struct tui_app *app, const struct tui_key *k)
{
    if (app->term) tui_term_invalidate(app->term);
    return TUI_HANDLED | TUI_REDRAW;
}

/* Esc the screen did not take dismisses a toast. */
static unsigned act_back(void *state, struct tui_app *app, const struct tui_key *k)
{
    return tui_toast_dismiss(&app->toasts) ? TUI_HANDLED | TUI_REDRAW : 0;
}

static const struct tui_handler app_handlers[] = {
    {"quit", act_quit},       {"screen.1", act_screen},   {"screen.2", act_screen},
    {"screen.3", act_screen}, {"screen.4", act_screen},   {"screen.5", act_screen},
    {"screen.6", act_screen}, {"screen.7", act_screen},   {"screen.8", act_screen},
    {"screen.9", act_screen}, {"next_screen", act_cycle}, {"prev_screen", act_cycle},
    {"help", act_help},       {"command", act_command},   {"pause", act_pause},
    {"redraw", act_redraw},   {"back", act_back}};

static unsigned run_cmdline(struct tui_app *app)
{
    unsigned flags = 0;
    if (tui_cmdline_exec(&app->cmdline, app, &flags) < 0)
        tui_app_toast(app, TUI_TOAST_ERROR, "%s", od_err());
    return flags | TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_app_feed_key(struct tui_app *app, int key)
{
    if (key == TUI_KEY_RESIZE) return TUI_HANDLED | TUI_REDRAW;
    if (app->confirm.open) {
        enum tui_confirm_answer ans = tui_confirm_key(&app->confirm, key);
        if (ans == TUI_CONFIRM_PENDING) return TUI_HANDLED | TUI_REDRAW;
        tui_confirm_close(&app->confirm);
        unsigned f =
            app->confirm_done ? app->confirm_done(app, ans == TUI_CONFIRM_YES, app->confirm_ud) : 0;
        return f | TUI_HANDLED | TUI_REDRAW;
    }
    if (app->prompt.open) {
        enum tui_prompt_answer ans = tui_prompt_key(&app->prompt, key);
        return ans == TUI_PROMPT_PENDING ? TUI_HANDLED | TUI_REDRAW : prompt_answer(app, ans);
    }
    const char *ctx = app->nscreens ? app->screens[app->cur].cls->name : NULL;
    const struct tui_action *act = tui_keymap_action(&app->km, key, ctx);
    struct tui_key k = {key, act ? act->name : NULL};
    if (app->overlay.open) return tui_overlay_key(&app->overlay, &k);
    if (app->cmdline.open) {
        unsigned f = tui_cmdline_key(&app->cmdline, key);
        return f & TUI_SUBMIT ? run_cmdline(app) : f;
    }
    tui_action_fn *run = tui_handler_find(app_handlers, OD_ARRAY_LEN(app_handlers), &k);
    if (tui_app_too_small(app)) return run == act_quit ? TUI_QUIT : TUI_HANDLED;
    if (k.action && !tui_app_allowed(app, k.action)) {
        const struct tui_binding *b = tui_keymap_find(&app->km, k.action);
        tui_app_toast(app, TUI_TOAST_WARN, "not permitted for your role: %s",
                      b ? b->act->help : k.action);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (app->nscreens) {
        if (!app->entered) tui_app_switch_to(app, app->cur);
        const struct tui_screen_class *cls = app->screens[app->cur].cls;
        unsigned f = cls->key ? cls->key(app->screens[app->cur].state, app, &k) : 0;
        if (f & (TUI_HANDLED | TUI_QUIT)) return f;
        /* the screen's own action (context: this screen) runs with the screen's state */
        if (act && act->run && act->context) return act->run(app->screens[app->cur].state, app, &k);
    }
    return run ? run(NULL, app, &k) : 0;
}
