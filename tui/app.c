/* app — screens, keys, built-in commands and frame drawing; the loop is in loop.c.
 * See app.h for the contract. */
#include "tui/app_impl.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
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

static void open_help(struct tui_app *app)
{
    const char *ctx = app->nscreens ? app->screens[app->cur].cls->name : NULL;
    tui_help_build(&app->overlay, &app->km, ctx, app->nscreens, app->allow, app->allow_ud);
}

static unsigned cmd_help(struct tui_app *app, int argc, char **argv, void *ud)
{
    open_help(app);
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

static unsigned cmd_pause(struct tui_app *app, int argc, char **argv, void *ud)
{
    app->paused = !app->paused;
    unsigned f = app->pause_fn ? app->pause_fn(app, app->paused, app->pause_ud) : 0;
    return f | TUI_REDRAW;
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
    {"theme", "NAME|FILE", "switch the colour theme", complete_theme, cmd_theme},
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
    tui_loop_init(app);
    if (tui_theme_load(&app->theme, tui_theme_choose(o ? o->theme : NULL, NULL)) < 0) {
        tui_app_free(app);
        return NULL;
    }
    return app;
}

void tui_app_free(struct tui_app *app)
{
    if (!app) return;
    tui_loop_release(app);
    tui_keymap_release(&app->km);
    tui_cmdline_release(&app->cmdline);
    tui_overlay_close(&app->overlay);
    tui_confirm_close(&app->confirm);
    if (app->prompt.open && app->prompt_done) app->prompt_done(app, NULL, app->prompt_ud);
    tui_prompt_close(&app->prompt);
    tui_toasts_release(&app->toasts);
    free(app->title);
    free(app->colors);
    free(app);
}

void tui_app_add_screen(struct tui_app *app, const struct tui_screen_class *cls, void *state)
{
    if (app->nscreens == TUI_MAX_SCREENS) od_die("BUG: more than %d screens", TUI_MAX_SCREENS);
    app->screens[app->nscreens].cls = cls;
    app->screens[app->nscreens].state = state;
    app->screen_names[app->nscreens++] = cls->name;
    if (cls->actions) tui_keymap_add(&app->km, cls->actions, cls->nactions);
}

void tui_app_add_commands(struct tui_app *app, const struct tui_command *cmds, size_t n, void *ud)
{
    tui_cmdline_add(&app->cmdline, cmds, n, ud);
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

static void switch_to(struct tui_app *app, int idx)
{
    if (idx == app->cur && app->entered) return;
    const struct tui_screen_class *old = app->screens[app->cur].cls;
    if (app->entered && old->leave) old->leave(app->screens[app->cur].state, app);
    app->cur = idx;
    app->entered = true;
    const struct tui_screen_class *cls = app->screens[idx].cls;
    if (cls->enter) cls->enter(app->screens[idx].state, app);
}

int tui_app_show(struct tui_app *app, const char *name)
{
    for (int i = 0; i < app->nscreens; i++)
        if (strcmp(app->screens[i].cls->name, name) == 0) {
            switch_to(app, i);
            return 0;
        }
    return od_seterr("no screen named '%s'", name);
}

int tui_app_set_theme(struct tui_app *app, const char *name_or_path)
{
    struct tui_theme th;
    if (tui_theme_load(&th, name_or_path) < 0) return -1;
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

static bool too_small(const struct tui_app *app)
{
    return app->w && (app->w < TUI_MIN_W || app->h < TUI_MIN_H);
}

static unsigned global_action(struct tui_app *app, const char *a)
{
    if (!strcmp(a, "quit")) return TUI_QUIT;
    if (!strncmp(a, "screen.", 7)) {
        int n = atoi(a + 7);
        if (n >= 1 && n <= app->nscreens && !app->tabs_hidden) switch_to(app, n - 1);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "next_screen") || !strcmp(a, "prev_screen")) {
        if (app->nscreens && !app->tabs_hidden)
            switch_to(app, (app->cur + (a[0] == 'n' ? 1 : app->nscreens - 1)) % app->nscreens);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "help")) {
        open_help(app);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "command")) {
        tui_cmdline_open(&app->cmdline);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "pause")) return cmd_pause(app, 0, NULL, NULL) | TUI_HANDLED;
    if (!strcmp(a, "redraw")) {
        if (app->term) tui_term_invalidate(app->term);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "back") && tui_toast_dismiss(&app->toasts)) return TUI_HANDLED | TUI_REDRAW;
    return 0;
}

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
    struct tui_key k = {key, tui_keymap_lookup(&app->km, key, ctx)};
    if (app->overlay.open) return tui_overlay_key(&app->overlay, &k);
    if (app->cmdline.open) {
        unsigned f = tui_cmdline_key(&app->cmdline, key);
        return f & TUI_SUBMIT ? run_cmdline(app) : f;
    }
    if (too_small(app)) return k.action && !strcmp(k.action, "quit") ? TUI_QUIT : TUI_HANDLED;
    if (k.action && !tui_app_allowed(app, k.action)) {
        const struct tui_binding *b = tui_keymap_find(&app->km, k.action);
        tui_app_toast(app, TUI_TOAST_WARN, "not permitted for your role: %s",
                      b ? b->act->help : k.action);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (app->nscreens) {
        if (!app->entered) switch_to(app, app->cur);
        const struct tui_screen_class *cls = app->screens[app->cur].cls;
        unsigned f = cls->key ? cls->key(app->screens[app->cur].state, app, &k) : 0;
        if (f & (TUI_HANDLED | TUI_QUIT)) return f;
    }
    return k.action ? global_action(app, k.action) : 0;
}

static void draw_too_small(struct tui_app *app, struct tui_grid *g)
{
    char size[80];
    snprintf(size, sizeof size, "%dx%d, needs %dx%d", g->w, g->h, TUI_MIN_W, TUI_MIN_H);
    const char *lines[] = {"Terminal too small", size, "enlarge it, or press q to quit"};
    int y0 = g->h > 3 ? (g->h - 3) / 2 : 0;
    for (int i = 0; i < 3 && y0 + i < g->h; i++)
        tui_grid_text_aligned(g, 0, y0 + i, g->w, lines[i], TUI_ALIGN_CENTER,
                              i == 0 ? TUI_ROLE_WARN : TUI_ROLE_NORMAL);
}

static void draw_tabs(struct tui_app *app, struct tui_grid *g)
{
    int x = 0;
    tui_grid_fill(g, (struct tui_rect){0, 0, g->w, 1}, ' ', TUI_ROLE_TAB);
    for (int i = 0; i < app->nscreens && !app->tabs_hidden; i++) {
        char label[80], key[32];
        char action[32];
        snprintf(action, sizeof action, "screen.%d", i + 1);
        tui_keymap_keys(&app->km, action, key, sizeof key);
        char *comma = strchr(key, ',');
        if (comma) *comma = '\0';
        snprintf(label, sizeof label, " %s%s%s ", key, key[0] ? " " : "",
                 app->screens[i].cls->title);
        x += tui_grid_text(g, x, 0, g->w - x, label,
                           i == app->cur ? TUI_ROLE_TAB_ACTIVE : TUI_ROLE_TAB);
        x += tui_grid_text(g, x, 0, g->w - x, " ", TUI_ROLE_TAB);
    }
    const char *paused = app->paused ? " PAUSED " : "";
    int pw = tui_text_width(paused), tw = tui_text_width(app->title);
    int room = g->w - x - pw - 1;
    if (tw > room) tw = room;
    if (tw > 0) tui_grid_text(g, g->w - pw - tw - 1, 0, tw, app->title, TUI_ROLE_TITLE);
    if (pw) tui_grid_text(g, g->w - pw, 0, pw, paused, TUI_ROLE_WARN);
}

static void draw_status(struct tui_app *app, struct tui_grid *g, int y)
{
    static const char *const hints[][2] = {{"help", "help"},   {"filter", "filter"},
                                           {"sort", "sort"},   {"command", "command"},
                                           {"pause", "pause"}, {"quit", "quit"}};
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
    int rw = right ? tui_text_width(right) : 0;
    if (rw > g->w / 2) rw = g->w / 2;
    int x = 0, limit = g->w - rw - 1;
    size_t n = app->hints ? app->nhints : OD_ARRAY_LEN(hints);
    for (size_t i = 0; i < n && x < limit; i++) {
        char keys[64];
        const char *label = app->hints ? app->hints[i].label : hints[i][1];
        if (app->hints)
            snprintf(keys, sizeof keys, "%s", app->hints[i].keys);
        else
            tui_keymap_keys(&app->km, hints[i][0], keys, sizeof keys);
        char *comma = strchr(keys, ',');
        if (comma) *comma = '\0';
        if (!keys[0]) continue;
        int kw = tui_text_width(keys), lw = tui_text_width(label);
        if (x + kw + 1 + lw > limit) break;
        x += tui_grid_text(g, x, y, kw, keys, TUI_ROLE_KEY_HINT);
        x += tui_grid_text(g, x + 1, y, lw, label, TUI_ROLE_STATUS) + 3;
    }
    if (rw > 0) tui_grid_text(g, g->w - rw, y, rw, right, TUI_ROLE_STATUS);
}

void tui_app_set_hints(struct tui_app *app, const struct tui_hint *hints, size_t n)
{
    app->hints = hints;
    app->nhints = hints ? n : 0;
}

void tui_app_render(struct tui_app *app, struct tui_grid *g)
{
    tui_grid_clear(g);
    app->w = g->w;
    app->h = g->h;
    if (too_small(app)) {
        draw_too_small(app, g);
        return;
    }
    draw_tabs(app, g);
    struct tui_rect body = {0, 1, g->w, g->h - 2};
    if (app->nscreens) {
        if (!app->entered) switch_to(app, app->cur);
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
