/* deadletters — a view of the Sync screen (D there; Esc comes back): the records a sync could
 * not store (core/connectors/deadletters.h), open ones newest first: id, provider, resource,
 * record id, when, job and the reason. `a` shows the replayed ones too. Enter shows one: its
 * reason, when, the job, how it was resolved and the payload as received (indented JSON), all
 * sanitized on the way in (tui/overlay.h). r replays the selected one (fetched again upstream,
 * validated with today's parser and stored as the sync would; or the reason it was not) and d
 * discards it (deleted; the audit log keeps it), each after one question. The core checks the
 * role (deadletters.read / .replay / .discard); --readonly refuses r and d with "read-only".
 * Refreshes on NOTIFY opsdeck_jobs (syncs add dead letters) and after r and d. */
#include "screens/deadletters.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/config.h"
#include "core/base/util.h"
#include "core/connectors/deadletters.h"
#include "core/security/auth.h"
#include "screens/base.h"
#include "screens/common.h"
#include "tui/overlay.h"

#define DL_LIMIT 1000

struct dl_pending {
    struct dl_screen *s;
    bool discard;
    int64_t id;
};

struct dl_screen {
    struct scr_base b;               /* first */
    struct od_deadletter_list *snap; /* owned: the rows shown */
    bool all;                        /* a: replayed ones too */
    int64_t want;                    /* the dead letter whose record Enter asked for last */
    struct dl_pending pend;          /* the question being asked */
    char hint[160];                  /* the key line below the table */
};

enum { C_ID, C_PROV, C_RES, C_REC, C_WHEN, C_STATE, C_JOB, C_REASON, NCOLS };
static const struct tui_column cols[NCOLS] = {
    {"ID", TUI_ALIGN_RIGHT, 2, 8, TUI_CMP_NUMBER, NULL},
    {"Provider", TUI_ALIGN_LEFT, 7, 8, TUI_CMP_TEXT, NULL},
    {"Resource", TUI_ALIGN_LEFT, 8, 16, TUI_CMP_TEXT, NULL},
    {"Record", TUI_ALIGN_LEFT, 6, 14, TUI_CMP_TEXT, NULL},
    {"When", TUI_ALIGN_LEFT, 20, 20, TUI_CMP_TEXT, NULL},
    {"State", TUI_ALIGN_LEFT, 5, 8, TUI_CMP_TEXT, NULL},
    {"Job", TUI_ALIGN_RIGHT, 3, 8, TUI_CMP_NUMBER, NULL},
    {"Reason", TUI_ALIGN_LEFT, 10, 0, TUI_CMP_TEXT, NULL},
};

/* What a read on a query worker needs: the role (the core checks it) and which rows. */
struct read_arg {
    enum od_role role;
    bool all;
    int64_t id; /* the record to show (route "dlshow."), or 0 for the list */
};

static void list_free(void *p)
{
    if (!p) return;
    od_deadletter_list_release(p);
    free(p);
}

static void one_free(void *p)
{
    if (!p) return;
    od_deadletter_clear(p);
    free(p);
}

/* Query worker. The session stands for the role only: reads are not audited. */
static void *read_list(PGconn *conn, void *p)
{
    const struct read_arg *a = p;
    struct od_session s = {.role = a->role};
    struct od_dl_who who = {&s, NULL, NULL};
    struct od_deadletter_list *l = od_xcalloc(1, sizeof *l);
    if (od_deadletters_list(conn, &who, a->all, DL_LIMIT, l) < 0) {
        free(l);
        return NULL;
    }
    return l;
}

static void *read_one(PGconn *conn, void *p)
{
    const struct read_arg *a = p;
    struct od_session s = {.role = a->role};
    struct od_dl_who who = {&s, NULL, NULL};
    struct od_deadletter *d = od_xcalloc(1, sizeof *d);
    if (od_deadletter_get(conn, &who, a->id, d) < 0) {
        free(d);
        return NULL;
    }
    return d;
}

static struct read_arg *read_arg_new(const struct dl_screen *s, int64_t id)
{
    struct read_arg *a = od_xcalloc(1, sizeof *a);
    a->role = s->b.c->session ? s->b.c->session->role : OD_ROLE_ONCALL;
    a->all = s->all;
    a->id = id;
    return a;
}

static void submit(struct scr_base *b)
{
    struct dl_screen *s = (struct dl_screen *)b;
    scr_submit(b->c, b->feed.key, read_list, read_arg_new(s, 0), free, list_free);
}

static void fill(struct dl_screen *s)
{
    struct tui_rowset rs;
    tui_rowset_init(&rs, NCOLS);
    for (size_t i = 0; i < s->snap->n; i++) {
        const struct od_deadletter *d = &s->snap->items[i];
        char id[24], job[24] = "", key[32];
        snprintf(id, sizeof id, "%lld", (long long)d->id);
        snprintf(key, sizeof key, "dl:%lld", (long long)d->id);
        if (d->job_id) snprintf(job, sizeof job, "%lld", (long long)d->job_id);
        const char *cells[NCOLS] = {id,
                                    d->provider,
                                    d->resource,
                                    d->record_id ? d->record_id : "-",
                                    d->created_at,
                                    d->resolution ? d->resolution : "open",
                                    job,
                                    d->reason ? d->reason : ""};
        tui_rowset_add(&rs, key, cells, d->resolution ? TUI_ROLE_DIM : TUI_ROLE_NORMAL);
    }
    scr_table_replace(&s->b.t, &rs);
    tui_rowset_release(&rs);
}

static void take(struct scr_base *b, struct od_read_result *r)
{
    struct dl_screen *s = (struct dl_screen *)b;
    list_free(s->snap);
    s->snap = r->snapshot;
    r->snapshot = NULL;
    fill(s);
}

/* The selected dead letter's id, or 0. */
static int64_t selected(const struct dl_screen *s)
{
    const char *key = tui_table_selected_key(&s->b.t);
    return key ? strtoll(key + 3, NULL, 10) : 0;
}

/* --- Enter: one dead letter --- */

static void show(struct dl_screen *s, const struct od_deadletter *d)
{
    char title[96];
    snprintf(title, sizeof title, "Dead letter %lld — %s %s", (long long)d->id, d->provider,
             d->resource);
    struct tui_overlay *o = tui_app_overlay(s->b.c->app, title);
    tui_overlay_add(o, d->resolution ? TUI_ROLE_DIM : TUI_ROLE_WARN, "%s",
                    d->resolution ? d->resolution : "open: not stored");
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Record:    %s", d->record_id ? d->record_id : "(no id)");
    tui_overlay_add(o, TUI_ROLE_FAIL, "Reason:    %s", d->reason ? d->reason : "-");
    tui_overlay_add(o, TUI_ROLE_NORMAL, "When:      %s", d->created_at);
    if (d->job_id) tui_overlay_add(o, TUI_ROLE_NORMAL, "Job:       %lld", (long long)d->job_id);
    if (*d->resolved_at)
        tui_overlay_add(o, TUI_ROLE_NORMAL, "Resolved:  %s at %s by %s",
                        d->resolution ? d->resolution : "", d->resolved_at,
                        d->resolved_by ? d->resolved_by : "?");
    tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
    tui_overlay_add(o, TUI_ROLE_HEADER, "Payload (%lld bytes, as received)",
                    (long long)d->payload_bytes);
    char *pretty = od_deadletter_pretty(d->payload);
    for (const char *p = pretty; *p;) {
        size_t n = strcspn(p, "\n");
        tui_overlay_add(o, TUI_ROLE_NORMAL, "  %.*s", (int)n, p);
        p += n + (p[n] == '\n');
    }
    free(pretty);
    tui_overlay_add(o, TUI_ROLE_DIM, "Esc closes; then r replays it, d discards it");
}

static void on_one(void *screen, struct od_read_result *r)
{
    struct dl_screen *s = screen;
    int64_t id = strtoll(r->key + strlen("dlshow."), NULL, 10);
    if (id != s->want || !s->b.visible) return; /* superseded, or the person left */
    s->want = 0;
    if (!r->snapshot) {
        tui_app_toast(s->b.c->app, TUI_TOAST_ERROR, "dead letter %lld: %s", (long long)id,
                      r->error ? r->error : "cannot read it");
        return;
    }
    show(s, r->snapshot);
}

static unsigned on_enter(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct dl_screen *s = state;
    int64_t id = selected(s);
    if (!id) return TUI_HANDLED;
    char key[48];
    snprintf(key, sizeof key, "dlshow.%lld", (long long)id);
    s->want = id;
    scr_submit(s->b.c, key, read_one, read_arg_new(s, id), free, one_free);
    return TUI_HANDLED | TUI_REDRAW;
}

/* Esc/Backspace (once the filter is gone): back to the Sync screen. */
static unsigned on_back(void *state, struct tui_app *app, const struct tui_key *k)
{
    tui_app_show(app, "sync");
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_handler handlers[] = {{"enter", on_enter}, {"back", on_back}};

/* --- r and d (on a query worker via scr_act_submit) --- */

static int do_replay(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    struct od_dl_who who = {a->s, a->s->email, od_config_login_source()};
    struct od_replay_env env = {a->c->cfg, a->c->pool, a->c->vault};
    struct od_replay_result r;
    if (od_deadletter_replay(&env, &who, a->id, OD_REPLAY_AUTO, &r) < 0) {
        od_seterr("dead letter %lld not replayed: %s", (long long)a->id, r.message);
        return -1;
    }
    sb_addf(msg, "dead letter %lld: %s", (long long)a->id, r.message);
    return 0;
}

static int do_discard(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    struct od_dl_who who = {a->s, a->s->email, od_config_login_source()};
    if (od_deadletter_discard(conn, &who, a->id) < 0) return -1;
    sb_addf(msg, "dead letter %lld discarded (the audit log keeps what it was)", (long long)a->id);
    return 0;
}

static unsigned answer(struct tui_app *app, bool yes, void *ud)
{
    struct dl_pending *p = ud;
    struct scr_ctx *c = p->s->b.c;
    if (!yes || !c->session) return TUI_REDRAW;
    if (p->discard)
        scr_act_submit(c, "deadletters.act.discard", "deadletters.discard", do_discard, p->id, 0,
                       NULL, NULL);
    else
        scr_act_submit(c, "deadletters.act.replay", "deadletters.replay", do_replay, p->id, 0, NULL,
                       NULL);
    return TUI_REDRAW;
}

static unsigned ask(struct dl_screen *s, bool discard)
{
    const struct tui_table *t = &s->b.t;
    long row = tui_table_selected(t);
    int64_t id = selected(s);
    if (row < 0 || !id) return TUI_HANDLED;
    char q[320];
    s->pend = (struct dl_pending){.s = s, .discard = discard, .id = id};
    snprintf(q, sizeof q, "%s dead letter %lld (%s %s, record %s)?%s",
             discard ? "Discard" : "Replay", (long long)id,
             tui_rowset_cell(&t->rows, (size_t)row, C_PROV),
             tui_rowset_cell(&t->rows, (size_t)row, C_RES),
             tui_rowset_cell(&t->rows, (size_t)row, C_REC),
             discard ? " It is deleted; the audit log keeps it."
                     : " It is fetched again, validated and stored.");
    tui_app_confirm(s->b.c->app, q, answer, &s->pend);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_replay(void *state, struct tui_app *app, const struct tui_key *k)
{
    return ask(state, false);
}

static unsigned act_discard(void *state, struct tui_app *app, const struct tui_key *k)
{
    return ask(state, true);
}

static unsigned act_all(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct dl_screen *s = state;
    s->all = !s->all;
    scr_base_reload(&s->b);
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_action actions[] = {
    {"deadletters.replay", "r", "replay the selected dead letter: fetch, validate, store (asks)",
     "deadletters", TUI_ACT_WRITES, act_replay},
    {"deadletters.discard", "d", "discard the selected dead letter (asks first; audited)",
     "deadletters", TUI_ACT_WRITES, act_discard},
    {"deadletters.all", "a", "show the replayed ones too / only the open ones", "deadletters", 0,
     act_all},
};

/* One key of action ("" when unbound) and its label, into sb. */
static void hint(struct strbuf *sb, const struct tui_keymap *km, const char *action,
                 const char *label)
{
    char keys[64];
    tui_keymap_keys(km, action, keys, sizeof keys);
    keys[strcspn(keys, ",")] = '\0';
    if (!keys[0]) return;
    sb_addf(sb, "%s%s %s", sb->len ? " · " : "", keys, label);
}

static void draw_body(struct scr_base *b, struct tui_grid *g, struct tui_rect a)
{
    struct dl_screen *s = (struct dl_screen *)b;
    int foot = a.h >= 6 ? 1 : 0;
    tui_table_draw(&b->t, g, (struct tui_rect){a.x, a.y, a.w, a.h - foot}, true);
    if (!foot) return;
    const struct tui_keymap *km = tui_app_keymap(b->c->app);
    struct strbuf sb = STRBUF_INIT;
    hint(&sb, km, "enter", "record");
    hint(&sb, km, "deadletters.replay", "replay");
    hint(&sb, km, "deadletters.discard", "discard");
    hint(&sb, km, "deadletters.all", s->all ? "open only" : "replayed too");
    hint(&sb, km, "back", "back to Sync");
    snprintf(s->hint, sizeof s->hint, "%s", sb_str(&sb));
    sb_release(&sb);
    tui_grid_text(g, a.x, a.y + a.h - 1, a.w, s->hint, TUI_ROLE_DIM);
}

static void status_extra(struct scr_base *b, char *out, size_t n)
{
    const struct dl_screen *s = (const struct dl_screen *)b;
    if (!s->snap) {
        snprintf(out, n, "dead letters");
        return;
    }
    snprintf(out, n, "%lld open, %lld replayed · %zu of %zu shown", (long long)s->snap->open,
             (long long)s->snap->resolved, tui_table_shown(&b->t), tui_table_total(&b->t));
}

static const struct scr_base_ops ops = {.prefix = "deadletters.",
                                        .feed_key = "deadletters.list",
                                        .cols = cols,
                                        .ncols = NCOLS,
                                        .empty = "no open dead letters — every record was stored",
                                        .need = "deadletters.read",
                                        .denied = "Your role may not see dead letters.",
                                        .refresh_ev = SCR_EV_JOBS,
                                        .submit = submit,
                                        .take = take,
                                        .handlers = handlers,
                                        .nhandlers = OD_ARRAY_LEN(handlers),
                                        .draw_body = draw_body,
                                        .status_extra = status_extra};

const struct tui_screen_class dl_screen_class = {.name = "deadletters",
                                                 .title = "Dead letters",
                                                 .parent = "sync",
                                                 .actions = actions,
                                                 .nactions = OD_ARRAY_LEN(actions),
                                                 SCR_BASE_CALLBACKS};

struct dl_screen *dl_screen_new(struct scr_ctx *c)
{
    struct dl_screen *s = od_xcalloc(1, sizeof *s);
    scr_base_init(&s->b, c, &ops);
    scr_route(c, "dlshow.", s, on_one, NULL);
    return s;
}

void dl_screen_free(struct dl_screen *s)
{
    if (!s) return;
    scr_base_release(&s->b);
    list_free(s->snap);
    free(s);
}
