/* admin — screen 5 (admins only): v cycles three views — users (role, status, live sessions,
 * last login), live sessions, and connections (stored provider credentials, metadata only).
 * e ends the selected session (on the users view: every session of that user), d disables the
 * selected user, c starts the HubSpot OAuth paste flow (admin_oauth.c). Each write asks
 * first (or is itself the confirmation: the pasted address) and is re-checked by the core.
 * Reads refresh after every write and on C-r; sessions and users have no NOTIFY. */
#include "screens/admin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth.h"
#include "core/util.h"
#include "screens/admin_oauth.h"
#include "screens/admin_read.h"
#include "screens/common.h"
#include "tui/table.h"

struct admin_screen {
    struct scr_ctx *c;
    struct tui_table t;
    struct scr_feed feed;
    bool visible;
    int view;
    struct admin_oauth *oauth; /* owned while the paste flow is open */
    char target[256];          /* what the open confirmation is about */
    bool disable;              /* the confirmation is for a disable, not an end */
};

static const char *const view_name[] = {"Users", "Sessions", "Connections"};

static const struct tui_action actions[] = {
    {"admin.view", "v", "next view: users, sessions, connections", "admin", 0},
    {"admin.end_session", "e", "end the selected session (users view: all of the user's)", "admin",
     TUI_ACT_WRITES},
    {"admin.disable", "d", "disable the selected user and end their sessions", "admin",
     TUI_ACT_WRITES},
    {"admin.connect", "c", "connect HubSpot (OAuth: paste the redirect address)", "admin",
     TUI_ACT_WRITES},
};

static void submit(struct admin_screen *s)
{
    struct admin_read_arg *a = od_xcalloc(1, sizeof *a);
    a->auth = s->c->auth;
    a->view = s->view;
    scr_submit(s->c, "admin.rows", admin_read, a, free, admin_snap_free);
}

static void pump(void *screen)
{
    struct admin_screen *s = screen;
    if (s->visible && scr_can(s->c, "users.manage", false) && scr_feed_due(s->c, &s->feed, false))
        submit(s);
}

static void request(struct admin_screen *s, bool force)
{
    s->feed.want = true;
    if (!s->visible || !scr_can(s->c, "users.manage", false)) return;
    if (force) s->feed.inflight = false; /* a view switch: the newest answer wins */
    if (scr_feed_due(s->c, &s->feed, force)) submit(s);
}

static void on_result(void *screen, struct od_qresult *r)
{
    struct admin_screen *s = screen;
    if (strcmp(r->key, "admin.rows")) {
        scr_act_done(s->c, r);
        request(s, true);
        return;
    }
    if (!scr_feed_done(s->c, &s->feed, r)) return;
    struct admin_snap *snap = r->snapshot;
    if (snap->view != s->view) return; /* left that view meanwhile */
    tui_table_set_rows(&s->t, &snap->rows);
}

static void set_view(struct admin_screen *s, int view)
{
    s->view = view;
    tui_table_release(&s->t);
    tui_table_init(&s->t, admin_cols[view], 6);
    s->t.empty = "loading…";
    request(s, true);
}

static int do_end(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    int ended = 0;
    if (od_user_logout(a->c->auth, a->s->email, a->text, &ended) < 0) return -1;
    sb_addf(msg, "%d session(s) ended (%s)", ended, a->text);
    return 0;
}

static int do_disable(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    if (od_user_disable(a->c->auth, a->s->email, a->text) < 0) return -1;
    sb_addf(msg, "%s disabled; their sessions ended", a->text);
    return 0;
}

static unsigned answer(struct tui_app *app, bool yes, void *ud)
{
    struct admin_screen *s = ud;
    if (!yes || !s->c->session) return TUI_REDRAW;
    if (s->disable)
        scr_act_submit(s->c, "admin.act.disable", "users.manage", do_disable, 0, 0, s->target,
                       NULL);
    else
        scr_act_submit(s->c, "admin.act.end", "users.manage", do_end, 0, 0, s->target, NULL);
    return TUI_REDRAW;
}

static unsigned ask(struct admin_screen *s, bool disable)
{
    long row = tui_table_selected(&s->t);
    if (row < 0 || s->view == ADMIN_CONNECTIONS || (disable && s->view != ADMIN_USERS))
        return TUI_HANDLED;
    const char *key = tui_rowset_key(&s->t.rows, (size_t)row);
    snprintf(s->target, sizeof s->target, "%s", key);
    s->disable = disable;
    char q[320];
    if (disable)
        snprintf(q, sizeof q, "Disable %s and end their sessions?", key);
    else if (s->view == ADMIN_USERS)
        snprintf(q, sizeof q, "End every session of %s?", key);
    else
        snprintf(q, sizeof q, "End session %s (%s)?", key,
                 tui_rowset_cell(&s->t.rows, (size_t)row, 1));
    tui_app_confirm(s->c->app, q, answer, s);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned key(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct admin_screen *s = state;
    unsigned f;
    if (scr_gate_key(s->c, k, &f)) return f;
    if (!scr_can(s->c, "users.manage", false)) return 0;
    if (s->oauth) {
        bool done;
        f = admin_oauth_key(s->oauth, s->c, k, &done);
        if (done) {
            admin_oauth_free(s->oauth);
            s->oauth = NULL;
        }
        return f;
    }
    if ((f = tui_table_key(&s->t, k))) return f;
    if (!k->action) return 0;
    if (!strcmp(k->action, "admin.view")) {
        set_view(s, (s->view + 1) % ADMIN_NVIEWS);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(k->action, "admin.end_session")) return ask(s, false);
    if (!strcmp(k->action, "admin.disable")) return ask(s, true);
    if (!strcmp(k->action, "admin.connect")) {
        s->oauth = admin_oauth_start(s->c);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(k->action, "refresh")) {
        request(s, true);
        return TUI_HANDLED | TUI_REDRAW;
    }
    return 0;
}

static void draw(void *state, struct tui_app *app, struct tui_grid *g, struct tui_rect a)
{
    struct admin_screen *s = state;
    if (scr_gate_draw(s->c, g, a)) return;
    if (!scr_can(s->c, "users.manage", false)) {
        scr_notice(g, a, TUI_ROLE_WARN, "Admin is for admins only.");
        return;
    }
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < ADMIN_NVIEWS; i++)
        sb_addf(&sb, "%s%s%s%s", i ? "  " : "", i == s->view ? "[" : " ", view_name[i],
                i == s->view ? "]" : " ");
    sb_add(&sb, "   v next view · e end session · d disable · c connect HubSpot");
    tui_grid_text(g, a.x, a.y, a.w, sb_str(&sb), TUI_ROLE_TITLE);
    sb_release(&sb);
    struct tui_rect body = {a.x, a.y + 1, a.w, a.h - 1};
    if (s->oauth)
        admin_oauth_draw(s->oauth, g, body);
    else
        tui_table_draw(&s->t, g, body, true);
}

static void enter(void *state, struct tui_app *app)
{
    struct admin_screen *s = state;
    s->visible = true;
    request(s, false);
}

static void leave(void *state, struct tui_app *app)
{
    ((struct admin_screen *)state)->visible = false;
}

static unsigned on_event(void *state, struct tui_app *app, struct tui_event *ev)
{
    struct admin_screen *s = state;
    unsigned f = scr_event(s->c, ev);
    if (ev->type == SCR_EV_CONNECTED || ev->type == SCR_EV_LOGIN) request(s, false);
    return f;
}

static const char *status(void *state, struct tui_app *app)
{
    struct admin_screen *s = state;
    char extra[64];
    snprintf(extra, sizeof extra, "%zu of %zu", tui_table_shown(&s->t), tui_table_total(&s->t));
    return scr_status(s->c, &s->feed, extra);
}

const struct tui_screen_class admin_screen_class = {.name = "admin",
                                                    .title = "Admin",
                                                    .actions = actions,
                                                    .nactions = OD_ARRAY_LEN(actions),
                                                    .enter = enter,
                                                    .leave = leave,
                                                    .key = key,
                                                    .draw = draw,
                                                    .on_event = on_event,
                                                    .status = status};

struct admin_screen *admin_screen_new(struct scr_ctx *c)
{
    struct admin_screen *s = od_xcalloc(1, sizeof *s);
    s->c = c;
    s->feed.key = "admin.rows";
    tui_table_init(&s->t, admin_cols[0], 6);
    s->t.empty = "loading…";
    scr_route(c, "admin.", s, on_result, pump);
    return s;
}

void admin_screen_free(struct admin_screen *s)
{
    if (!s) return;
    admin_oauth_free(s->oauth);
    tui_table_release(&s->t);
    free(s);
}
