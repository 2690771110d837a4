/* common — what every console screen shares: the services (borrowed from cmd_ui), the logged-in
 * session, live-refresh plumbing and the status line.
 *
 * Live refresh: the listener thread posts SCR_EV_* events (scr_events_attach); a screen marks
 * its feeds wanted and calls scr_feed_due(), which says "submit now" at most once per
 * ui.refresh_ms and never while paused or while a read of the feed is in flight. A repeating
 * timer (the same interval) retries owed feeds, so a burst of NOTIFYs costs one read per
 * interval and `p` (pause) only delays them; resuming (tui_app_on_pause) reads what is owed
 * at once. The timer stays: it also retries reads the floor deferred, re-runs timed checks and
 * notices the listener's state. Reads run on the query workers (core/db/reader.h);
 * their results come back as SCR_EV_RESULT and are routed by key prefix to the screen that
 * registered it (scr_route). Old rows stay on screen until new ones arrive; a feed in flight
 * makes the screen "loading" (tui_screen_class.loading, screens/base.h), which the app shows
 * at the start of the status line.
 *
 * Writes (start, cancel, ack ...) also go through the query workers (scr_submit) and come back
 * routed the same way; the core re-checks the role (od_auth_require) on the worker.
 *
 * Every screen gates its key/draw callbacks on a session (scr_gate_key/scr_gate_draw): until
 * someone logs in, the gate (a scr_gate_class: the login form of screens/login.c, registered by
 * screens/screens.c) takes every key and the whole body, and the tab line shows no screens
 * (scr_update_title). */
#ifndef SCR_COMMON_H
#define SCR_COMMON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/db/events.h"
#include "core/db/reader.h"
#include "tui/app.h"

struct od_config;
struct od_pool;
struct od_auth;
struct od_vault;
struct od_session;
struct scr_ctx;

/* Event types posted to the app (tui_event.type). */
enum scr_event {
    SCR_EV_RESULT = 100, /* a query worker finished something: drain the results */
    SCR_EV_JOBS,         /* NOTIFY opsdeck_jobs */
    SCR_EV_EXCEPTIONS,   /* NOTIFY opsdeck_exceptions */
    SCR_EV_DATA,         /* NOTIFY opsdeck_data */
    SCR_EV_CONNECTED,    /* the listener (re)connected: anything may have changed */
    SCR_EV_LOGIN,        /* someone logged in: every screen starts its reads */
};

/* What every screen shows until someone logs in (the login form). gate is the state given
 * to scr_gate_set. key returns TUI_* flags; 0 lets the app's global keys act (C-c quits). */
struct scr_gate_class {
    unsigned (*key)(void *gate, struct scr_ctx *c, const struct tui_key *k);
    void (*draw)(void *gate, struct scr_ctx *c, struct tui_grid *g, struct tui_rect area);
    /* Put the keys that work on the gate in the status line (tui_app_set_hints); may be NULL. */
    void (*hints)(void *gate, struct scr_ctx *c);
    void (*free)(void *gate);
};

typedef void (*scr_result_fn)(void *screen, struct od_read_result *r);
typedef void (*scr_pump_fn)(void *screen);

struct scr_ctx {
    const struct od_config *cfg;  /* borrowed */
    struct od_pool *pool;         /* borrowed: the pool services use */
    struct od_reader *qw;         /* borrowed */
    struct od_auth *auth;         /* borrowed */
    const struct od_vault *vault; /* borrowed; may be NULL */
    struct od_events *events;     /* borrowed; may be NULL */
    struct tui_app *app;          /* borrowed */
    struct od_session *session;   /* owned; NULL until login */
    bool readonly;                /* --readonly: every write action refused */
    bool in_process_workers;      /* sync workers run in this process (breakers are ours) */

    const struct scr_gate_class *gate; /* borrowed; NULL: no gate (nothing to log in with) */
    void *gate_state;                  /* owned: freed with gate->free */

    bool db_ok; /* the last read reached the database */
    char db_err[200];
    enum od_events_conn listen; /* last seen listener state */
    int64_t refreshed_wall_ms;  /* when the last read finished */
    char status[200];           /* buffer for the status line */
    char title[300];            /* buffer for the tab-line title */
    struct scr_route {
        const char *prefix; /* borrowed literal */
        scr_result_fn fn;
        scr_pump_fn pump;
        void *screen;
    } route[12];
    int nroute;
    int timer;
};

/* A stream of snapshots a screen shows (one query worker key). */
struct scr_feed {
    const char *key;     /* borrowed literal: the reader key */
    bool want;           /* a read is owed */
    bool inflight;       /* submitted, no result yet */
    int64_t last_ms;     /* monotonic ms of the last submission */
    int64_t loaded_wall; /* wall ms of the last good result, 0 = never */
    char err[200];       /* last error ("" none); the old rows stay */
};

void scr_ctx_init(struct scr_ctx *c);
void scr_ctx_release(struct scr_ctx *c);
/* Start the refresh timer and subscribe listener callbacks that post SCR_EV_* to the app
 * (call once, after tui_app_new and setting c->events). */
void scr_events_attach(struct scr_ctx *c);
/* For od_reader_start: wake = scr_reader_wake, wake_arg = the ctx. */
void scr_reader_wake(void *ctx);
/* A screen takes results whose key starts with prefix; pump is called by the refresh timer
 * and after login (may be NULL). */
void scr_route(struct scr_ctx *c, const char *prefix, void *screen, scr_result_fn fn,
               scr_pump_fn pump);
/* Call from every screen's on_event: drains results (once, whoever comes first), tracks the
 * database state and starts the refresh timer. Returns TUI_* flags. */
unsigned scr_event(struct scr_ctx *c, struct tui_event *ev);

/* True when the feed should be submitted now (marks it in flight); force ignores the floor
 * and pause (a key the person pressed), never an in-flight read. */
bool scr_feed_due(struct scr_ctx *c, struct scr_feed *f, bool force);
/* Record a result on the feed; true when r holds a snapshot. */
bool scr_feed_done(struct scr_ctx *c, struct scr_feed *f, const struct od_read_result *r);
/* Submit a read or write on the query workers (arg owned from here on). */
void scr_submit(struct scr_ctx *c, const char *key, od_read_fn fn, void *arg,
                void (*free_arg)(void *), void (*free_snapshot)(void *));
bool scr_busy(struct scr_ctx *c, const char *key);

/* A write on a query worker: the session is re-validated (a copy, so the UI's stays its own),
 * the role re-checked with od_auth_require(need), then fn runs and appends a message for the
 * person to msg. Results come back under key (route it) with the message as the snapshot
 * (char *); hand them to scr_act_done. id/version/text are fn's parameters. */
struct scr_act {
    struct scr_ctx *c;    /* borrowed: read only its services (pool, auth, cfg, vault) */
    struct od_session *s; /* owned copy */
    const char *key;      /* borrowed literal: the result key */
    const char *need;     /* core action */
    int (*fn)(struct scr_act *a, PGconn *conn, struct strbuf *msg);
    int64_t id;
    int version;
    char *text, *text2; /* owned or NULL */
    char *pw;           /* owned, locked memory, or NULL: reverified first, then wiped */
};
void scr_act_submit(struct scr_ctx *c, const char *key, const char *need,
                    int (*fn)(struct scr_act *, PGconn *, struct strbuf *), int64_t id, int version,
                    const char *text, const char *text2);
/* The same for admin actions, after asking the person's password again: a masked prompt shows
 * question ("Disable bob@…?") and "Your password"; Enter submits, and on the worker
 * od_auth_reverify runs before anything else (a wrong password refuses the action with a
 * toast; the core audits every attempt and counts failures toward the lockout); Esc cancels.
 * The password is wiped as soon as it was checked (or the prompt cancelled). */
void scr_act_reverify(struct scr_ctx *c, const char *question, const char *key, const char *need,
                      int (*fn)(struct scr_act *, PGconn *, struct strbuf *), const char *text,
                      const char *text2);
/* Toast the outcome; an ended session logs out. True on success. */
bool scr_act_done(struct scr_ctx *c, const struct od_read_result *r);

/* The gate shown until someone logs in; takes state (freed by scr_ctx_release). */
void scr_gate_set(struct scr_ctx *c, const struct scr_gate_class *cls, void *state);
/* Login gate: true when not logged in (the gate handled the key / drew the body). */
bool scr_gate_key(struct scr_ctx *c, const struct tui_key *k, unsigned *flags);
bool scr_gate_draw(struct scr_ctx *c, struct tui_grid *g, struct tui_rect area);
/* Whether the session's role may do a core action ("sync.start"); false when read-only for
 * writes (pass write=true), or when nobody is logged in. */
bool scr_can(const struct scr_ctx *c, const char *core_action, bool write);
/* The app's allow hook: maps a screen action to the core action it needs. */
bool scr_allow(const char *action, void *ctx);
/* Refresh the tab-line title after a login. */
void scr_update_title(struct scr_ctx *c);
/* Status line text: "db ok · live · 12:03:04 · <extra>" (borrowed buffer). */
const char *scr_status(struct scr_ctx *c, const struct scr_feed *f, const char *extra);
/* Replace a table's rows (moved out of rs). A selection on the first row follows the top, so
 * rows that arrive above it (a new job, a new critical exception) are seen; elsewhere the
 * selection stays on its row key as tui_table_set_rows keeps it. */
struct tui_table;
struct tui_rowset;
void scr_table_replace(struct tui_table *t, struct tui_rowset *rs);
/* Draw a one-line notice in the middle of area (empty states, "not permitted"). */
void scr_notice(struct tui_grid *g, struct tui_rect area, uint8_t role, const char *text);

/* Text helpers (no curses). ascii: the terminal cannot show block characters. */
bool scr_ascii(void);
/* Progress bar of w cells, eighth blocks ("#" in ASCII), into out (>= 4*w+1 bytes). */
void scr_bar(char *out, size_t n, int64_t done, int64_t total, int w);
/* Sparkline of the last w values into out (>= 3*w+1 bytes). */
void scr_spark(char *out, size_t n, const int64_t *v, size_t count, int w);
/* Sparkline of count values, one cell each, a blank cell where has[i] is false (so rows
 * sharing the same months line up); scaled over the values present. out >= 3*count+1 bytes. */
void scr_spark_gaps(char *out, size_t n, const int64_t *v, const bool *has, size_t count);
/* An exact decimal ("-1234567.50") with thousands separators ("-1,234,567.50"), then suffix
 * (may be ""); anything that is not a plain decimal is copied as it is. */
void scr_thousands(char *out, size_t n, const char *num, const char *suffix);
/* "42s", "5m", "3h", "2d" since an RFC 3339 timestamp (or "" when empty/unparsable). */
void scr_age(char *out, size_t n, const char *rfc3339);
/* Wall ms of an RFC 3339 / Postgres timestamp, 0 when unparsable. */
int64_t scr_parse_time(const char *s);

#endif
