/* cmd_sync — `opsdeck sync [harvest|hubspot|all] [--full] [--wait]`: enqueue a provider's
 * sync (core/sync/syncplan.h) and, with --wait, work those jobs in-process showing progress: a bar
 * per job on a terminal, plain lines otherwise. Progress comes from the jobs' NOTIFYs
 * (core/db/events.h) and, as a fallback, from the database once a second. */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/db/events.h"
#include "core/jobs/jobview.h"
#include "core/jobs/queue.h"
#include "core/base/sanitize.h"
#include "core/sync/syncplan.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include "core/jobs/worker.h"
#include "core/sync/handlers.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt sync_opts[] = {
    {.arg = "PROVIDER",
     .kind = OD_CLI_ENUM,
     .values = "harvest|hubspot|all",
     .help = "what to sync (default all)"},
    {.name = "--full", .help = "re-read everything instead of what changed since the last sync"},
    {.name = "--reconcile",
     .help = "re-list what may have been deleted upstream and soft-delete what is gone"},
    {.name = "--wait", .help = "also work the jobs here and show their progress"},
    {0}};

static const char usage[] =
    "usage: opsdeck sync [harvest|hubspot|all] [--full | --reconcile] [--wait]\n\n"
    "Queues one job per resource of the provider (default: all): harvest clients, users,\n"
    "tasks, projects, time_entries; hubspot owners, pipelines, companies, deals,\n"
    "deal_companies (companies and deals: what changed, then the archived list). Resources\n"
    "that others depend on run first. A sync that is already queued or running is reused, not\n"
    "doubled. Without --wait the jobs are left to `opsdeck worker` or a running console.\n\n"
    "  --full   re-read everything instead of what changed since the last sync\n"
    "  --reconcile  re-list what may have been deleted upstream (Harvest: clients, projects,\n"
    "           users, tasks and sync.reconcile_days of time entries; HubSpot: companies and\n"
    "           deals) and soft-delete what is gone\n"
    "  --wait   also work the jobs here (sync.workers threads) and show their progress;\n"
    "           Ctrl-C stops after the current page, the jobs resume later from there\n\n"
    "Exit status: 0 queued (with --wait: every job completed), 1 failure, 2 usage.\n";

const struct od_command cmd_sync_def = {
    .name = "sync",
    .summary = "Queue a Harvest/HubSpot sync (and work it with --wait)",
    .usage = usage,
    .run = run,
    .opts = sync_opts,
};

struct track {
    int64_t id;
    char name[72];
    char state[16];
    int64_t done, total;
    int attempts;
    char *error;
    bool printed_state; /* plain mode: this state already printed */
    int64_t printed_ms;
    int printed_decile;       /* plain mode: last tenth of total printed (-1 none) */
    int64_t run_ms, run_done; /* when this process first saw it running, and done then */
    double rate;              /* items per second since run_ms (0 unknown) */
    enum od_jobview view;     /* stalled, waiting, retry ...: label says it while state is */
    char label_state[16];     /* ... the state the label was made for */
    char label[OD_JOBVIEW_MAX];
};

struct view {
    pthread_mutex_t lock;
    struct track *t;
    size_t n;
    bool tty;
    int heartbeat_s; /* sync.heartbeat_s: when a job's heartbeat counts as late */
    int drawn;       /* lines drawn last time (tty) */
    char *last;      /* what was drawn last time (tty): unchanged frames are not sent again */
};

static struct track *find(struct view *v, int64_t id)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->t[i].id == id) return &v->t[i];
    return NULL;
}

static void set_state(struct track *t, const char *state)
{
    if (state && strcmp(t->state, state)) {
        snprintf(t->state, sizeof(t->state), "%s", state);
        t->printed_state = false;
        t->run_ms = 0;
    }
}

/* New progress (under v->lock): never backwards within a run; the rate is measured from the
 * first progress this process saw while the job ran. */
static void set_progress(struct track *t, int64_t done, int64_t total)
{
    if (total >= 0) t->total = total;
    if (done > t->done) t->done = done;
    /* a total the job has passed (a search's count, then archived pages) is no longer one */
    if (t->total >= 0 && t->done > t->total) t->total = -1;
    if (strcmp(t->state, "running")) return;
    int64_t now = od_now_ms();
    if (!t->run_ms) {
        t->run_ms = now;
        t->run_done = t->done;
    } else if (now - t->run_ms >= 1000 && t->done > t->run_done) {
        t->rate = (double)(t->done - t->run_done) * 1000.0 / (double)(now - t->run_ms);
    }
}

/* NOTIFY payload {"id":..,"state":..,"done":..,"total":..}: runs on the listener thread. */
static void on_job(const struct od_event *ev, void *ud)
{
    struct view *v = ud;
    struct od_json *doc = od_json_parse(ev->payload, strlen(ev->payload));
    const struct od_jv *root = doc ? od_json_root(doc) : NULL;
    const char *id = od_jv_number(od_jv_get(root, "id"));
    const char *done = od_jv_number(od_jv_get(root, "done"));
    const char *total = od_jv_number(od_jv_get(root, "total"));
    pthread_mutex_lock(&v->lock);
    struct track *t = id ? find(v, strtoll(id, NULL, 10)) : NULL;
    if (t) {
        set_state(t, od_jv_string(od_jv_get(root, "state")));
        set_progress(t, done ? strtoll(done, NULL, 10) : t->done,
                     total ? strtoll(total, NULL, 10) : -1);
    }
    pthread_mutex_unlock(&v->lock);
    od_json_free(doc);
}

static void poll_db(struct view *v, struct od_pool *pool, const int64_t *ids)
{
    PGconn *c = od_pool_acquire(pool, 1000);
    if (!c) return;
    struct od_job_row *rows = NULL;
    size_t n = 0;
    int rc = od_queue_list(c, NULL, ids, v->n, (int)v->n, &rows, &n);
    od_pool_release(pool, c);
    if (rc < 0) return;
    pthread_mutex_lock(&v->lock);
    for (size_t i = 0; i < n; i++) {
        struct track *t = find(v, rows[i].id);
        if (!t) continue;
        set_state(t, rows[i].state);
        t->attempts = rows[i].attempts;
        if (!strcmp(rows[i].state, "completed")) t->done = rows[i].progress_done;
        set_progress(t, rows[i].progress_done, rows[i].progress_total);
        if (t->rate <= 0 && rows[i].rate_per_s > 0) t->rate = rows[i].rate_per_s;
        free(t->error);
        t->error = rows[i].last_error ? od_sanitize(rows[i].last_error) : NULL;
        char label[OD_JOBVIEW_MAX];
        enum od_jobview view = od_jobview_state(&rows[i], v->heartbeat_s, label, sizeof label);
        if (view != t->view) t->printed_state = false; /* plain mode: a line when it changes */
        t->view = view;
        snprintf(t->label, sizeof t->label, "%s", label);
        snprintf(t->label_state, sizeof t->label_state, "%s", rows[i].state);
    }
    pthread_mutex_unlock(&v->lock);
    od_queue_rows_free(rows, n);
}

static void line(struct strbuf *sb, const struct track *t, bool bar)
{
    od_pad_right(sb, t->name, 24);
    if (bar) {
        int width = 24, fill = 0;
        if (t->total > 0) fill = (int)(t->done * width / t->total);
        if (!strcmp(t->state, "completed")) fill = width;
        sb_addch(sb, '[');
        for (int i = 0; i < width; i++)
            sb_addch(sb, i < fill ? '#' : (t->total > 0 ? '-' : ' '));
        sb_add(sb, "] ");
    }
    if (t->total > 0 && (t->done > 0 || strcmp(t->state, "running")))
        sb_addf(sb, "%3d%% %lld/%lld ", (int)(t->done * 100 / (t->total ? t->total : 1)),
                (long long)t->done, (long long)t->total);
    else if (t->done > 0)
        sb_addf(sb, "%lld ", (long long)t->done);
    bool labelled = t->view != OD_JOBVIEW_PLAIN && !strcmp(t->label_state, t->state);
    bool running = !strcmp(t->state, "running");
    if (running && t->rate > 0 && !labelled) { /* no ETA for a stalled or waiting job */
        sb_addf(sb, "%.0f/s ", t->rate);
        if (t->total > t->done) {
            int64_t eta = (int64_t)((double)(t->total - t->done) / t->rate + 0.5);
            sb_addf(sb, "ETA %lld:%02lld ", (long long)(eta / 60), (long long)(eta % 60));
        }
    }
    sb_add(sb, labelled ? t->label : t->state);
    if (t->error && strcmp(t->state, "completed") && strcmp(t->state, "running")) {
        sb_add(sb, ": ");
        od_fit_to(sb, t->error, 60);
    }
}

static void render(struct view *v, bool final)
{
    struct strbuf sb = STRBUF_INIT;
    int64_t now = od_now_ms();
    pthread_mutex_lock(&v->lock);
    if (v->tty) {
        if (v->drawn) sb_addf(&sb, "\r\033[%dA", v->drawn);
        for (size_t i = 0; i < v->n; i++) {
            line(&sb, &v->t[i], true);
            sb_add(&sb, "\033[K\n");
        }
        v->drawn = (int)v->n;
    } else {
        for (size_t i = 0; i < v->n; i++) {
            struct track *t = &v->t[i];
            /* While running: a line per tenth of the total reached, or every 5 s. */
            int decile = t->total > 0 ? (int)(t->done * 10 / t->total) : -1;
            bool progress = !strcmp(t->state, "running") && t->done > 0 &&
                            (decile > t->printed_decile || now - t->printed_ms >= 5000);
            if (t->printed_state && !progress && !final) continue;
            if (final && t->printed_state) continue;
            line(&sb, t, false);
            sb_addch(&sb, '\n');
            t->printed_state = true;
            t->printed_ms = now;
            t->printed_decile = decile;
        }
    }
    pthread_mutex_unlock(&v->lock);
    if (v->tty && v->last && !strcmp(v->last, sb_str(&sb))) {
        sb_release(&sb);
        return;
    }
    fputs(sb_str(&sb), stdout);
    fflush(stdout);
    if (v->tty) {
        free(v->last);
        v->last = sb_detach(&sb);
    }
    sb_release(&sb);
}

/* Work the jobs here until all are finished or a signal arrives. 0 when all completed. */
static int wait_jobs(struct od_config *cfg, struct od_pool *pool, const int64_t *ids,
                     struct view *v)
{
    struct od_vault *vault = NULL;
    if (cfg->secrets.key_file && *cfg->secrets.key_file)
        vault = od_vault_open(cfg->secrets.key_file);
    int threads = cfg->sync.workers > 0 ? cfg->sync.workers : 1;
    struct od_worker_opts o = {
        .handlers = od_sync_handlers, .threads = threads, .only_ids = ids, .n_only = v->n};
    struct od_workers *w = od_workers_start(cfg, pool, vault, &o);
    if (!w) {
        fprintf(stderr, "opsdeck sync: %s\n", od_err());
        od_vault_close(vault);
        return 1;
    }
    struct od_events *ev = od_events_start(cfg, NULL, NULL);
    if (ev) od_events_subscribe(ev, OD_EVENTS_JOBS, on_job, v);
    int64_t last_poll = 0;
    int sig = 0;
    while (!(sig = od_signal_wait(v->tty ? 200 : 500)) && !od_workers_done(w)) {
        if (od_now_ms() - last_poll >= 1000) {
            poll_db(v, pool, ids);
            last_poll = od_now_ms();
        }
        render(v, false);
    }
    if (sig) fprintf(stderr, "opsdeck sync: interrupted; finishing the current pages...\n");
    od_workers_free(w);
    od_events_stop(ev);
    od_vault_close(vault);
    poll_db(v, pool, ids);
    render(v, true);
    int ok = 0;
    for (size_t i = 0; i < v->n; i++)
        ok += !strcmp(v->t[i].state, "completed");
    if (sig)
        fprintf(stderr,
                "opsdeck sync: %zu of %zu jobs not finished; they resume from their "
                "checkpoints with `opsdeck worker` or `opsdeck sync --wait`\n",
                v->n - (size_t)ok, v->n);
    else if ((size_t)ok < v->n)
        fprintf(stderr, "opsdeck sync: %zu of %zu jobs did not complete (see `opsdeck jobs`)\n",
                v->n - (size_t)ok, v->n);
    return (size_t)ok == v->n ? 0 : 1;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    struct od_config *cfg = ctx->cfg;
    const char *provider = "all";
    bool full = false, wait = false, seen = false, reconcile = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full"))
            full = true;
        else if (!strcmp(argv[i], "--reconcile"))
            reconcile = true;
        else if (!strcmp(argv[i], "--wait"))
            wait = true;
        else if (!seen && od_syncplan_provider_valid(argv[i]))
            provider = argv[i], seen = true;
        else
            return od_cmd_usage_error(&cmd_sync_def, "unexpected argument '%s'", argv[i]);
    }
    if (full && reconcile)
        return od_cmd_usage_error(&cmd_sync_def, "--full and --reconcile do not go together");
    int threads = cfg->sync.workers > 0 ? cfg->sync.workers : 1;
    if (cfg->database.pool_size < od_workers_connections(threads) + 2)
        cfg->database.pool_size = od_workers_connections(threads) + 2;
    od_signal_block_stop();
    struct od_pool *pool = od_pool_open(cfg, "opsdeck-sync");
    PGconn *c = od_pool_acquire(pool, cfg->database.acquire_timeout_ms);
    struct od_plan_job jobs[32];
    int n = !c          ? -1
            : reconcile ? od_syncplan_enqueue_reconcile(c, provider, cfg->sync.max_attempts, jobs,
                                                        OD_ARRAY_LEN(jobs))
                        : od_syncplan_enqueue(c, provider, full, cfg->sync.max_attempts, jobs,
                                              OD_ARRAY_LEN(jobs));
    od_pool_release(pool, c);
    if (n <= 0) {
        if (n == 0)
            fprintf(stderr, "opsdeck sync: this build has no job handlers for %s\n", provider);
        else
            fprintf(stderr, "opsdeck sync: %s\n", od_err());
        od_pool_close(pool);
        return 1;
    }
    struct view v = {.n = (size_t)n,
                     .tty = isatty(STDOUT_FILENO) && !od_config_env(OD_ENV_NO_PROGRESS),
                     .heartbeat_s = cfg->sync.heartbeat_s};
    pthread_mutex_init(&v.lock, NULL);
    v.t = od_xcalloc((size_t)n, sizeof(*v.t));
    int64_t ids[32];
    for (int i = 0; i < n; i++) {
        ids[i] = jobs[i].id;
        v.t[i].id = jobs[i].id;
        v.t[i].total = -1;
        v.t[i].printed_decile = -1;
        snprintf(v.t[i].name, sizeof(v.t[i].name), "%.15s/%.47s", jobs[i].provider,
                 jobs[i].resource);
        snprintf(v.t[i].state, sizeof(v.t[i].state), "available");
        printf("%-26s job %lld %s\n", v.t[i].name, (long long)jobs[i].id,
               jobs[i].created ? "queued" : "already queued");
    }
    fflush(stdout);
    int rc = wait ? wait_jobs(cfg, pool, ids, &v) : 0;
    for (size_t i = 0; i < v.n; i++)
        free(v.t[i].error);
    free(v.t);
    free(v.last);
    pthread_mutex_destroy(&v.lock);
    od_pool_close(pool);
    return rc;
}
