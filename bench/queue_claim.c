/* bench/queue_claim — queue claim+complete throughput (DESIGN §8).
 *   build/bench/queue_claim [--jobs N] [--threads N] [--batch N] [--runs N]
 * Three ways to burn down N pre-inserted system/noop jobs, each on a fresh queue:
 *   single   T threads, each: claim 1 (FOR UPDATE SKIP LOCKED) + complete 1 — the anchor
 *   batched  T threads, each: claim B + complete B in one statement
 *   runtime  the real worker pool (od_workers, T threads): claim, handler, heartbeat, record
 * Prints jobs/s (median of the runs) and the ratios against the anchor, as a Markdown fragment.
 * The NOTIFY trigger on every state change (sql/0002_queue.sql) is on, as in production.
 * Needs $OPSDECK_TEST_PGHOST (bench/run.sh). */
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/jobs/queue.h"
#include "core/base/util.h"
#include "core/jobs/worker.h"
#include "core/sync/handlers.h"
#include "tests/lib/testdb.h"
#include "tests/lib/testqueue.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct od_config cfg;
static int batch = 50;

struct arg {
    int index, batch, errors;
    long done;
};

static void *burn(void *p)
{
    struct arg *a = p;
    PGconn *c = od_db_connect(&cfg, "bench-queue");
    char holder[32];
    snprintf(holder, sizeof(holder), "bench/%d", a->index);
    a->done = testqueue_burn(c, holder, a->batch, NULL, &a->errors);
    PQfinish(c);
    return NULL;
}

static void fill(PGconn *c, int n)
{
    char sn[16];
    snprintf(sn, sizeof(sn), "%d", n);
    const char *p[1] = {sn};
    if (od_db_cmd(c, "TRUNCATE sync_jobs", 0, NULL) < 0 ||
        od_db_cmd(c,
                  "INSERT INTO sync_jobs (provider, resource)"
                  " SELECT 'system', 'noop' FROM generate_series(1, $1::int)",
                  1, p) < 0 ||
        od_db_cmd(c, "VACUUM ANALYZE sync_jobs", 0, NULL) < 0)
        od_die("bench: %s", od_err());
}

/* jobs/s for one run of mode: 0 single, 1 batched, 2 runtime. */
static double one_run(PGconn *c, struct od_pool *pool, int mode, int jobs, int threads)
{
    fill(c, jobs);
    int64_t t0 = od_now_us();
    long done = 0;
    if (mode < 2) {
        pthread_t th[64];
        struct arg a[64];
        for (int i = 0; i < threads; i++) {
            a[i] = (struct arg){i, mode ? batch : 1, 0, 0};
            pthread_create(&th[i], NULL, burn, &a[i]);
        }
        for (int i = 0; i < threads; i++) {
            pthread_join(th[i], NULL);
            if (a[i].errors) od_die("bench: claim/complete errors: %s", od_err());
            done += a[i].done;
        }
    } else {
        struct od_worker_opts o = {
            .handlers = od_sync_handlers, .threads = threads, .once = true, .poll_ms = 10};
        struct od_workers *w = od_workers_start(&cfg, pool, NULL, &o);
        if (!w) od_die("bench: %s", od_err());
        od_workers_wait(w, -1);
        struct od_worker_stats st;
        od_workers_join(w);
        od_workers_stats(w, &st);
        od_workers_free(w);
        done = (long)st.completed;
    }
    double s = (double)(od_now_us() - t0) / 1e6;
    if (done != jobs) od_die("bench: %ld of %d jobs done", done, jobs);
    return (double)jobs / s;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long jobs = 20000, threads = 4, runs = 3, b = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        long *dst = !strcmp(argv[i], "--jobs")      ? &jobs
                    : !strcmp(argv[i], "--threads") ? &threads
                    : !strcmp(argv[i], "--batch")   ? &b
                    : !strcmp(argv[i], "--runs")    ? &runs
                                                    : NULL;
        if (!dst || od_parse_long(argv[i + 1], 1, 10000000, dst) < 0)
            od_die("usage: queue_claim [--jobs N] [--threads N<=64] [--batch N] [--runs N]");
    }
    if (threads > 64) threads = 64;
    batch = (int)b;
    od_log_open(NULL, OD_LOG_ERROR, 0, 0);
    char *url = testdb_create("bench_queue");
    testdb_config(&cfg, url);
    od_config_set(&cfg, "database", "pool_size", "160");
    PGconn *c = od_db_connect(&cfg, "bench-queue-main");
    struct od_pool *pool = od_pool_open(&cfg, "bench-queue-pool");
    if (!c) od_die("bench: %s", od_err());
    static const char *const names[] = {"single (claim 1 + complete 1)",
                                        "batched (claim B + complete B)",
                                        "runtime (od_workers, noop handler)"};
    double med[3];
    for (int mode = 0; mode < 3; mode++) {
        double r[16];
        int nr = runs > 16 ? 16 : (int)runs;
        for (int i = 0; i < nr; i++)
            r[i] = one_run(c, pool, mode, (int)jobs, (int)threads);
        qsort(r, (size_t)nr, sizeof(double), cmp_d);
        med[mode] = r[nr / 2];
    }
    printf("## Queue claim throughput\n\n");
    printf("`build/bench/queue_claim --jobs %ld --threads %ld --batch %ld --runs %ld` — %ld "
           "pre-inserted system/noop jobs burned down by %ld threads, each with its own "
           "connection; median of %ld runs; NOTIFY trigger on.\n\n",
           jobs, threads, b, runs, jobs, threads, runs);
    printf("| mode | jobs/s | vs single |\n|---|---:|---:|\n");
    for (int mode = 0; mode < 3; mode++)
        printf("| %s | %.0f | %.2fx |\n", names[mode], med[mode], med[mode] / med[0]);
    printf("\nB = %ld. \"runtime\" includes the handler lookup, job context, progress, the "
           "heartbeat thread and one claim + one complete round trip per job.\n\n",
           b);
    od_pool_close(pool);
    PQfinish(c);
    testdb_drop(url);
    free(url);
    od_config_release(&cfg);
    od_log_close();
    return 0;
}
