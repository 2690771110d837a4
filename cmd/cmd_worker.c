/* cmd_worker — `opsdeck worker`: the sync runtime headless (a server, a systemd unit).
 * Worker threads run jobs; a NOTIFY listener wakes them as soon as a job becomes available;
 * the scheduler takes part in leader election for maintenance. SIGTERM/SIGINT/SIGHUP: every
 * thread finishes its current page, releases its job and the process exits 0. */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/events.h"
#include "core/base/log.h"
#include "core/ops/metrics.h"
#include "core/sync/scheduler.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include "core/jobs/worker.h"
#include "core/sync/handlers.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt worker_opts[] = {
    {.name = "--threads",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "worker threads (default: sync.workers, at least 1)"},
    {.name = "--once", .help = "run what is runnable now, then exit (no scheduling)"},
    {.name = "--metrics-listen",
     .arg = "ADDR:PORT",
     .kind = OD_CLI_TEXT,
     .help = "serve metrics on ADDR:PORT (default: metrics.listen)"},
    {0}};

static const char usage[] =
    "usage: opsdeck worker [--threads N] [--once] [--metrics-listen ADDR:PORT]\n\n"
    "Claims sync jobs from the database queue and runs them, N at a time, until stopped.\n"
    "Many workers on many hosts may share one database. One of them (elected through an\n"
    "advisory lock) also rescues jobs of dead workers, schedules the periodic syncs every\n"
    "sync.interval_minutes, the nightly reconcile and rollup check, and creates partitions.\n\n"
    "  --threads N              worker threads (default: sync.workers, at least 1)\n"
    "  --once                   run what is runnable now, then exit (no scheduling)\n"
    "  --metrics-listen A:P     serve metrics on ADDR:PORT (default: metrics.listen)\n\n"
    "SIGTERM or SIGINT: each thread finishes the page it is on, the job is released to resume\n"
    "from its checkpoint, and the worker exits.\n"
    "Exit status: 0 stopped cleanly (or --once finished), 1 database unreachable or metrics\n"
    "address unusable, 2 usage.\n";

const struct od_command cmd_worker_def = {
    .name = "worker",
    .summary = "Run sync workers headless (jobs, heartbeats, scheduling)",
    .usage = usage,
    .run = run,
    .opts = worker_opts,
};

/* A job became runnable somewhere: look now instead of at the next poll. */
static void on_job_event(const struct od_event *ev, void *ud)
{
    if (!*ev->channel || strstr(ev->payload, "available") || strstr(ev->payload, "completed"))
        od_workers_wake(ud);
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    struct od_config *cfg = ctx->cfg;
    long threads = cfg->sync.workers > 0 ? cfg->sync.workers : 1;
    bool once = false;
    const char *metrics = cfg->metrics.listen;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (od_parse_long(argv[++i], 1, 64, &threads) < 0)
                return od_cmd_usage_error(&cmd_worker_def, "--threads: %s (1..64)", od_err());
        } else if (!strcmp(argv[i], "--once")) {
            once = true;
        } else if (!strcmp(argv[i], "--metrics-listen") && i + 1 < argc) {
            metrics = argv[++i];
        } else {
            return od_cmd_usage_error(&cmd_worker_def, "unknown option '%s'", argv[i]);
        }
    }
    int need = od_workers_connections((int)threads) + 1;
    if (cfg->database.pool_size < need) {
        od_log_info("database.pool_size raised from %d to %d for %ld worker thread(s)",
                    cfg->database.pool_size, need, threads);
        cfg->database.pool_size = need;
    }
    od_signal_block_stop();
    struct od_pool *pool = od_pool_open(cfg, "opsdeck-worker");
    struct od_vault *vault = NULL;
    if (cfg->secrets.key_file && *cfg->secrets.key_file &&
        !(vault = od_vault_open(cfg->secrets.key_file)))
        od_log_warn("no secrets key (%s); jobs that need stored tokens will fail", od_err());
    struct od_worker_opts o = {.handlers = od_sync_handlers, .threads = (int)threads, .once = once};
    struct od_workers *w = od_workers_start(cfg, pool, vault, &o);
    if (!w) {
        fprintf(stderr, "opsdeck worker: %s\n", od_err());
        od_vault_close(vault);
        od_pool_close(pool);
        return 1;
    }
    struct od_events *ev = od_events_start(cfg, NULL, NULL);
    if (ev) od_events_subscribe(ev, OD_EVENTS_JOBS, on_job_event, w);
    if (ev) od_events_subscribe(ev, OD_EVENTS_CONNECTED, on_job_event, w);
    struct od_metrics_env menv = {
        .cfg = cfg, .pool = pool, .workers = w, .events = ev, .vault = vault};
    struct od_metrics *m = NULL;
    int rc = 0;
    if (metrics && *metrics && !(m = od_metrics_start(metrics, &menv))) {
        fprintf(stderr, "opsdeck worker: metrics listener on %s: %s\n", metrics, od_err());
        rc = 1;
    }
    if (m) od_log_info("metrics: GET /metrics and /healthz on port %d", od_metrics_port(m));
    struct od_scheduler *sched = once || rc ? NULL : od_scheduler_start(cfg, pool);

    int sig = 0;
    while (!rc && !(sig = od_signal_wait(500)) && !od_workers_done(w))
        ;
    if (sig) od_log_info("signal %d: finishing current pages and leaving", sig);
    od_workers_join(w);
    struct od_worker_stats st;
    od_workers_stats(w, &st);
    od_metrics_stop(m); /* it reads the workers: before they go */
    od_workers_free(w);
    od_scheduler_stop(sched);
    od_events_stop(ev);
    od_pool_close(pool);
    od_vault_close(vault);
    od_log_info("worker done: %llu claimed, %llu completed, %llu retrying, %llu dead, %llu stopped",
                (unsigned long long)st.claimed, (unsigned long long)st.completed,
                (unsigned long long)st.retried, (unsigned long long)st.dead,
                (unsigned long long)st.stopped);
    return rc;
}
