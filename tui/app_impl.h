/* app_impl — the app's private state, shared by tui/app.c (screens, commands, dialogs, events,
 * drawing) and the two files on top of it: tui/app_keys.c (what a key does) and tui/loop.c
 * (tui_app_run: the terminal and the poll loop). app.c never calls into them. Not for
 * screens: use tui/app.h. */
#ifndef TUI_APP_IMPL_H
#define TUI_APP_IMPL_H
#include <stdbool.h>
#include "tui/cmdline.h"
#include "tui/confirm.h"
#include "tui/inbox.h"
#include "tui/keymap.h"
#include "tui/overlay.h"
#include "tui/prompt.h"
#include "tui/term.h"
#include "tui/theme.h"
#include "tui/toast.h"

#define TUI_MAX_SCREENS 9

struct tui_screen_class;

struct tui_app {
    struct tui_keymap km;
    struct tui_theme theme;
    struct tui_toasts toasts;
    struct tui_cmdline cmdline;
    struct tui_overlay overlay;
    struct tui_confirm confirm;
    unsigned (*confirm_done)(struct tui_app *app, bool yes, void *ud);
    void *confirm_ud;
    struct tui_prompt prompt;
    unsigned (*prompt_done)(struct tui_app *app, const char *text, void *ud);
    void *prompt_ud;
    unsigned (*pause_fn)(struct tui_app *app, bool paused, void *ud);
    void *pause_ud;
    struct {
        const struct tui_screen_class *cls;
        void *state;
        bool loading; /* tui_app_set_loading */
    } screens[TUI_MAX_SCREENS];
    const char *screen_names[TUI_MAX_SCREENS + 1]; /* for completion, NULL-terminated */
    int nscreens, cur;
    bool (*allow)(const char *action, void *ud);
    void *allow_ud;
    char *title, *colors;
    int refresh_ms;
    bool paused, quit, entered;
    bool tabs_hidden;       /* tui_app_show_tabs(false): the tab line shows only the title */
    int w, h;               /* size of the last frame */
    struct tui_inbox inbox; /* posted events, timers, the wake fd */
    struct tui_term *term;  /* NULL without a terminal (set by tui_app_run) */
    /* tui_app_set_hints: borrowed; NULL: the global hints */
    const struct tui_hint *hints;
    size_t nhints;
};

/* app.c, for app_keys.c and loop.c */
void tui_app_switch_to(struct tui_app *app, int idx); /* leave the shown screen, enter idx */
void tui_app_open_help(struct tui_app *app);          /* the help overlay for the shown screen */
unsigned tui_app_toggle_pause(struct tui_app *app);   /* `p` and `:pause` */
bool tui_app_too_small(const struct tui_app *app);    /* the last frame was below the minimum */

#endif
