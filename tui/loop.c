/* loop — tui_app_run: the terminal and the event loop on top of the app (tui/app.c). Poll
 * on stdin and the app's wake fd, feed keys, deliver posted events and due timers
 * (tui_app_dispatch), and draw at most one frame per pass (capped at ~60 per second). The
 * app knows nothing of this file. See app.h. */
#include <poll.h>
#include <unistd.h>
#include "core/base/util.h"
#include "tui/app.h"
#include "tui/app_impl.h"
#include "tui/guard.h"

#define FRAME_MS 16

/* Milliseconds until the next timer or toast expiry, -1 for none. */
static int next_timeout(const struct tui_app *app, int64_t now)
{
    int64_t next = tui_toast_next_expiry(&app->toasts);
    int64_t timer = tui_inbox_next_timer(&app->inbox);
    if (next < 0 || (timer >= 0 && timer < next)) next = timer;
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
        struct pollfd pfd[2] = {{STDIN_FILENO, POLLIN, 0}, {tui_app_wake_fd(app), POLLIN, 0}};
        if (poll(pfd, 2, timeout) > 0 && (pfd[1].revents & POLLIN)) tui_inbox_drain(&app->inbox);
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
    tui_guard_install(tui_app_wake_fd(app));
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
