/* admin — screen 5 (admins only): v cycles three views — users (role, status, live sessions,
 * last login), live sessions, and connections (stored provider credentials, metadata only).
 * e ends the selected session (on the users view: every session of that user), d disables the
 * selected user, c starts the HubSpot OAuth paste flow (admin_oauth.c). Each write asks for
 * the person's password again first (the prompt is the confirmation; issue #5), checked by
 * od_auth_reverify on a query worker before the core re-checks the role and does it.
 * Reads refresh after every write and on C-r; sessions and users have no NOTIFY. */
#include "screens/admin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/security/auth.h"
#include "core/base/util.h"
#include "screens/admin_oauth.h"
#include "screens/admin_read.h"
#include "screens/base.h"
#include "screens/common.h"

struct admin_screen {
    struct scr_base b; /* first */
    int view;
    struct admin_oauth *oauth; /* owned while the paste flow is open */
};

static const char *const view_name[] = {"Users", "Sessions", "Connections"};

static void submit(struct scr_base *b)
{
    struct admin_read_arg *a = od_xcalloc(1, sizeof *a);
    a->auth = b->c->auth;
    a->view = ((struct admin_screen *)b)->view;
    scr_submit(b->c, b->feed.key, admin_read, a, free, admin_snap_free);
}

static void take(struct scr_base *b, struct od_read_result *r)
{
    struct admin_snap *snap = r->snapshot;
    if (snap->view != ((struct admin_screen *)b)->view) return; /* left that view meanwhile */
    tui_table_set_rows(&b->t, &snap->rows);
}

static void set_view(struct admin_screen *s, int view)
{
    s->view = view;
    scr_base_set_columns(&s->b, admin_cols[view], 6);
    scr_base_request(&s->b, true);
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

static unsigned ask(struct admin_screen *s, bool disable)
{
    const struct tui_table *t = &s->b.t;
    long row = tui_table_selected(t);
    if (row < 0 || s->view == ADMIN_CONNECTIONS || (disable && s->view != ADMIN_USERS))
        return TUI_HANDLED;
    const char *key = tui_rowset_key(&t->rows, (size_t)row);
    char q[320];
    if (disable)
        snprintf(q, sizeof q, "Disable %s and end their sessions?", key);
    else if (s->view == ADMIN_USERS)
        snprintf(q, sizeof q, "End every session of %s?", key);
    else
        snprintf(q, sizeof q, "End session %s (%s)?", key,
                 tui_rowset_cell(&t->rows, (size_t)row, 1));
    /* the password prompt is the confirmation (Esc cancels) */
    if (disable)
        scr_act_reverify(s->b.c, q, "admin.act.disable", "users.manage", do_disable, key, NULL);
    else
        scr_act_reverify(s->b.c, q, "admin.act.end", "users.manage", do_end, key, NULL);
    return TUI_HANDLED | TUI_REDRAW;
}

/* The OAuth paste flow takes every key while it is open. */
static unsigned modal(struct scr_base *b, const struct tui_key *k)
{
    struct admin_screen *s = (struct admin_screen *)b;
    if (!s->oauth) return 0;
    bool done;
    unsigned f = admin_oauth_key(s->oauth, b->c, k, &done);
    if (done) {
        admin_oauth_free(s->oauth);
        s->oauth = NULL;
    }
    return f | TUI_HANDLED;
}

static unsigned act_view(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct admin_screen *s = state;
    set_view(s, (s->view + 1) % ADMIN_NVIEWS);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_end_session(void *state, struct tui_app *app, const struct tui_key *k)
{
    return ask(state, false);
}

static unsigned act_disable(void *state, struct tui_app *app, const struct tui_key *k)
{
    return ask(state, true);
}

static unsigned act_connect(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct admin_screen *s = state;
    s->oauth = admin_oauth_start(s->b.c);
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_action actions[] = {
    {"admin.view", "v", "next view: users, sessions, connections", "admin", 0, act_view},
    {"admin.end_session", "e", "end the selected session (users view: all of the user's)", "admin",
     TUI_ACT_WRITES, act_end_session},
    {"admin.disable", "d", "disable the selected user and end their sessions", "admin",
     TUI_ACT_WRITES, act_disable},
    {"admin.connect", "c", "connect HubSpot (OAuth: paste the redirect address)", "admin",
     TUI_ACT_WRITES, act_connect},
};

static void draw_body(struct scr_base *b, struct tui_grid *g, struct tui_rect a)
{
    struct admin_screen *s = (struct admin_screen *)b;
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
        tui_table_draw(&b->t, g, body, true);
}

static const struct scr_base_ops ops = {.prefix = "admin.",
                                        .feed_key = "admin.rows",
                                        .cols = admin_cols[0],
                                        .ncols = 6,
                                        .empty = "loading…",
                                        .need = "users.manage",
                                        .denied = "Admin is for admins only.",
                                        .submit = submit,
                                        .take = take,
                                        .modal = modal,
                                        .draw_body = draw_body};

const struct tui_screen_class admin_screen_class = {.name = "admin",
                                                    .title = "Admin",
                                                    .actions = actions,
                                                    .nactions = OD_ARRAY_LEN(actions),
                                                    SCR_BASE_CALLBACKS};

struct admin_screen *admin_screen_new(struct scr_ctx *c)
{
    struct admin_screen *s = od_xcalloc(1, sizeof *s);
    scr_base_init(&s->b, c, &ops);
    return s;
}

void admin_screen_free(struct admin_screen *s)
{
    if (!s) return;
    admin_oauth_free(s->oauth);
    scr_base_release(&s->b);
    free(s);
}
