/* inbox — what other threads and the clock hand to the UI thread: events posted from any
 * thread, timers, and the eventfd that wakes the loop. Knows nothing of screens or the
 * terminal; the app (tui/app.c) owns one and delivers what it holds.
 *
 *   struct tui_inbox in;
 *   tui_inbox_init(&in);
 *   tui_inbox_post(&in, (struct tui_event){type, data, free_fn});   // any thread; wakes
 *   poll() on tui_inbox_fd(&in) ... tui_inbox_drain(&in);             // the UI thread
 *   flags |= tui_inbox_deliver(&in, each, ud);   // each(ev) in posting order, then data freed
 *   flags |= tui_inbox_run_timers(&in, now_ms, app);
 *   tui_inbox_release(&in);                       // frees what was never delivered
 * Only post and wake may be called from other threads. */
#ifndef TUI_INBOX_H
#define TUI_INBOX_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct tui_app;
struct tui_posted;
struct tui_timer;

/* Something a worker produced, delivered on the UI thread. */
struct tui_event {
    int type;                    /* the poster's own numbering (e.g. an enum in core/db/events.h) */
    void *data;                  /* payload; a screen that keeps it sets data = NULL */
    void (*free_fn)(void *data); /* frees data not taken by any screen; may be NULL */
};

struct tui_inbox {
    int wake_fd;                    /* eventfd: write a uint64_t 1 to wake */
    pthread_mutex_t lock;           /* guards the posted list */
    struct tui_posted *head, *tail; /* owned */
    struct tui_timer *timers;       /* owned array */
    int ntimers, captimers, next_timer_id;
};

/* No eventfd is like running out of memory (od_die). */
void tui_inbox_init(struct tui_inbox *in);
void tui_inbox_release(struct tui_inbox *in);

/* --- any thread --- */
void tui_inbox_wake(struct tui_inbox *in);
void tui_inbox_post(struct tui_inbox *in, struct tui_event ev); /* ev.data owned from here */

/* --- the UI thread --- */
int tui_inbox_fd(const struct tui_inbox *in);
void tui_inbox_drain(struct tui_inbox *in); /* consume pending wake-ups (after poll) */
/* Take every posted event, oldest first: each(ev, ud) sees it, then its data (unless each set
 * it to NULL) is freed. Returns the OR of what each returned. */
unsigned tui_inbox_deliver(struct tui_inbox *in, unsigned (*each)(struct tui_event *ev, void *ud),
                           void *ud);
/* A timer calling fn(app, ud) every interval_ms (once when !repeat); returns an id > 0. */
int tui_inbox_timer(struct tui_inbox *in, int64_t interval_ms, bool repeat,
                    unsigned (*fn)(struct tui_app *app, void *ud), void *ud);
void tui_inbox_timer_cancel(struct tui_inbox *in, int id);
/* Run the timers due at now_ms (monotonic); returns the OR of their results. */
unsigned tui_inbox_run_timers(struct tui_inbox *in, int64_t now_ms, struct tui_app *app);
/* Monotonic ms of the next timer, -1 for none. */
int64_t tui_inbox_next_timer(const struct tui_inbox *in);

#endif
