/* common — shared console plumbing: result routing, live-refresh feeds, status, role checks.
 * See common.h for the contract. */
#include "screens/common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/security/auth.h"
#include "core/base/util.h"
#include "tui/table.h"

void scr_ctx_init(struct scr_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->db_ok = true;
    c->listen = OD_EVENTS_CONNECTING;
}

void scr_ctx_release(struct scr_ctx *c)
{
    if (c->gate && c->gate->free) c->gate->free(c->gate_state);
    c->gate = NULL;
    c->gate_state = NULL;
    if (c->session) od_session_free(c->session);
    c->session = NULL;
}

static void post_for(const struct od_event *ev, void *ud)
{
    struct scr_ctx *c = ud;
    int type = SCR_EV_CONNECTED;
    if (!strcmp(ev->channel, OD_EVENTS_JOBS))
        type = SCR_EV_JOBS;
    else if (!strcmp(ev->channel, OD_EVENTS_EXCEPTIONS))
        type = SCR_EV_EXCEPTIONS;
    else if (!strcmp(ev->channel, OD_EVENTS_DATA))
        type = SCR_EV_DATA;
    tui_app_post(c->app, type, NULL, NULL);
}

static unsigned tick(struct tui_app *app, void *ud);
static void pump_all(struct scr_ctx *c);

/* Resuming reads what was owed at once (the tick would only catch up within an interval). */
static unsigned on_pause(struct tui_app *app, bool paused, void *ud)
{
    struct scr_ctx *c = ud;
    if (!paused && c->session) pump_all(c);
    return 0;
}

void scr_events_attach(struct scr_ctx *c)
{
    if (!c->timer) c->timer = tui_app_timer(c->app, tui_app_refresh_ms(c->app), true, tick, c);
    tui_app_on_pause(c->app, on_pause, c);
    if (!c->events) return;
    od_events_subscribe(c->events, OD_EVENTS_JOBS, post_for, c);
    od_events_subscribe(c->events, OD_EVENTS_EXCEPTIONS, post_for, c);
    od_events_subscribe(c->events, OD_EVENTS_DATA, post_for, c);
    od_events_subscribe(c->events, OD_EVENTS_CONNECTED, post_for, c);
}

void scr_reader_wake(void *ctx)
{
    struct scr_ctx *c = ctx;
    tui_app_post(c->app, SCR_EV_RESULT, NULL, NULL);
}

void scr_route(struct scr_ctx *c, const char *prefix, void *screen, scr_result_fn fn,
               scr_pump_fn pump)
{
    if (c->nroute == (int)OD_ARRAY_LEN(c->route)) od_die("BUG: too many result routes");
    c->route[c->nroute++] = (struct scr_route){prefix, fn, pump, screen};
}

static void pump_all(struct scr_ctx *c)
{
    for (int i = 0; i < c->nroute; i++)
        if (c->route[i].pump) c->route[i].pump(c->route[i].screen);
}

/* The refresh clock: retries owed feeds and notices the listener coming and going. */
static unsigned tick(struct tui_app *app, void *ud)
{
    struct scr_ctx *c = ud;
    unsigned flags = 0;
    if (c->events) {
        struct od_events_state st;
        od_events_state(c->events, &st);
        if (st.conn != c->listen) {
            if (st.conn == OD_EVENTS_LOST)
                tui_app_toast(app, TUI_TOAST_WARN, "live updates lost (%s); retrying",
                              st.last_error[0] ? st.last_error : "connection closed");
            else if (st.conn == OD_EVENTS_UP && c->listen == OD_EVENTS_LOST)
                tui_app_toast(app, TUI_TOAST_INFO, "live updates are back");
            c->listen = st.conn;
            flags |= TUI_REDRAW;
        }
    }
    if (c->session) pump_all(c);
    return flags;
}

unsigned scr_event(struct scr_ctx *c, struct tui_event *ev)
{
    if (ev->type == SCR_EV_CONNECTED) {
        unsigned f = tick(c->app, c); /* show "live" at once */
        return f;
    }
    if (ev->type != SCR_EV_RESULT) return 0;
    struct od_read_result r;
    unsigned flags = 0;
    while (od_reader_poll(c->qw, &r)) {
        for (int i = 0; i < c->nroute; i++) {
            size_t pl = strlen(c->route[i].prefix);
            if (strncmp(r.key, c->route[i].prefix, pl)) continue;
            c->route[i].fn(c->route[i].screen, &r);
            break;
        }
        od_read_result_release(&r);
        flags |= TUI_REDRAW;
    }
    return flags;
}

bool scr_feed_due(struct scr_ctx *c, struct scr_feed *f, bool force)
{
    if (!c->session || f->inflight) return false;
    int64_t now = od_now_ms();
    if (!force) {
        if (!f->want || tui_app_paused(c->app)) return false;
        if (f->last_ms && now - f->last_ms < tui_app_refresh_ms(c->app)) return false;
    }
    f->want = false;
    f->inflight = true;
    f->last_ms = now;
    return true;
}

bool scr_feed_done(struct scr_ctx *c, struct scr_feed *f, const struct od_read_result *r)
{
    f->inflight = false;
    if (!r->snapshot) {
        snprintf(f->err, sizeof f->err, "%s", r->error ? r->error : "read failed");
        c->db_ok = false;
        snprintf(c->db_err, sizeof c->db_err, "%s", f->err);
        return false;
    }
    f->err[0] = '\0';
    f->loaded_wall = od_wall_ms();
    c->refreshed_wall_ms = f->loaded_wall;
    c->db_ok = true;
    return true;
}

void scr_submit(struct scr_ctx *c, const char *key, od_read_fn fn, void *arg,
                void (*free_arg)(void *), void (*free_snapshot)(void *))
{
    od_reader_submit(c->qw, key, fn, arg, free_arg, free_snapshot);
}

bool scr_busy(struct scr_ctx *c, const char *key)
{
    return od_reader_busy(c->qw, key) > 0;
}

void scr_gate_set(struct scr_ctx *c, const struct scr_gate_class *cls, void *state)
{
    if (c->gate && c->gate->free) c->gate->free(c->gate_state);
    c->gate = cls;
    c->gate_state = state;
}

bool scr_gate_key(struct scr_ctx *c, const struct tui_key *k, unsigned *flags)
{
    if (c->session) return false;
    *flags = c->gate ? c->gate->key(c->gate_state, c, k) : 0;
    return true;
}

bool scr_gate_draw(struct scr_ctx *c, struct tui_grid *g, struct tui_rect area)
{
    if (c->session) return false;
    if (c->gate)
        c->gate->draw(c->gate_state, c, g, area);
    else
        scr_notice(g, area, TUI_ROLE_WARN, "Not logged in.");
    return true;
}

bool scr_can(const struct scr_ctx *c, const char *core_action, bool write)
{
    if (!c->session) return false;
    if (write && c->readonly) return false;
    return od_auth_can(c->session->role, core_action);
}

/* Screen actions -> the core action each needs (data, not an if ladder). */
static const struct {
    const char *action, *core;
} needs[] = {
    {"sync.start", "sync.start"},
    {"sync.cancel", "jobs.cancel"},
    {"sync.retry", "jobs.retry"},
    {"exceptions.ack", "exceptions.ack"},
    {"exceptions.resolve", "exceptions.resolve"},
    {"admin.end_session", "users.manage"},
    {"admin.disable", "users.manage"},
    {"admin.connect", "connections.manage"},
};

bool scr_allow(const char *action, void *ud)
{
    struct scr_ctx *c = ud;
    if (!c->session) return true; /* the login form takes every key */
    for (size_t i = 0; i < OD_ARRAY_LEN(needs); i++)
        if (!strcmp(action, needs[i].action)) return scr_can(c, needs[i].core, true);
    return true;
}

void scr_update_title(struct scr_ctx *c)
{
    if (c->session)
        snprintf(c->title, sizeof c->title, "%s (%s)%s", c->session->email,
                 od_role_name(c->session->role), c->readonly ? " read-only" : "");
    else
        snprintf(c->title, sizeof c->title, "opsdeck · log in");
    tui_app_set_title(c->app, c->title);
    tui_app_show_tabs(c->app, c->session != NULL); /* only the login form until then */
    if (c->session || !c->gate || !c->gate->hints)
        tui_app_set_hints(c->app, NULL, 0);
    else
        c->gate->hints(c->gate_state, c);
}

const char *scr_status(struct scr_ctx *c, const struct scr_feed *f, const char *extra)
{
    if (!c->session) return "";
    const char *listen = !c->events                    ? "no listener"
                         : c->listen == OD_EVENTS_UP   ? "live"
                         : c->listen == OD_EVENTS_LOST ? "live: lost"
                                                       : "live: connecting";
    char at[16] = "never";
    if (c->refreshed_wall_ms) {
        time_t t = (time_t)(c->refreshed_wall_ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(at, sizeof at, "%H:%M:%S", &tm);
    }
    snprintf(c->status, sizeof c->status, "%s · db %s · %s · %s%s",
             tui_app_paused(c->app) ? "paused" : at, c->db_ok ? "ok" : "error", listen,
             f && f->err[0] ? "stale · " : "", extra ? extra : "");
    /* keep the most useful bits first; drop a trailing separator */
    size_t n = strlen(c->status), sep = strlen(" · ");
    if (n >= sep && !strcmp(c->status + n - sep, " · ")) c->status[n - sep] = '\0';
    return c->status;
}

void scr_notice(struct tui_grid *g, struct tui_rect area, uint8_t role, const char *text)
{
    if (area.h <= 0) return;
    tui_grid_text_aligned(g, area.x, area.y + area.h / 2, area.w, text, TUI_ALIGN_CENTER, role);
}

void scr_table_replace(struct tui_table *t, struct tui_rowset *rs)
{
    bool at_top = t->sel == 0 && t->top == 0;
    tui_table_set_rows(t, rs);
    if (at_top && t->nview) tui_table_select_key(t, tui_rowset_key(&t->rows, t->view[0]));
}
