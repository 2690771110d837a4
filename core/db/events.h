/* events — one dedicated connection that LISTENs for the database's notifications and hands
 * them to callbacks: what the console uses for live refresh and workers for prompt wake-up.
 *
 *   struct od_events *ev = od_events_start(cfg, on_event, ui);   // thread "listen"
 *   od_events_subscribe(ev, OD_EVENTS_JOBS, on_job, NULL);        // per topic, any time
 *   struct od_events_state st; od_events_state(ev, &st);          // status bar: connected/lost
 *   od_events_stop(ev);                                           // joins, closes, frees
 *
 * Channels: opsdeck_jobs (job state and progress, payload {id,state,done,total,...}),
 * opsdeck_exceptions, opsdeck_data (payloads are small keys, never data). After every
 * (re)connect the callbacks get an event with channel OD_EVENTS_CONNECTED ("") and no payload:
 * notifications may have been missed while disconnected, so refresh everything.
 * The connection is re-made with exponential backoff and jitter (250 ms .. 30 s) when lost; an
 * idle connection is checked every 30 s. Callbacks run on the listener thread, must be quick
 * and must not call od_events_stop; event strings are borrowed for the call only and come from
 * the database (sanitize before display). The listener never runs inside a transaction, so
 * notifications are delivered as soon as they are committed. */
#ifndef OD_EVENTS_H
#define OD_EVENTS_H
#include <stdint.h>

struct od_config;

#define OD_EVENTS_JOBS "opsdeck_jobs"
#define OD_EVENTS_EXCEPTIONS "opsdeck_exceptions"
#define OD_EVENTS_DATA "opsdeck_data"
#define OD_EVENTS_CONNECTED ""

struct od_event {
    const char *channel; /* one of the above */
    const char *payload; /* "" when none */
    int backend_pid;     /* the notifying session, 0 for OD_EVENTS_CONNECTED */
};
typedef void (*od_event_fn)(const struct od_event *ev, void *userdata);

enum od_events_conn { OD_EVENTS_CONNECTING, OD_EVENTS_UP, OD_EVENTS_LOST };

struct od_events_state {
    enum od_events_conn conn;
    int64_t since_ms; /* wall clock (ms since the epoch) when conn took its value */
    uint64_t received, reconnects;
    char last_error[200]; /* why the connection was lost, "" when never */
};

/* fn (may be NULL) gets every event. Starts the thread at once; a database that is down is
 * not an error here (the state says "lost" and it keeps trying). cfg is borrowed. */
struct od_events *od_events_start(const struct od_config *cfg, od_event_fn fn, void *userdata);
/* Add a callback for one channel (or OD_EVENTS_CONNECTED). -1 when the table is full (32). */
int od_events_subscribe(struct od_events *ev, const char *channel, od_event_fn fn, void *userdata);
void od_events_state(struct od_events *ev, struct od_events_state *out);
const char *od_events_conn_name(enum od_events_conn c); /* "connecting", "connected", "lost" */
void od_events_stop(struct od_events *ev);

#endif
