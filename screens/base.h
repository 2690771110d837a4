/* base — what every table screen of the console shares, so each screen only says what is its
 * own: embed a struct scr_base as the FIRST member of the screen's state, fill the hooks, call
 * scr_base_init, and use the scr_base_* callbacks in the screen's tui_screen_class:
 *
 *   struct sync_screen { struct scr_base b; ...own fields... };
 *   static const struct scr_base_ops ops = {.prefix = "sync.", .feed_key = "sync.jobs",
 *       .cols = cols, .ncols = NCOLS, .empty = "no jobs yet", .need = "sync.read",
 *       .denied = "Your role may not see the sync queue.", .refresh_ev = SCR_EV_JOBS,
 *       .submit = submit, .take = take, ...};
 *   scr_base_init(&s->b, c, &ops);
 *   const struct tui_screen_class sync_screen_class = {.name = "sync", ..., SCR_BASE_CALLBACKS};
 *
 * The one feed (key feed_key) is read while the screen is visible and the role may (need):
 * when shown, on its NOTIFY (refresh_ev), when the listener reconnects, at login (at once),
 * on C-r (at once, and its rows show from the top: scr_base_reload), after one of its actions
 * finished (at once), and every every_ms when set
 * (checks with no NOTIFY). A forced read supersedes one in flight (the newest answer wins).
 * Results under the screen's route prefix that are not the feed are action results: toasted
 * by scr_act_done. While the feed's read is in flight the screen is loading
 * (tui_app_set_loading: the status line says so). Keys: the login gate, then modal (a form or flow
 * the screen has open), then the table's keys, then C-r, then the screen's meanings of built-in
 * actions (handlers: enter, back); the app then runs the screen's own actions (the run of each
 * row of its tui_action table). Drawing: the login gate, the "not permitted" notice, then
 * draw_body. */
#ifndef SCR_BASE_H
#define SCR_BASE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tui/app.h"
#include "tui/table.h"
#include "screens/common.h"

struct scr_base;

/* What a screen is (const, one per screen): its route, feed, permission and hooks. */
struct scr_base_ops {
    const char *prefix;   /* result route ("sync.") */
    const char *feed_key; /* the feed's reader key ("sync.jobs"), under prefix */
    const struct tui_column *cols;
    int ncols;
    const char *empty;  /* the table's text with no rows */
    const char *need;   /* core action to see the screen ("sync.read") */
    const char *denied; /* the notice shown when the role may not */
    int refresh_ev;     /* SCR_EV_* that makes the feed stale; 0: none */
    int64_t every_ms;   /* also re-read this often while shown; 0: never */
    /* Hooks (b is the screen: cast to it). submit is required; the rest may be NULL. */
    void (*submit)(struct scr_base *b); /* start the feed's read (scr_submit on feed.key) */
    void (*take)(struct scr_base *b, struct od_read_result *r);     /* a good snapshot: take it */
    unsigned (*modal)(struct scr_base *b, const struct tui_key *k); /* 0: nothing open */
    const struct tui_handler *handlers; /* built-in actions the screen gives a meaning ("enter") */
    size_t nhandlers;
    void (*draw_body)(struct scr_base *b, struct tui_grid *g, struct tui_rect a);
    /* Right of the status line; default "N of M" (rows shown of rows). */
    void (*status_extra)(struct scr_base *b, char *out, size_t n);
};

struct scr_base {
    const struct scr_base_ops *ops; /* borrowed */
    struct scr_ctx *c;              /* borrowed */
    struct tui_table t;
    struct scr_feed feed;
    bool visible;
    bool reset_view; /* the next snapshot shows from the top (scr_base_reload) */
};

/* The class callbacks every table screen uses (in its tui_screen_class initializer). */
#define SCR_BASE_CALLBACKS                                                                         \
    .enter = scr_base_enter, .leave = scr_base_leave, .key = scr_base_key, .draw = scr_base_draw,  \
    .on_event = scr_base_event, .status = scr_base_status

/* Registers the result route and sets up the table. */
void scr_base_init(struct scr_base *b, struct scr_ctx *c, const struct scr_base_ops *ops);
void scr_base_release(struct scr_base *b);
/* New columns (a view or a drill level): the table starts again empty ("loading…"). */
void scr_base_set_columns(struct scr_base *b, const struct tui_column *cols, int ncols);
/* Mark the feed stale and read now if allowed (force: now, whatever the floor or pause). */
void scr_base_request(struct scr_base *b, bool force);
/* A read the person asked for (C-r, a new range): now, and its rows show from the top with
 * the first row selected (a live refresh keeps the selection where it is). */
void scr_base_reload(struct scr_base *b);

/* tui_screen_class callbacks (state is the screen, whose first member is the base). */
void scr_base_enter(void *state, struct tui_app *app);
void scr_base_leave(void *state, struct tui_app *app);
unsigned scr_base_key(void *state, struct tui_app *app, const struct tui_key *k);
void scr_base_draw(void *state, struct tui_app *app, struct tui_grid *g, struct tui_rect a);
unsigned scr_base_event(void *state, struct tui_app *app, struct tui_event *ev);
const char *scr_base_status(void *state, struct tui_app *app);

#endif
