/* app — the console's screen manager and event loop (htop ScreenManager, redis ae).
 *
 * Screens are entries in a table: a `const struct tui_screen_class` of function pointers plus
 * a state pointer the screen owns. The app owns focus, the key table, the theme, toasts, the
 * `:` command line, help, confirmation dialogs, resize and the refresh clock.
 *
 * Loop (tui_app_run, UI thread only; the only thread that calls curses):
 *   poll() on stdin and the wake fd, timeout = the next timer or toast expiry;
 *   drain keys -> overlays/dialogs, then the screen's key(), then the global actions;
 *   drain posted events -> every screen's on_event(); run due timers;
 *   if anything asked for it, draw once: tabs line, screen draw(), status line, overlays,
 *   then one diff flush to the terminal.
 * Handlers never draw; they return TUI_* flags (tui/keymap.h): TUI_HANDLED (consumed),
 * TUI_REDRAW, TUI_QUIT. Below 40x10 the app shows a "terminal too small" notice instead of
 * the screen (q still quits) and comes back when the terminal grows.
 *
 * Threads: worker threads never touch screens or curses. They hand results over with
 * tui_app_post() (thread-safe; the payload's ownership moves to the app) or just wake the loop
 * with tui_app_wake() / a write of 8 bytes to tui_app_wake_fd().
 *
 * Screen author's checklist:
 *   static unsigned sync_run(void *state, struct tui_app *app, const struct tui_key *k);
 *   static const struct tui_action sync_actions[] = {
 *       {"sync.run", "r", "run the selected sync now", "sync", TUI_ACT_WRITES, sync_run}};
 *   const struct tui_screen_class sync_screen = {
 *       .name = "sync", .title = "Sync", .actions = sync_actions, .nactions = 1,
 *       .enter = sync_enter, .key = sync_key, .draw = sync_draw, .on_event = sync_event};
 *   tui_app_add_screen(app, &sync_screen, state);   // before tui_app_run
 * key() sees every key first (so a focused form can take letters); return 0 to let the action
 * bound to the key act: one of the screen's own runs (with the screen's state), else the
 * app's built-ins (quit, screen switching, help ...). Actions flagged TUI_ACT_WRITES that the
 * role may not run (tui_app_set_allow) never reach key(): the app refuses them with a toast. */
#ifndef TUI_APP_H
#define TUI_APP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tui/cmdline.h"
#include "tui/frame.h"
#include "tui/grid.h"
#include "tui/inbox.h"
#include "tui/keymap.h"
#include "tui/theme.h"
#include "tui/toast.h"

struct tui_app;

struct tui_screen_class {
    const char *name;                 /* "sync": :screen NAME, key context, help section */
    const char *title;                /* tab label, "Sync" */
    const struct tui_action *actions; /* the screen's keys (context = name), or NULL */
    size_t nactions;
    /* Every callback may be NULL. state is the pointer given to tui_app_add_screen. */
    void (*enter)(void *state, struct tui_app *app); /* becomes visible (start queries) */
    void (*leave)(void *state, struct tui_app *app); /* another screen shows */
    unsigned (*key)(void *state, struct tui_app *app, const struct tui_key *k);
    void (*draw)(void *state, struct tui_app *app, struct tui_grid *g, struct tui_rect area);
    /* Called on every screen, visible or not, for each posted event. */
    unsigned (*on_event)(void *state, struct tui_app *app, struct tui_event *ev);
    /* Right side of the status line ("updated 3s ago · 12 of 340"); NULL or "" for none. */
    const char *(*status)(void *state, struct tui_app *app);
};

struct tui_app_options {
    const char *theme;  /* name or path; NULL: tui_theme_choose(NULL, NULL) */
    const char *colors; /* force a depth: mono|8|16|256|truecolor; NULL: detect */
    int refresh_ms;     /* config ui.refresh_ms: the floor of live refresh; 0: 1000 */
    const char *title;  /* right side of the tab line, e.g. "opsdeck · ana (ops)" */
};

/* A new app, no terminal yet (tests drive it with tui_app_feed_key/tui_app_render).
 * Returns NULL with od_seterr when the theme cannot be loaded. */
struct tui_app *tui_app_new(const struct tui_app_options *o);
void tui_app_free(struct tui_app *app);
/* Register a screen (class borrowed, state borrowed). Its actions join the key table. The
 * first screen added is shown first; screens get screen.1, screen.2 ... in order. */
void tui_app_add_screen(struct tui_app *app, const struct tui_screen_class *cls, void *state);
/* Add `:` commands (table borrowed; ud passed to their callbacks). */
void tui_app_add_commands(struct tui_app *app, const struct tui_command *cmds, size_t n, void *ud);
/* The same for commands of one screen (its class name): help lists them with its keys. */
void tui_app_add_screen_commands(struct tui_app *app, const char *screen,
                                 const struct tui_command *cmds, size_t n, void *ud);
/* Apply config [keys] (after every screen is added). -1 with od_seterr naming the line. */
int tui_app_apply_keys(struct tui_app *app, int n, char *const *actions, char *const *specs);
/* Which actions the logged-in role may run; NULL allows all. */
void tui_app_set_allow(struct tui_app *app, bool (*allow)(const char *action, void *ud), void *ud);
bool tui_app_allowed(const struct tui_app *app, const char *action);

/* Open the terminal, run until quit, restore it. -1 with od_seterr when there is no usable
 * terminal. Returns 0 after a normal quit, or the number of the signal (SIGTERM, SIGINT,
 * SIGHUP) that stopped it, once the terminal is restored (the caller exits 128 + N). */
int tui_app_run(struct tui_app *app);

/* --- callable from any thread --- */
void tui_app_wake(struct tui_app *app);
int tui_app_wake_fd(const struct tui_app *app); /* eventfd: write a uint64_t 1 to wake */
void tui_app_post(struct tui_app *app, int type, void *data, void (*free_fn)(void *));

/* --- UI thread only (from callbacks) --- */
void tui_app_toast(struct tui_app *app, enum tui_toast_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Ask yes/no (default No); done runs with the answer on the UI thread. */
void tui_app_confirm(struct tui_app *app, const char *question,
                     unsigned (*done)(struct tui_app *app, bool yes, void *ud), void *ud);
/* Ask for one line of text in a box (masked: a password; bullets shown). done runs on the UI
 * thread with the text (borrowed; wiped right after done returns), or NULL when Esc
 * cancelled. One at a time: opening another replaces it (the old done gets NULL). */
void tui_app_prompt(struct tui_app *app, const char *question, bool masked,
                    unsigned (*done)(struct tui_app *app, const char *text, void *ud), void *ud);
/* Show a screen by name; -1 with od_seterr when there is none. */
int tui_app_show(struct tui_app *app, const char *name);
/* Switch theme at run time (`:theme NAME`): a theme NAME only, never a path
 * (tui_theme_load_name); -1 with od_seterr, the old one stays. */
int tui_app_set_theme(struct tui_app *app, const char *name);
const struct tui_theme *tui_app_theme(const struct tui_app *app);
/* A timer calling fn every interval_ms (once when !repeat); returns an id > 0. */
int tui_app_timer(struct tui_app *app, int64_t interval_ms, bool repeat,
                  unsigned (*fn)(struct tui_app *app, void *ud), void *ud);
void tui_app_timer_cancel(struct tui_app *app, int id);
void tui_app_set_title(struct tui_app *app, const char *title);
void tui_app_redraw(struct tui_app *app);
void tui_app_quit(struct tui_app *app);
bool tui_app_paused(const struct tui_app *app); /* `p`: screens skip live refresh */
/* fn runs (UI thread) each time `p`/`:pause` pauses or resumes; returns TUI_* flags. One hook;
 * NULL removes it. */
void tui_app_on_pause(struct tui_app *app,
                      unsigned (*fn)(struct tui_app *app, bool paused, void *ud), void *ud);
/* The status line's key hints: literal {keys, label} pairs (borrowed) shown instead of the
 * global ones (help, filter, sort, command, pause, quit), e.g. while a form takes every letter
 * and those keys would type. NULL: back to the global hints from the key table. */
void tui_app_set_hints(struct tui_app *app, const struct tui_hint *hints, size_t n);
/* Whether the tab line lists the screens (default true). Hidden (e.g. before login), only the
 * title shows and the screen keys do nothing. */
void tui_app_show_tabs(struct tui_app *app, bool shown);
/* A screen (its state pointer) says it waits for data it asked for, or no longer does. While
 * the screen shown is loading, the status line starts with "loading…" (tests wait for it). */
void tui_app_set_loading(struct tui_app *app, const void *state, bool loading);
bool tui_app_loading(const struct tui_app *app); /* the screen shown is loading */
int tui_app_refresh_ms(const struct tui_app *app);
const struct tui_keymap *tui_app_keymap(const struct tui_app *app);
/* Open an overlay with lines the caller adds (tui/overlay.h); closes with Esc. */
struct tui_overlay *tui_app_overlay(struct tui_app *app, const char *title);

/* --- without a terminal (tests, benchmarks) --- */
unsigned tui_app_feed_key(struct tui_app *app, int key);
/* Draw the whole frame into g (its size is the terminal size). */
void tui_app_render(struct tui_app *app, struct tui_grid *g);
/* Deliver posted events and due timers as the loop would; returns their flags. */
unsigned tui_app_dispatch(struct tui_app *app, int64_t now_ms);

#define TUI_MIN_W 40
#define TUI_MIN_H 10

#endif
