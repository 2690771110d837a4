/* app_impl — the app's private state, shared by tui/app.c (screens, keys, drawing) and
 * tui/loop.c (event loop, wake-ups, posted events, timers). Not for screens: use tui/app.h. */
#ifndef TUI_APP_IMPL_H
#define TUI_APP_IMPL_H
#include <pthread.h>
#include "tui/app.h"
#include "tui/confirm.h"
#include "tui/overlay.h"
#include "tui/prompt.h"
#include "tui/term.h"

#define TUI_MAX_SCREENS 9

struct tui_timer {
    int id;
    int64_t next, interval;
    bool repeat;
    unsigned (*fn)(struct tui_app *app, void *ud);
    void *ud;
};

struct tui_posted {
    struct tui_event ev;
    struct tui_posted *next;
};

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
    bool tabs_hidden; /* tui_app_show_tabs(false): the tab line shows only the title */
    int w, h;         /* size of the last frame */

    /* tui_app_set_hints: borrowed; NULL: the global hints */
    const struct tui_hint *hints;
    size_t nhints;
    /* loop */
    int wake_fd;
    pthread_mutex_t lock; /* guards the posted list */
    struct tui_posted *head, *tail;
    struct tui_timer *timers;
    int ntimers, captimers, next_timer_id;
    struct tui_term *term; /* NULL without a terminal */
};

/* loop.c */
void tui_loop_init(struct tui_app *app);
void tui_loop_release(struct tui_app *app);

#endif
