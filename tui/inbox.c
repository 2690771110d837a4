/* inbox — posted events, timers and the wake eventfd; see inbox.h. */
#include "tui/inbox.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "core/base/util.h"

struct tui_posted {
    struct tui_event ev;
    struct tui_posted *next;
};

struct tui_timer {
    int id;
    int64_t next, interval;
    bool repeat;
    unsigned (*fn)(struct tui_app *app, void *ud);
    void *ud;
};

void tui_inbox_init(struct tui_inbox *in)
{
    memset(in, 0, sizeof *in);
    in->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (in->wake_fd < 0) od_die("eventfd: %s", strerror(errno));
    pthread_mutex_init(&in->lock, NULL);
}

void tui_inbox_release(struct tui_inbox *in)
{
    for (struct tui_posted *p = in->head, *next; p; p = next) {
        next = p->next;
        if (p->ev.data && p->ev.free_fn) p->ev.free_fn(p->ev.data);
        free(p);
    }
    in->head = in->tail = NULL;
    free(in->timers);
    in->timers = NULL;
    if (in->wake_fd >= 0) close(in->wake_fd);
    in->wake_fd = -1;
    pthread_mutex_destroy(&in->lock);
}

void tui_inbox_wake(struct tui_inbox *in)
{
    uint64_t one = 1;
    ssize_t r = write(in->wake_fd, &one, sizeof one);
    (void)r; /* EAGAIN means a wake-up is already pending */
}

void tui_inbox_post(struct tui_inbox *in, struct tui_event ev)
{
    struct tui_posted *p = od_xcalloc(1, sizeof *p);
    p->ev = ev;
    pthread_mutex_lock(&in->lock);
    if (in->tail)
        in->tail->next = p;
    else
        in->head = p;
    in->tail = p;
    pthread_mutex_unlock(&in->lock);
    tui_inbox_wake(in);
}

int tui_inbox_fd(const struct tui_inbox *in)
{
    return in->wake_fd;
}

void tui_inbox_drain(struct tui_inbox *in)
{
    uint64_t v;
    ssize_t r = read(in->wake_fd, &v, sizeof v);
    (void)r;
}

unsigned tui_inbox_deliver(struct tui_inbox *in, unsigned (*each)(struct tui_event *, void *),
                           void *ud)
{
    unsigned flags = 0;
    pthread_mutex_lock(&in->lock);
    struct tui_posted *list = in->head;
    in->head = in->tail = NULL;
    pthread_mutex_unlock(&in->lock);
    for (struct tui_posted *p = list, *next; p; p = next) {
        next = p->next;
        flags |= each(&p->ev, ud);
        if (p->ev.data && p->ev.free_fn) p->ev.free_fn(p->ev.data);
        free(p);
    }
    return flags;
}

int tui_inbox_timer(struct tui_inbox *in, int64_t interval_ms, bool repeat,
                    unsigned (*fn)(struct tui_app *, void *), void *ud)
{
    if (in->ntimers == in->captimers) {
        in->captimers = in->captimers ? in->captimers * 2 : 8;
        in->timers = od_xrealloc(in->timers, (size_t)in->captimers * sizeof *in->timers);
    }
    int id = ++in->next_timer_id;
    in->timers[in->ntimers++] =
        (struct tui_timer){id, od_now_ms() + interval_ms, interval_ms, repeat, fn, ud};
    return id;
}

void tui_inbox_timer_cancel(struct tui_inbox *in, int id)
{
    for (int i = 0; i < in->ntimers; i++)
        if (in->timers[i].id == id) {
            in->timers[i] = in->timers[--in->ntimers];
            return;
        }
}

unsigned tui_inbox_run_timers(struct tui_inbox *in, int64_t now, struct tui_app *app)
{
    unsigned flags = 0;
    for (int i = 0; i < in->ntimers; i++) {
        struct tui_timer t = in->timers[i];
        if (t.next > now) continue;
        if (t.repeat)
            in->timers[i].next = now + t.interval;
        else
            in->timers[i--] = in->timers[--in->ntimers];
        flags |= t.fn(app, t.ud);
    }
    return flags;
}

int64_t tui_inbox_next_timer(const struct tui_inbox *in)
{
    int64_t next = -1;
    for (int i = 0; i < in->ntimers; i++)
        if (next < 0 || in->timers[i].next < next) next = in->timers[i].next;
    return next;
}
