/* events — the LISTEN thread. See events.h.
 *
 * The thread waits in poll() on the connection's socket and on a self-pipe that
 * od_events_stop() writes to, so stopping never waits for a timeout. Callbacks are copied out
 * of the table under the lock and called without it. */
#include "core/db/events.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/base/thread.h"
#include "core/base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SUBS 32
#define PING_MS 30000
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000

static const char *const channels[] = {OD_EVENTS_JOBS, OD_EVENTS_EXCEPTIONS, OD_EVENTS_DATA};

struct sub {
    char channel[32];
    od_event_fn fn;
    void *ud;
};

struct od_events {
    const struct od_config *cfg;
    od_event_fn fn;
    void *ud;
    int pipe[2];
    pthread_t thread;
    pthread_mutex_t lock;
    struct sub subs[MAX_SUBS];
    int nsubs;
    struct od_events_state st;
    bool ever_up;
};

const char *od_events_conn_name(enum od_events_conn c)
{
    return c == OD_EVENTS_UP ? "connected" : c == OD_EVENTS_LOST ? "lost" : "connecting";
}

static void set_state(struct od_events *ev, enum od_events_conn c, const char *err)
{
    pthread_mutex_lock(&ev->lock);
    if (ev->st.conn != c) {
        ev->st.conn = c;
        ev->st.since_ms = od_wall_ms();
        if (c == OD_EVENTS_UP && ev->ever_up) ev->st.reconnects++;
        if (c == OD_EVENTS_UP) ev->ever_up = true;
    }
    if (err) snprintf(ev->st.last_error, sizeof(ev->st.last_error), "%s", err);
    pthread_mutex_unlock(&ev->lock);
}

static void dispatch(struct od_events *ev, const char *channel, const char *payload, int pid)
{
    struct sub calls[MAX_SUBS + 1];
    int n = 0;
    pthread_mutex_lock(&ev->lock);
    if (*channel) ev->st.received++;
    if (ev->fn) calls[n++] = (struct sub){"", ev->fn, ev->ud};
    for (int i = 0; i < ev->nsubs; i++)
        if (strcmp(ev->subs[i].channel, channel) == 0) calls[n++] = ev->subs[i];
    pthread_mutex_unlock(&ev->lock);
    struct od_event e = {channel, payload ? payload : "", pid};
    for (int i = 0; i < n; i++)
        calls[i].fn(&e, calls[i].ud);
}

/* Wait up to ms for the stop pipe; true when stopping. */
static bool stop_requested(struct od_events *ev, int ms)
{
    struct pollfd p = {ev->pipe[0], POLLIN, 0};
    return poll(&p, 1, ms) > 0;
}

static PGconn *connect_listen(struct od_events *ev)
{
    PGconn *c = od_db_connect(ev->cfg, "opsdeck-listen");
    if (!c) return NULL;
    for (size_t i = 0; i < OD_ARRAY_LEN(channels); i++) {
        /* Channel names are constants, not values: nothing to parameterise. */
        char sql[64];
        snprintf(sql, sizeof(sql), "LISTEN %s", channels[i]);
        if (od_db_cmd(c, sql, 0, NULL) < 0) {
            PQfinish(c);
            return NULL;
        }
    }
    return c;
}

/* od_seterr with libpq's multi-line message folded into one line. */
static void one_line(const char *msg)
{
    char buf[180];
    size_t n = 0;
    for (const char *p = msg; *p && n + 1 < sizeof(buf); p++)
        if (*p != '\n' && *p != '\t')
            buf[n++] = *p;
        else if (n && buf[n - 1] != ' ')
            buf[n++] = ' ';
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    od_seterr("listener connection lost: %s", buf);
}

/* Serve one connection until it breaks (returns false) or a stop is requested (true). */
static bool serve(struct od_events *ev, PGconn *c)
{
    int64_t last_io = od_now_ms();
    for (;;) {
        struct pollfd p[2] = {{PQsocket(c), POLLIN, 0}, {ev->pipe[0], POLLIN, 0}};
        int64_t idle = od_now_ms() - last_io;
        int rc = poll(p, 2, idle >= PING_MS ? 0 : (int)(PING_MS - idle));
        if (rc < 0 && errno != EINTR) {
            od_seterr("poll: %s", strerror(errno));
            return false;
        }
        if (p[1].revents) return true;
        if (rc == 0) { /* idle: make sure the server is still there */
            if (od_db_cmd(c, "SELECT 1", 0, NULL) < 0) return false;
            last_io = od_now_ms();
        } else if (p[0].revents) {
            if (!PQconsumeInput(c)) {
                one_line(PQerrorMessage(c));
                return false;
            }
            last_io = od_now_ms();
        }
        PGnotify *n;
        while ((n = PQnotifies(c)) != NULL) {
            dispatch(ev, n->relname, n->extra, n->be_pid);
            PQfreemem(n);
        }
        if (PQstatus(c) != CONNECTION_OK) {
            od_seterr("listener connection lost");
            return false;
        }
    }
}

static void *listen_main(void *arg)
{
    struct od_events *ev = arg;
    od_log_set_thread("listen");
    int backoff = BACKOFF_MIN_MS;
    for (;;) {
        PGconn *c = connect_listen(ev);
        if (!c) {
            char err[200];
            snprintf(err, sizeof(err), "%s", od_err());
            set_state(ev, OD_EVENTS_LOST, err);
            int wait = backoff / 2 + (int)arc4random_uniform((uint32_t)backoff / 2 + 1);
            od_log_warn("listener: %s (retrying in %d ms)", err, wait);
            if (stop_requested(ev, wait)) break;
            backoff = backoff < BACKOFF_MAX_MS / 2 ? backoff * 2 : BACKOFF_MAX_MS;
            continue;
        }
        backoff = BACKOFF_MIN_MS;
        set_state(ev, OD_EVENTS_UP, NULL);
        od_log_info("listener connected");
        dispatch(ev, OD_EVENTS_CONNECTED, "", 0);
        bool stop = serve(ev, c);
        PQfinish(c);
        if (stop) break;
        char err[200];
        snprintf(err, sizeof(err), "%s", od_err());
        set_state(ev, OD_EVENTS_LOST, err);
        od_log_warn("listener: %s", err);
    }
    return NULL;
}

struct od_events *od_events_start(const struct od_config *cfg, od_event_fn fn, void *userdata)
{
    struct od_events *ev = od_xcalloc(1, sizeof(*ev));
    ev->cfg = cfg;
    ev->fn = fn;
    ev->ud = userdata;
    if (pipe2(ev->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        free(ev);
        od_seterr("cannot create a pipe: %s", strerror(errno));
        return NULL;
    }
    pthread_mutex_init(&ev->lock, NULL);
    ev->st.conn = OD_EVENTS_CONNECTING;
    ev->st.since_ms = od_wall_ms();
    od_thread_start(&ev->thread, listen_main, ev);
    return ev;
}

int od_events_subscribe(struct od_events *ev, const char *channel, od_event_fn fn, void *userdata)
{
    pthread_mutex_lock(&ev->lock);
    int rc = -1;
    if (ev->nsubs < MAX_SUBS) {
        struct sub *s = &ev->subs[ev->nsubs++];
        snprintf(s->channel, sizeof(s->channel), "%s", channel);
        s->fn = fn;
        s->ud = userdata;
        rc = 0;
    }
    pthread_mutex_unlock(&ev->lock);
    return rc < 0 ? od_seterr("too many event subscriptions (%d)", MAX_SUBS) : 0;
}

void od_events_state(struct od_events *ev, struct od_events_state *out)
{
    pthread_mutex_lock(&ev->lock);
    *out = ev->st;
    pthread_mutex_unlock(&ev->lock);
}

void od_events_stop(struct od_events *ev)
{
    if (!ev) return;
    ssize_t w;
    do
        w = write(ev->pipe[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(ev->thread, NULL);
    close(ev->pipe[0]);
    close(ev->pipe[1]);
    pthread_mutex_destroy(&ev->lock);
    free(ev);
}
