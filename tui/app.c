/* app — screens, built-in commands, dialogs, posted events and timers, and frame drawing.
 * On top of this file and never called by it: app_keys.c (what a key does) and loop.c
 * (tui_app_run: the terminal and the poll loop). See app.h for the contract. */
#include "tui/app.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "tui/app_impl.h"
#include "tui/frame.h"
#include "tui/guard.h"
#include "tui/help.h"

static unsigned cmd_quit(struct tui_app *app, int argc, char **argv, void *ud)
{
    return TUI_QUIT;
}

static unsigned cmd_theme(struct tui_app *app, int argc, char **argv, void *ud)
{
    if (argc < 2)
        tui_app_toast(app, TUI_TOAST_INFO,
                      "theme: %s (built in: default dark light mono "
                      "high-contrast)",
                      app->theme.name);
    else if (tui_app_set_theme(app, argv[1]) < 0)
        tui_app_toast(app, TUI_TOAST_ERROR, "%s", od_err());
    else
        tui_app_toast(app, TUI_TOAST_INFO, "theme %s", app->theme.name);
    return TUI_REDRAW;
}

static unsigned cmd_screen(struct tui_app *app, int argc, char **argv, void *ud)
{
    if (argc < 2 || tui_app_show(app, argv[1]) < 0)
        tui_app_toast(app, TUI_TOAST_ERROR, "%s",
                      argc < 2 ? "usage: :screen NAME (Tab lists them)" : od_err());
    return TUI_REDRAW;
}

void tui_app_open_help(struct tui_app *app)
{
    const char *ctx = app->nscreens ? app->screens[app->cur].cls->name : NULL;
    const char *titles[TUI_MAX_SCREENS];
    int n = app->ntabs;         /* <= nscreens <= TUI_MAX_SCREENS */
    for (int i = 0; i < n; i++) /* what the header offers: a hidden screen has no key either */
        titles[i] = app->tabs_hidden || app->screens[i].hidden ? NULL : app->screens[i].cls->title;
    tui_help_build(&app->overlay, &app->km, &app->cmdline, ctx, titles, n, app->allow,
                   app->allow_ud);
}

static unsigned cmd_help(struct tui_app *app, int argc, char **argv, void *ud)
{
    tui_app_open_help(app);
    return TUI_REDRAW;
}

static unsigned cmd_messages(struct tui_app *app, int argc, char **argv, void *ud)
{
    static const char *const level[] = {"info ", "warn ", "ERROR"};
    struct tui_overlay *o = tui_app_overlay(app, "Messages (newest first)");
    const struct tui_toast *t;
    int64_t now = od_now_ms();
    for (int i = 0; (t = tui_toast_logged(&app->toasts, i)); i++)
        tui_overlay_add(o, t->level == TUI_TOAST_ERROR ? TUI_ROLE_FAIL : TUI_ROLE_NORMAL,
                        "%6llds ago  %s  %s", (long long)((now - t->expires) / 1000),
                        level[t->level], t->text);
    if (!tui_toast_logged(&app->toasts, 0)) tui_overlay_add(o, TUI_ROLE_DIM, "no messages yet");
    return TUI_REDRAW;
}

unsigned tui_app_toggle_pause(struct tui_app *app)
{
    app->paused = !app->paused;
    unsigned f = app->pause_fn ? app->pause_fn(app, app->paused, app->pause_ud) : 0;
    return f | TUI_REDRAW;
}

static unsigned cmd_pause(struct tui_app *app, int argc, char **argv, void *ud)
{
    return tui_app_toggle_pause(app);
}

static const char *const *complete_theme(int argi, void *ud)
{
    return argi == 1 ? tui_theme_builtin_names() : NULL;
}

static const char *const *complete_screen(int argi, void *ud)
{
    struct tui_app *app = ud;
    return argi == 1 ? app->screen_names : NULL;
}

static const struct tui_command builtin_cmds[] = {
    {"quit", "", "leave opsdeck", NULL, cmd_quit},
    {"q", "", "leave opsdeck", NULL, cmd_quit},
    {"theme", "NAME", "switch the colour theme", complete_theme, cmd_theme},
    {"screen", "NAME", "show a screen", complete_screen, cmd_screen},
    {"help", "", "show the keys", NULL, cmd_help},
    {"messages", "", "show recent messages and errors", NULL, cmd_messages},
    {"pause", "", "pause or resume live refresh", NULL, cmd_pause},
};

struct tui_app *tui_app_new(const struct tui_app_options *o)
{
    struct tui_app *app = od_xcalloc(1, sizeof *app);
    tui_keymap_init(&app->km);
    tui_cmdline_init(&app->cmdline);
    tui_cmdline_add(&app->cmdline, builtin_cmds, OD_ARRAY_LEN(builtin_cmds), app);
    app->title = od_xstrdup(o && o->title ? o->title : "opsdeck");
    app->colors = o && o->colors ? od_xstrdup(o->colors) : NULL;
    app->refresh_ms = o && o->refresh_ms > 0 ? o->refresh_ms : 1000;
    tui_inbox_init(&app->inbox);
    tui_input_init(&app->in, o && o->no_osc52, o && o->no_mouse);
    if (tui_theme_load(&app->theme, tui_theme_choose(o ? o->theme : NULL, NULL)) < 0) {
        tui_app_free(app);
        return NULL;
    }
    return app;
}

void tui_app_free(struct tui_app *app)
{
    if (!app) return;
    tui_inbox_release(&app->inbox);
    tui_keymap_release(&app->km);
    tui_cmdline_release(&app->cmdline);
    tui_overlay_close(&app->overlay);
    tui_confirm_close(&app->confirm);
    if (app->prompt.open && app->prompt_done) app->prompt_done(app, NULL, app->prompt_ud);
    tui_prompt_close(&app->prompt);
    tui_toasts_release(&app->toasts);
    tui_input_release(&app->in);
    free(app->replay);
    free(app->title);
    free(app->colors);
    free(app);
}

void tui_app_add_screen(struct tui_app *app, const struct tui_screen_class *cls, void *state)
{
    if (app->nscreens == TUI_MAX_SCREENS) od_die("BUG: more than %d screens", TUI_MAX_SCREENS);
    if (!cls->parent && app->ntabs != app->nscreens)
        od_die("BUG: screen %s added after a view of a screen", cls->name);
    app->screens[app->nscreens].cls = cls;
    app->screens[app->nscreens].state = state;
    app->nscreens++;
    if (!cls->parent) app->screen_names[app->ntabs++] = cls->name;
    if (cls->actions) tui_keymap_add(&app->km, cls->actions, cls->nactions);
}

void tui_app_add_commands(struct tui_app *app, const struct tui_command *cmds, size_t n, void *ud)
{
    tui_cmdline_add(&app->cmdline, cmds, n, ud);
}

void tui_app_add_screen_commands(struct tui_app *app, const char *screen,
                                 const struct tui_command *cmds, size_t n, void *ud)
{
    tui_cmdline_add_ctx(&app->cmdline, cmds, n, ud, screen);
}

int tui_app_apply_keys(struct tui_app *app, int n, char *const *actions, char *const *specs)
{
    return tui_keymap_override(&app->km, n, actions, specs);
}

void tui_app_set_allow(struct tui_app *app, bool (*allow)(const char *, void *), void *ud)
{
    app->allow = allow;
    app->allow_ud = ud;
}

bool tui_app_allowed(const struct tui_app *app, const char *action)
{
    return !app->allow || app->allow(action, app->allow_ud);
}

void tui_app_wake(struct tui_app *app)
{
    tui_inbox_wake(&app->inbox);
}

int tui_app_wake_fd(const struct tui_app *app)
{
    return tui_inbox_fd(&app->inbox);
}

void tui_app_post(struct tui_app *app, int type, void *data, void (*free_fn)(void *))
{
    tui_inbox_post(&app->inbox, (struct tui_event){type, data, free_fn});
}

void tui_app_redraw(struct tui_app *app)
{
    tui_app_post(app, -1, NULL, NULL); /* an empty event: the loop redraws after it */
}

int tui_app_timer(struct tui_app *app, int64_t interval_ms, bool repeat,
                  unsigned (*fn)(struct tui_app *, void *), void *ud)
{
    return tui_inbox_timer(&app->inbox, interval_ms, repeat, fn, ud);
}

void tui_app_timer_cancel(struct tui_app *app, int id)
{
    tui_inbox_timer_cancel(&app->inbox, id);
}

/* A posted event goes to every screen, visible or not; any event asks for a frame. */
static unsigned deliver(struct tui_event *ev, void *ud)
{
    struct tui_app *app = ud;
    unsigned flags = TUI_REDRAW;
    for (int i = 0; i < app->nscreens && ev->type >= 0; i++)
        if (app->screens[i].cls->on_event)
            flags |= app->screens[i].cls->on_event(app->screens[i].state, app, ev);
    return flags;
}

unsigned tui_app_dispatch(struct tui_app *app, int64_t now)
{
    unsigned flags = tui_inbox_deliver(&app->inbox, deliver, app);
    flags |= tui_inbox_run_timers(&app->inbox, now, app);
    if (tui_toast_expire(&app->toasts, now)) flags |= TUI_REDRAW;
    if (tui_guard_stop_requested() || app->quit) flags |= TUI_QUIT;
    return flags;
}

void tui_app_toast(struct tui_app *app, enum tui_toast_level level, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    tui_toast_push(&app->toasts, level, od_now_ms(), sb_str(&sb));
    sb_release(&sb);
}

void tui_app_toast_key(struct tui_app *app, const char *key, enum tui_toast_level level,
                       const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    tui_toast_push_key(&app->toasts, key, level, od_now_ms(), sb_str(&sb));
    sb_release(&sb);
}

void tui_app_toast_clear(struct tui_app *app, const char *key)
{
    tui_toast_clear_key(&app->toasts, key);
}

void tui_app_confirm(struct tui_app *app, const char *question,
                     unsigned (*done)(struct tui_app *, bool, void *), void *ud)
{
    tui_confirm_open(&app->confirm, question);
    app->confirm_done = done;
    app->confirm_ud = ud;
}

void tui_app_prompt(struct tui_app *app, const char *question, bool masked,
                    unsigned (*done)(struct tui_app *, const char *, void *), void *ud)
{
    if (app->prompt.open && app->prompt_done) app->prompt_done(app, NULL, app->prompt_ud);
    tui_prompt_open(&app->prompt, question, masked);
    app->prompt_done = done;
    app->prompt_ud = ud;
}

void tui_app_switch_to(struct tui_app *app, int idx)
{
    if (idx == app->cur && app->entered) return;
    const struct tui_screen_class *old = app->screens[app->cur].cls;
    if (app->entered && old->leave) old->leave(app->screens[app->cur].state, app);
    app->cur = idx;
    app->entered = true;
    const struct tui_screen_class *cls = app->screens[idx].cls;
    if (cls->enter) cls->enter(app->screens[idx].state, app);
}

static int screen_index(const struct tui_app *app, const char *name)
{
    for (int i = 0; i < app->nscreens; i++)
        if (strcmp(app->screens[i].cls->name, name) == 0) return i;
    return -1;
}

int tui_app_show(struct tui_app *app, const char *name)
{
    int i = screen_index(app, name);
    if (i < 0) return od_seterr("no screen named '%s'", name);
    if (app->screens[i].hidden)
        return od_seterr("not permitted for your role: %s", app->screens[i].cls->title);
    tui_app_switch_to(app, i);
    return 0;
}

bool tui_app_screen_usable(const struct tui_app *app, int idx)
{
    return idx >= 0 && idx < app->ntabs && !app->tabs_hidden && !app->screens[idx].hidden;
}

int tui_app_set_screen_shown(struct tui_app *app, const char *name, bool shown)
{
    int i = screen_index(app, name);
    if (i < 0) return od_seterr("no screen named '%s'", name);
    app->screens[i].hidden = !shown;
    int n = 0; /* completion offers the screens shown (not the views) */
    for (int k = 0; k < app->ntabs; k++)
        if (!app->screens[k].hidden) app->screen_names[n++] = app->screens[k].cls->name;
    app->screen_names[n] = NULL;
    return 0;
}

void tui_app_set_readonly(struct tui_app *app, bool readonly)
{
    app->readonly = readonly;
}

void tui_app_replay_keys(struct tui_app *app, const int *keys, size_t n)
{
    if (n == 0) return;
    if (app->nreplay + n > app->capreplay) {
        app->capreplay = (app->nreplay + n) * 2;
        app->replay = od_xrealloc(app->replay, app->capreplay * sizeof *app->replay);
    }
    memcpy(app->replay + app->nreplay, keys, n * sizeof *keys);
    app->nreplay += n;
}

int tui_app_set_theme(struct tui_app *app, const char *name)
{
    struct tui_theme th;
    if (tui_theme_load_name(&th, name) < 0) return -1;
    app->theme = th;
    if (app->term) tui_term_apply_theme(app->term, &app->theme);
    return 0;
}

const struct tui_theme *tui_app_theme(const struct tui_app *app)
{
    return &app->theme;
}

void tui_app_set_title(struct tui_app *app, const char *title)
{
    free(app->title);
    app->title = od_xstrdup(title ? title : "");
}

void tui_app_quit(struct tui_app *app)
{
    app->quit = true;
    tui_app_wake(app);
}

bool tui_app_paused(const struct tui_app *app)
{
    return app->paused;
}

void tui_app_on_pause(struct tui_app *app, unsigned (*fn)(struct tui_app *, bool, void *), void *ud)
{
    app->pause_fn = fn;
    app->pause_ud = ud;
}

void tui_app_show_tabs(struct tui_app *app, bool shown)
{
    app->tabs_hidden = !shown;
}

void tui_app_set_loading(struct tui_app *app, const void *state, bool loading)
{
    for (int i = 0; i < app->nscreens; i++)
        if (app->screens[i].state == state) app->screens[i].loading = loading;
}

bool tui_app_loading(const struct tui_app *app)
{
    return app->nscreens && app->screens[app->cur].loading;
}

int tui_app_refresh_ms(const struct tui_app *app)
{
    return app->refresh_ms < 250 ? 250 : app->refresh_ms; /* polite floor */
}

const struct tui_keymap *tui_app_keymap(const struct tui_app *app)
{
    return &app->km;
}

struct tui_overlay *tui_app_overlay(struct tui_app *app, const char *title)
{
    tui_overlay_open(&app->overlay, title);
    return &app->overlay;
}

bool tui_app_too_small(const struct tui_app *app)
{
    return app->w && (app->w < TUI_MIN_W || app->h < TUI_MIN_H);
}

static void draw_status(struct tui_app *app, struct tui_grid *g, int y)
{
    tui_grid_fill(g, (struct tui_rect){0, y, g->w, 1}, ' ', TUI_ROLE_STATUS);
    if (app->cmdline.open) {
        tui_cmdline_draw(&app->cmdline, g, 0, y, g->w);
        return;
    }
    if (tui_toast_draw(&app->toasts, g, 0, y, g->w)) return;
    const char *right = "";
    if (app->nscreens && app->screens[app->cur].cls->status)
        right = app->screens[app->cur].cls->status(app->screens[app->cur].state, app);
    char with_loading[320];
    if (tui_app_loading(app)) {
        snprintf(with_loading, sizeof with_loading, "loading…%s%s", right && *right ? " · " : "",
                 right ? right : "");
        right = with_loading;
    }
    tui_frame_status(g, y, &app->km, app->hints, app->nhints, right);
}

void tui_app_set_hints(struct tui_app *app, const struct tui_hint *hints, size_t n)
{
    app->hints = hints;
    app->nhints = hints ? n : 0;
}

int tui_app_tab_of(const struct tui_app *app, int idx)
{
    const char *parent = idx < app->nscreens ? app->screens[idx].cls->parent : NULL;
    if (!parent) return idx;
    for (int i = 0; i < app->ntabs; i++)
        if (!strcmp(app->screens[i].cls->name, parent)) return i;
    return -1;
}

void tui_app_render(struct tui_app *app, struct tui_grid *g)
{
    tui_grid_clear(g);
    tui_hits_clear(&app->in.hits); /* what this frame draws is what a click finds */
    g->hits = &app->in.hits;
    app->w = g->w;
    app->h = g->h;
    if (tui_app_too_small(app)) {
        tui_frame_too_small(g, TUI_MIN_W, TUI_MIN_H);
        return;
    }
    const char *titles[TUI_MAX_SCREENS];
    for (int i = 0; i < app->ntabs; i++) /* a screen not offered has no tab */
        titles[i] = app->screens[i].hidden ? NULL : app->screens[i].cls->title;
    tui_frame_tabs(g, titles, app->tabs_hidden ? 0 : app->ntabs, tui_app_tab_of(app, app->cur),
                   &app->km, app->paused, app->title);
    struct tui_rect body = {0, 1, g->w, g->h - 2};
    if (app->nscreens) {
        if (!app->entered) tui_app_switch_to(app, app->cur);
        const struct tui_screen_class *cls = app->screens[app->cur].cls;
        if (cls->draw) cls->draw(app->screens[app->cur].state, app, g, body);
    }
    bool keep_cursor =
        g->cursor_on && !app->overlay.open && !app->confirm.open && !app->prompt.open;
    if (!keep_cursor) g->cursor_on = false;
    draw_status(app, g, g->h - 1);
    if (app->overlay.open) tui_overlay_draw(&app->overlay, g, body);
    if (app->confirm.open) tui_confirm_draw(&app->confirm, g, body);
    if (app->prompt.open) tui_prompt_draw(&app->prompt, g, body);
}
