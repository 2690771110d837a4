/* loop — the app's event loop: poll on stdin and an eventfd, posted events from worker
 * threads, timers, and at most one frame per pass (capped at ~60 per second). See app.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "core/base/util.h"
#include "tui/app_impl.h"
#include "tui/guard.h"

#define FRAME_MS 16

void tui_loop_init(struct tui_app *app)
{
    app->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (app->wake_fd < 0) od_die("eventfd: %s", strerror(errno));
    pthread_mutex_init(&app->lock, NULL);
}

void tui_loop_release(struct tui_app *app)
{
    for (struct tui_posted *p = app->head, *next; p; p = next) {
        next = p->next;
        if (p->ev.data && p->ev.free_fn) p->ev.free_fn(p->ev.data);
        free(p);
    }
    app->head = app->tail = NULL;
    free(app->timers);
    app->timers = NULL;
    if (app->wake_fd >= 0) close(app->wake_fd);
    app->wake_fd = -1;
    pthread_mutex_destroy(&app->lock);
}

void tui_app_wake(struct tui_app *app)
{
    uint64_t one = 1;
    ssize_t r = write(app->wake_fd, &one, sizeof one);
    (void)r; /* EAGAIN means a wake-up is already pending */
}

int tui_app_wake_fd(const struct tui_app *app)
{
    return app->wake_fd;
}

void tui_app_post(struct tui_app *app, int type, void *data, void (*free_fn)(void *))
{
    struct tui_posted *p = od_xcalloc(1, sizeof *p);
    p->ev = (struct tui_event){type, data, free_fn};
    pthread_mutex_lock(&app->lock);
    if (app->tail)
        app->tail->next = p;
    else
        app->head = p;
    app->tail = p;
    pthread_mutex_unlock(&app->lock);
    tui_app_wake(app);
}

void tui_app_redraw(struct tui_app *app)
{
    tui_app_post(app, -1, NULL, NULL); /* an empty event: the loop redraws after it */
}

int tui_app_timer(struct tui_app *app, int64_t interval_ms, bool repeat,
                  unsigned (*fn)(struct tui_app *, void *), void *ud)
{
    if (app->ntimers == app->captimers) {
        app->captimers = app->captimers ? app->captimers * 2 : 8;
        app->timers = od_xrealloc(app->timers, (size_t)app->captimers * sizeof *app->timers);
    }
    int id = ++app->next_timer_id;
    app->timers[app->ntimers++] =
        (struct tui_timer){id, od_now_ms() + interval_ms, interval_ms, repeat, fn, ud};
    return id;
}

void tui_app_timer_cancel(struct tui_app *app, int id)
{
    for (int i = 0; i < app->ntimers; i++)
        if (app->timers[i].id == id) {
            app->timers[i] = app->timers[--app->ntimers];
            return;
        }
}

unsigned tui_app_dispatch(struct tui_app *app, int64_t now)
{
    unsigned flags = 0;
    pthread_mutex_lock(&app->lock);
    struct tui_posted *list = app->head;
    app->head = app->tail = NULL;
    pthread_mutex_unlock(&app->lock);
    for (struct tui_posted *p = list, *next; p; p = next) {
        next = p->next;
        for (int i = 0; i < app->nscreens && p->ev.type >= 0; i++)
            if (app->screens[i].cls->on_event)
                flags |= app->screens[i].cls->on_event(app->screens[i].state, app, &p->ev);
        if (p->ev.data && p->ev.free_fn) p->ev.free_fn(p->ev.data);
        flags |= TUI_REDRAW;
        free(p);
    }
    for (int i = 0; i < app->ntimers; i++) {
        struct tui_timer t = app->timers[i];
        if (t.next > now) continue;
        if (t.repeat)
            app->timers[i].next = now + t.interval;
        else
            app->timers[i--] = app->timers[--app->ntimers];
        flags |= t.fn(app, t.ud);
    }
    if (tui_toast_expire(&app->toasts, now)) flags |= TUI_REDRAW;
    if (tui_guard_stop_requested() || app->quit) flags |= TUI_QUIT;
    return flags;
}

/* Milliseconds until the next timer or toast expiry, -1 for none. */
static int next_timeout(const struct tui_app *app, int64_t now)
{
    int64_t next = tui_toast_next_expiry(&app->toasts);
    for (int i = 0; i < app->ntimers; i++)
        if (next < 0 || app->timers[i].next < next) next = app->timers[i].next;
    if (next < 0) return -1;
    return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

static void frame(struct tui_app *app, struct tui_grid *g)
{
    int w, h;
    tui_term_size(app->term, &w, &h);
    if (w != g->w || h != g->h) {
        tui_grid_resize(g, w, h);
        tui_term_invalidate(app->term);
    }
    tui_app_render(app, g);
    tui_term_flush(app->term, g);
}

static void loop(struct tui_app *app, struct tui_grid *g)
{
    bool dirty = true;
    int64_t last_frame = 0;
    while (!app->quit) {
        int64_t now = od_now_ms();
        if (dirty && now - last_frame >= FRAME_MS) {
            frame(app, g);
            last_frame = now;
            dirty = false;
        }
        int timeout = next_timeout(app, now);
        if (dirty) /* a frame is owed but the cap delayed it */
            timeout = timeout < 0 || timeout > FRAME_MS ? FRAME_MS : timeout;
        struct pollfd pfd[2] = {{STDIN_FILENO, POLLIN, 0}, {app->wake_fd, POLLIN, 0}};
        if (poll(pfd, 2, timeout) > 0 && (pfd[1].revents & POLLIN)) {
            uint64_t v;
            ssize_t r = read(app->wake_fd, &v, sizeof v);
            (void)r;
        }
        unsigned flags = 0;
        int key;
        while ((key = tui_term_read_key(app->term)) >= 0 && !(flags & TUI_QUIT))
            flags |= tui_app_feed_key(app, key);
        flags |= tui_app_dispatch(app, od_now_ms());
        if (flags & TUI_QUIT) app->quit = true;
        if (flags & (TUI_REDRAW | TUI_HANDLED)) dirty = true;
    }
}

int tui_app_run(struct tui_app *app)
{
    struct tui_term term;
    if (tui_guard_capture_stderr() < 0) return -1;
    tui_guard_install(app->wake_fd);
    if (tui_term_open(&term, app->colors) < 0) {
        tui_guard_uninstall();
        tui_guard_release_stderr();
        return -1;
    }
    app->term = &term;
    app->quit = false;
    tui_term_apply_theme(&term, &app->theme);
    struct tui_grid g;
    tui_grid_init(&g, 0, 0);
    g.ascii = term.ascii;
    loop(app, &g);
    if (app->entered && app->screens[app->cur].cls->leave)
        app->screens[app->cur].cls->leave(app->screens[app->cur].state, app);
    app->entered = false;
    tui_grid_release(&g);
    tui_term_close(&term);
    app->term = NULL;
    int sig = tui_guard_stop_signal();
    tui_guard_uninstall();
    tui_guard_release_stderr();
    return sig;
}
