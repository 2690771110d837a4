/* sync — screen 1: the job queue live. One row per recent job (provider, resource, state, a
 * progress bar, rate, ETA, attempts, last error), below it each provider's rate-limit headroom
 * and breaker state and a throughput sparkline (items/s summed over running jobs, one sample
 * per refresh). n starts a sync of every provider (also `:sync harvest|hubspot|all [full]`),
 * x cancels the selected job, r retries it; each asks first and is refused by role or
 * --readonly. Enter opens the job's detail (screens/sync_detail.c). Space marks jobs (a ✓ before
 * the id); `:cancel` and `:retry` act on the marked jobs (or the selected one) and `:retry dead`
 * on every dead job, each after one question. D opens the dead letters (screens/deadletters.c).
 * Below the table, a line with this screen's keys. Refreshes on NOTIFY opsdeck_jobs. */
#include "screens/sync.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/net/breaker.h"
#include "core/base/config.h"
#include "core/jobs/jobview.h"
#include "core/jobs/queue.h"
#include "core/net/ratelimit.h"
#include "core/sync/syncplan.h"
#include "core/base/util.h"
#include "screens/base.h"
#include "screens/common.h"
#include "screens/sync_detail.h"
#include "screens/sync_marks.h"

#define NSPARK 120
#define MAX_BUCKETS 4

struct sync_snap {
    struct od_job_row *rows;
    size_t n;
    struct od_ratelimit_headroom hr[MAX_BUCKETS];
    int nhr;
};

struct sync_screen;
struct pending {
    struct sync_screen *s;
    int kind; /* 0 start, 1 cancel, 2 retry, 3 retry every dead job */
    int64_t id;
    char provider[16];
    bool full;
    char ids[512]; /* kinds 1 and 2 over marked jobs: "12,15,16" */
};
struct sync_screen {
    struct scr_base b;      /* first */
    struct sync_snap *snap; /* owned: the rows shown (for the provider lines and actions) */
    int64_t spark[NSPARK];
    size_t nspark;
    struct pending pend;        /* the question being asked (the app shows one at a time) */
    struct sync_detail *detail; /* owned */
    struct sync_marks marks;    /* Space */
};

enum { C_ID, C_PROV, C_RES, C_STATE, C_PROG, C_RATE, C_ETA, C_ATT, C_ERR, NCOLS };
static const struct tui_column cols[NCOLS] = {
    {"ID", TUI_ALIGN_RIGHT, 2, 8, TUI_CMP_NUMBER, NULL},
    {"Provider", TUI_ALIGN_LEFT, 7, 8, TUI_CMP_TEXT, NULL},
    {"Resource", TUI_ALIGN_LEFT, 8, 16, TUI_CMP_TEXT, NULL},
    {"State", TUI_ALIGN_LEFT, 9, 44, TUI_CMP_TEXT, NULL},
    {"Progress", TUI_ALIGN_LEFT, 15, 15, TUI_CMP_DECIMAL, NULL},
    {"Rate/s", TUI_ALIGN_RIGHT, 6, 8, TUI_CMP_DECIMAL, NULL},
    {"ETA", TUI_ALIGN_RIGHT, 3, 6, TUI_CMP_NUMBER, NULL},
    {"Att", TUI_ALIGN_RIGHT, 3, 5, TUI_CMP_NUMBER, NULL},
    {"Last error", TUI_ALIGN_LEFT, 10, 0, TUI_CMP_TEXT, NULL},
};

static void snap_free(void *p)
{
    struct sync_snap *s = p;
    if (!s) return;
    od_queue_rows_free(s->rows, s->n);
    free(s);
}

/* Query worker. arg: the configuration (borrowed). The console waits on jobs too, so it
 * rescues those of dead workers (as every worker process does) before it shows them. */
static void *read_jobs(PGconn *conn, void *arg)
{
    const struct od_config *cfg = arg;
    struct sync_snap *s = od_xcalloc(1, sizeof *s);
    (void)od_queue_rescue(conn, cfg->sync.rescue_after_s); /* on error the list still shows */
    if (od_queue_list(conn, NULL, NULL, 0, 500, &s->rows, &s->n) < 0) {
        free(s);
        return NULL;
    }
    int nhr = od_ratelimit_buckets(conn, s->hr, MAX_BUCKETS);
    s->nhr = nhr < 0 ? 0 : nhr; /* no headroom lines this time: the jobs still show */
    return s;
}

static uint8_t state_role(const char *st)
{
    if (!strcmp(st, "running")) return TUI_ROLE_ACCENT;
    if (!strcmp(st, "dead")) return TUI_ROLE_FAIL;
    if (!strcmp(st, "retryable")) return TUI_ROLE_WARN;
    if (!strcmp(st, "cancelled") || !strcmp(st, "completed")) return TUI_ROLE_DIM;
    return TUI_ROLE_NORMAL;
}

static void fill(struct sync_screen *s)
{
    struct tui_rowset rs;
    tui_rowset_init(&rs, NCOLS);
    int64_t thru = 0;
    int64_t *listed = od_xcalloc(s->snap->n + 1, sizeof *listed);
    for (size_t i = 0; i < s->snap->n; i++)
        listed[i] = s->snap->rows[i].id;
    sync_marks_keep(&s->marks, listed, s->snap->n); /* jobs no longer listed are not acted on */
    free(listed);
    for (size_t i = 0; i < s->snap->n; i++) {
        const struct od_job_row *j = &s->snap->rows[i];
        char id[32], prog[96], bar[64], rate[32] = "", eta[32] = "", att[16], key[32];
        snprintf(id, sizeof id, "%s%lld",
                 sync_marks_has(&s->marks, j->id) ? (scr_ascii() ? "* " : "✓ ") : "",
                 (long long)j->id);
        snprintf(key, sizeof key, "job:%lld", (long long)j->id);
        bool running = !strcmp(j->state, "running");
        if (running) thru += (int64_t)j->rate_per_s;
        int64_t total = j->progress_total, done = j->progress_done;
        if (total >= 0 && done > total) total = -1; /* passed: unknown, not over 100% */
        if (!strcmp(j->state, "completed") && total <= 0) total = done = 1;
        scr_bar(bar, sizeof bar, done, total, 10);
        if (total > 0)
            snprintf(prog, sizeof prog, "%s %3lld%%", bar, (long long)(done * 100 / total));
        else
            snprintf(prog, sizeof prog, "%s %lld", bar, (long long)done);
        if (j->rate_per_s > 0) snprintf(rate, sizeof rate, "%.1f", j->rate_per_s);
        if (running && j->rate_per_s > 0 && total > done) {
            long long sec = (long long)((double)(total - done) / j->rate_per_s);
            if (sec < 120)
                snprintf(eta, sizeof eta, "%llds", sec);
            else
                snprintf(eta, sizeof eta, "%lldm", sec / 60);
        }
        snprintf(att, sizeof att, "%d/%d", j->attempts, j->max_attempts);
        char st[OD_JOBVIEW_MAX];
        enum od_jobview view = od_jobview_state(j, s->b.c->cfg->sync.heartbeat_s, st, sizeof st);
        if (view == OD_JOBVIEW_STALLED || view == OD_JOBVIEW_WAITING) eta[0] = '\0';
        const char *cells[NCOLS] = {id,  j->provider, j->resource,
                                    st,  prog,        rate,
                                    eta, att,         j->last_error ? j->last_error : ""};
        tui_rowset_add(&rs, key, cells,
                       view == OD_JOBVIEW_STALLED ? TUI_ROLE_WARN : state_role(j->state));
    }
    scr_table_replace(&s->b.t, &rs);
    tui_rowset_release(&rs);
    if (s->nspark == NSPARK) {
        memmove(s->spark, s->spark + 1, (NSPARK - 1) * sizeof s->spark[0]);
        s->nspark--;
    }
    s->spark[s->nspark++] = thru;
}

static void submit(struct scr_base *b)
{
    scr_submit(b->c, b->feed.key, read_jobs, (void *)b->c->cfg, NULL, snap_free);
}

static void take(struct scr_base *b, struct od_read_result *r)
{
    struct sync_screen *s = (struct sync_screen *)b;
    snap_free(s->snap);
    s->snap = r->snapshot;
    r->snapshot = NULL;
    fill(s);
}

/* --- actions (run on a query worker via scr_act_submit) --- */

static int do_start(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    struct od_plan_job jobs[16];
    const char *prov = a->text ? a->text : "all";
    int n = od_syncplan_enqueue(conn, prov, a->version == 1, 0, jobs, OD_ARRAY_LEN(jobs));
    if (n < 0) return -1;
    int created = 0;
    for (int i = 0; i < n; i++)
        created += jobs[i].created;
    sb_addf(msg, "sync %s: %d job(s) queued, %d already pending", prov, created, n - created);
    return 0;
}

static int do_cancel(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    int rc = od_queue_cancel(conn, a->id);
    if (rc < 0) return -1;
    sb_addf(msg, rc ? "job %lld cancelled" : "job %lld had already finished", (long long)a->id);
    return 0;
}

static int do_retry(struct scr_act *a, PGconn *conn, struct strbuf *msg)
{
    int rc = od_queue_retry(conn, a->id);
    if (rc < 0) return -1;
    sb_addf(msg, rc ? "job %lld queued again" : "job %lld cannot be retried in its state",
            (long long)a->id);
    return 0;
}

static unsigned answer(struct tui_app *app, bool yes, void *ud)
{
    struct pending *p = ud;
    struct scr_ctx *c = p->s->b.c;
    if (!yes || !c->session) return TUI_REDRAW;
    if (p->kind == 0)
        scr_act_submit(c, "sync.act.start", "sync.start", do_start, 0, p->full, p->provider, NULL);
    else if (p->ids[0]) {
        scr_act_submit(c, "sync.act.many", p->kind == 1 ? "jobs.cancel" : "jobs.retry",
                       sync_act_many, 0, p->kind, p->ids, NULL);
        sync_marks_release(&p->s->marks); /* done with them */
        if (p->s->snap) fill(p->s);
    } else if (p->kind == 3)
        scr_act_submit(c, "sync.act.dead", "jobs.retry", sync_act_retry_dead, 0, 0, NULL, NULL);
    else if (p->kind == 1)
        scr_act_submit(c, "sync.act.cancel", "jobs.cancel", do_cancel, p->id, 0, NULL, NULL);
    else
        scr_act_submit(c, "sync.act.retry", "jobs.retry", do_retry, p->id, 0, NULL, NULL);
    return TUI_REDRAW;
}

static void ask_start(struct sync_screen *s, const char *provider, bool full)
{
    char q[160];
    s->pend = (struct pending){.s = s, .kind = 0, .full = full};
    snprintf(s->pend.provider, sizeof s->pend.provider, "%s", provider);
    snprintf(q, sizeof q, "Start a%s sync of %s?", full ? " full" : "",
             strcmp(provider, "all") ? provider : "every provider");
    tui_app_confirm(s->b.c->app, q, answer, &s->pend);
}

/* kind 1 cancel, 2 retry: the marked jobs, else the selected one. */
static unsigned ask_job(struct sync_screen *s, int kind)
{
    const struct tui_table *t = &s->b.t;
    if (s->marks.n) {
        char q[640];
        s->pend = (struct pending){.s = s, .kind = kind};
        size_t n = sync_marks_join(&s->marks, s->pend.ids, sizeof s->pend.ids);
        snprintf(q, sizeof q, "%s %zu marked job(s) (%s)?", kind == 1 ? "Cancel" : "Retry", n,
                 s->pend.ids);
        tui_app_confirm(s->b.c->app, q, answer, &s->pend);
        return TUI_HANDLED | TUI_REDRAW;
    }
    long row = tui_table_selected(t);
    if (row < 0) return TUI_HANDLED;
    const char *key = tui_rowset_key(&t->rows, (size_t)row);
    char q[200];
    s->pend = (struct pending){.s = s, .kind = kind, .id = strtoll(key + 4, NULL, 10)};
    snprintf(q, sizeof q, "%s job %lld (%s %s, %s)?", kind == 1 ? "Cancel" : "Retry",
             (long long)s->pend.id, tui_rowset_cell(&t->rows, (size_t)row, C_PROV),
             tui_rowset_cell(&t->rows, (size_t)row, C_RES),
             tui_rowset_cell(&t->rows, (size_t)row, C_STATE));
    tui_app_confirm(s->b.c->app, q, answer, &s->pend);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_start(void *state, struct tui_app *app, const struct tui_key *k)
{
    ask_start(state, "all", false);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned act_cancel(void *state, struct tui_app *app, const struct tui_key *k)
{
    return ask_job(state, 1);
}

static unsigned act_retry(void *state, struct tui_app *app, const struct tui_key *k)
{
    return ask_job(state, 2);
}

static unsigned act_mark(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct sync_screen *s = state;
    const char *key = tui_table_selected_key(&s->b.t);
    if (!key || !s->snap) return TUI_HANDLED;
    sync_marks_toggle(&s->marks, strtoll(key + 4, NULL, 10));
    fill(s);
    struct tui_key down = {TUI_KEY_DOWN, "down"}; /* on to the next, as in htop and mc */
    tui_table_key(&s->b.t, &down);
    return TUI_HANDLED | TUI_REDRAW;
}

/* D: the dead letters view (screens/deadletters.c). */
static unsigned act_deadletters(void *state, struct tui_app *app, const struct tui_key *k)
{
    if (tui_app_show(app, "deadletters") < 0) tui_app_toast(app, TUI_TOAST_WARN, "%s", od_err());
    return TUI_HANDLED | TUI_REDRAW;
}

/* Enter: the selected job's detail. */
static unsigned on_enter(void *state, struct tui_app *app, const struct tui_key *k)
{
    struct sync_screen *s = state;
    const char *key = tui_table_selected_key(&s->b.t);
    if (key) sync_detail_open(s->detail, strtoll(key + 4, NULL, 10));
    return TUI_HANDLED | TUI_REDRAW;
}

static const struct tui_handler handlers[] = {{"enter", on_enter}};

static const struct tui_action actions[] = {
    {"sync.start", "n", "start a sync of every provider (asks first)", "sync", TUI_ACT_WRITES,
     act_start},
    {"sync.cancel", "x", "cancel the marked jobs, else the selected one (asks first)", "sync",
     TUI_ACT_WRITES, act_cancel},
    {"sync.retry", "r", "retry the marked jobs, else the selected one (asks first)", "sync",
     TUI_ACT_WRITES, act_retry},
    {"sync.mark", "Space", "mark / unmark the job for :cancel and :retry", "sync", 0, act_mark},
    {"sync.deadletters", "D", "dead letters: records a sync could not store (replay, discard)",
     "sync", 0, act_deadletters},
};

/* The key line below the table: this screen's keys (as bound now) and what they do. */
static void draw_hints(struct sync_screen *s, struct tui_grid *g, int x, int y, int w)
{
    static const char *const keys[][2] = {
        {"enter", "detail"},       {"sync.mark", "mark"},   {"sync.start", "sync"},
        {"sync.cancel", "cancel"}, {"sync.retry", "retry"}, {"sync.deadletters", "dead letters"}};
    const struct tui_keymap *km = tui_app_keymap(s->b.c->app);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++) {
        char k[64];
        tui_keymap_keys(km, keys[i][0], k, sizeof k);
        k[strcspn(k, ",")] = '\0';
        if (k[0]) sb_addf(&sb, "%s%s %s", sb.len ? " · " : "", k, keys[i][1]);
    }
    tui_grid_text(g, x, y, w, sb_str(&sb), TUI_ROLE_DIM);
    sb_release(&sb);
}

static void draw_providers(struct sync_screen *s, struct tui_grid *g, int x, int y, int w)
{
    static const char *const provs[] = {"harvest", "hubspot"};
    for (size_t p = 0; p < OD_ARRAY_LEN(provs); p++) {
        struct strbuf sb = STRBUF_INIT;
        sb_addf(&sb, "%-8s", provs[p]);
        bool any = false;
        for (int i = 0; s->snap && i < s->snap->nhr; i++) {
            const struct od_ratelimit_headroom *h = &s->snap->hr[i];
            size_t pl = strlen(provs[p]);
            if (strncmp(h->bucket, provs[p], pl) || (h->bucket[pl] != ':' && h->bucket[pl] != '-'))
                continue;
            sb_addf(&sb, " %s %d/%d per %llds%s", strchr(h->bucket, '-') ? "search" : "headroom",
                    h->remaining, h->limit, (long long)(h->period_ms / 1000),
                    !h->wait_ms ? ""
                    : h->held   ? " (held after a 429)"
                                : " (window full)");
            any = true;
        }
        if (!any) sb_add(&sb, " headroom: no requests yet");
        struct od_breaker_info bi;
        uint8_t role = TUI_ROLE_NORMAL;
        if (!s->b.c->in_process_workers)
            sb_add(&sb, " · breaker: n/a (no workers in this console)");
        else if (od_breaker_info(provs[p], &bi) == 0) {
            sb_addf(&sb, " · breaker %s", od_breaker_state_name(bi.state));
            if (bi.state != OD_BREAKER_CLOSED) role = TUI_ROLE_FAIL;
        }
        tui_grid_text(g, x, y + (int)p, w, sb_str(&sb), role);
        sb_release(&sb);
    }
}

static void draw_body(struct scr_base *b, struct tui_grid *g, struct tui_rect a)
{
    struct sync_screen *s = (struct sync_screen *)b;
    int foot = a.h >= 9 ? 4 : 0;
    struct tui_rect tr = {a.x, a.y, a.w, a.h - foot};
    tui_table_draw(&b->t, g, tr, true);
    if (!foot) return;
    draw_hints(s, g, a.x, a.y + a.h - 1, a.w);
    int y = a.y + a.h - 4;
    draw_providers(s, g, a.x, y, a.w);
    char spark[512];
    int label = 22;
    scr_spark(spark, sizeof spark, s->spark, s->nspark, a.w - label - 12);
    tui_grid_textf(g, a.x, y + 2, label, TUI_ROLE_NORMAL, "throughput %lld/s",
                   (long long)(s->nspark ? s->spark[s->nspark - 1] : 0));
    tui_grid_text(g, a.x + label, y + 2, a.w - label, spark, TUI_ROLE_SPARK);
}

static void status_extra(struct scr_base *b, char *out, size_t n)
{
    const struct sync_screen *s = (const struct sync_screen *)b;
    char mk[32] = "";
    if (s->marks.n) snprintf(mk, sizeof mk, "%zu marked · ", s->marks.n);
    snprintf(out, n, "%s%zu of %zu jobs", mk, tui_table_shown(&b->t), tui_table_total(&b->t));
}

static const char *const *sync_words(int argi, void *ud)
{
    static const char *const provs[] = {"all", "harvest", "hubspot", NULL};
    static const char *const full[] = {"full", NULL};
    return argi == 1 ? provs : argi == 2 ? full : NULL;
}

/* A command the role (or --readonly) may not run: say which. */
static unsigned refused(struct sync_screen *s, const char *what)
{
    if (s->b.c->readonly)
        tui_app_toast(s->b.c->app, TUI_TOAST_WARN, "read-only: %s is disabled (--readonly)", what);
    else
        tui_app_toast(s->b.c->app, TUI_TOAST_WARN, "not permitted for your role: %s", what);
    return TUI_REDRAW;
}

static unsigned cmd_sync(struct tui_app *app, int argc, char **argv, void *ud)
{
    struct sync_screen *s = ud;
    const char *prov = argc > 1 ? argv[1] : "all";
    if (!od_syncplan_provider_valid(prov)) {
        tui_app_toast(app, TUI_TOAST_ERROR, "sync: unknown provider '%s' (all, harvest, hubspot)",
                      prov);
        return TUI_REDRAW;
    }
    if (!tui_app_allowed(app, "sync.start")) return refused(s, "start a sync");
    ask_start(s, prov, argc > 2 && !strcmp(argv[2], "full"));
    return TUI_REDRAW;
}

/* :cancel and :retry [dead]: the marked jobs, else the selected one; "dead": every dead job. */
static unsigned cmd_jobs(struct tui_app *app, int argc, char **argv, void *ud)
{
    struct sync_screen *s = ud;
    bool cancel = !strcmp(argv[0], "cancel");
    const char *action = cancel ? "sync.cancel" : "sync.retry";
    if (!tui_app_allowed(app, action)) return refused(s, cancel ? "cancel jobs" : "retry jobs");
    if (tui_app_show(app, "sync") < 0) return TUI_REDRAW;
    if (argc > 1 && (cancel || strcmp(argv[1], "dead"))) {
        tui_app_toast(app, TUI_TOAST_ERROR, "usage: :cancel, :retry or :retry dead");
        return TUI_REDRAW;
    }
    if (argc == 1) return ask_job(s, cancel ? 1 : 2);
    size_t dead = 0;
    for (size_t i = 0; s->snap && i < s->snap->n; i++)
        dead += !strcmp(s->snap->rows[i].state, "dead");
    char q[96];
    snprintf(q, sizeof q, "Retry every dead job (%zu listed here)?", dead);
    s->pend = (struct pending){.s = s, .kind = 3};
    tui_app_confirm(app, q, answer, &s->pend);
    return TUI_REDRAW;
}

static const char *const *retry_words(int argi, void *ud)
{
    static const char *const dead[] = {"dead", NULL};
    return argi == 1 ? dead : NULL;
}

static const struct tui_command cmds[] = {
    {"sync", "[all|harvest|hubspot] [full]", "start a sync (asks first)", sync_words, cmd_sync},
    {"cancel", "", "cancel the marked jobs (Space marks), else the selected one", NULL, cmd_jobs},
    {"retry", "[dead]", "retry the marked jobs, else the selected one; dead: every dead job",
     retry_words, cmd_jobs},
};

static const struct scr_base_ops ops = {.prefix = "sync.",
                                        .feed_key = "sync.jobs",
                                        .cols = cols,
                                        .ncols = NCOLS,
                                        .empty = "no jobs yet — n starts a sync",
                                        .need = "sync.read",
                                        .denied = "Your role may not see the sync queue.",
                                        .refresh_ev = SCR_EV_JOBS,
                                        .every_ms = 2000, /* a silent worker sends no NOTIFY */
                                        .submit = submit,
                                        .take = take,
                                        .handlers = handlers,
                                        .nhandlers = OD_ARRAY_LEN(handlers),
                                        .draw_body = draw_body,
                                        .status_extra = status_extra};

const struct tui_screen_class sync_screen_class = {.name = "sync",
                                                   .title = "Sync",
                                                   .actions = actions,
                                                   .nactions = OD_ARRAY_LEN(actions),
                                                   SCR_BASE_CALLBACKS};

struct sync_screen *sync_screen_new(struct scr_ctx *c)
{
    struct sync_screen *s = od_xcalloc(1, sizeof *s);
    scr_base_init(&s->b, c, &ops);
    s->detail = sync_detail_new(c, &s->b.visible);
    tui_app_add_commands(c->app, cmds, OD_ARRAY_LEN(cmds), s);
    return s;
}

void sync_screen_free(struct sync_screen *s)
{
    if (!s) return;
    scr_base_release(&s->b);
    snap_free(s->snap);
    sync_detail_free(s->detail);
    sync_marks_release(&s->marks);
    free(s);
}
