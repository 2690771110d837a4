/* bench/pool — the connection pool under many concurrent requests.
 *   build/bench/pool [--threads N] [--queries N] [--pool N]
 * Anchor (same run): the same total number of queries on one connection, no pool, no threads.
 * Prints queries/s for both, their ratio, and the distribution of acquire waits.
 * Output is a Markdown fragment for bench/RESULTS.md. Needs $OPSDECK_TEST_PGHOST (bench/run.sh). */
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/base/util.h"
#include "tests/lib/testdb.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arg {
    struct od_pool *pool;
    int queries;
    int errors;
    int64_t *waits; /* per query acquire wait, us */
};

static void *run(void *p)
{
    struct arg *a = p;
    for (int i = 0; i < a->queries; i++) {
        int64_t t0 = od_now_us();
        PGconn *c = od_pool_acquire(a->pool, 60000);
        a->waits[i] = od_now_us() - t0;
        if (!c) {
            a->errors++;
            continue;
        }
        PGresult *r = od_db_exec(c, "SELECT 1", 0, NULL);
        if (!r) a->errors++;
        PQclear(r);
        od_pool_release(a->pool, c);
    }
    return NULL;
}

static int cmp64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    int threads = 1000, queries = 20, size = 8;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--queries"))
            queries = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--pool"))
            size = atoi(argv[i + 1]);
    }
    char *url = testdb_create_empty("bench_pool");
    struct od_config cfg;
    testdb_config(&cfg, url);
    char sz[16];
    snprintf(sz, sizeof(sz), "%d", size);
    od_config_set(&cfg, "database", "pool_size", sz);

    /* anchor: one connection, sequential */
    int total = threads * queries;
    PGconn *one = od_db_connect(&cfg, "bench-anchor");
    if (!one) od_die("%s", od_err());
    int64_t t0 = od_now_us();
    for (int i = 0; i < total; i++)
        PQclear(od_db_exec(one, "SELECT 1", 0, NULL));
    double anchor_qps = total / ((od_now_us() - t0) / 1e6);
    PQfinish(one);

    struct od_pool *pool = od_pool_open(&cfg, "bench-pool");
    pthread_t *th = od_xcalloc((size_t)threads, sizeof(*th));
    struct arg *args = od_xcalloc((size_t)threads, sizeof(*args));
    int64_t *waits = od_xcalloc((size_t)total, sizeof(int64_t));
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    t0 = od_now_us();
    for (int i = 0; i < threads; i++) {
        args[i] = (struct arg){pool, queries, 0, waits + (size_t)i * queries};
        if (pthread_create(&th[i], &attr, run, &args[i])) od_die("pthread_create failed at %d", i);
    }
    int errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        errors += args[i].errors;
    }
    double pool_qps = total / ((od_now_us() - t0) / 1e6);
    struct od_pool_stats st;
    od_pool_get_stats(pool, &st);
    qsort(waits, (size_t)total, sizeof(int64_t), cmp64);
    printf("### Pool under %d concurrent requesters\n\n", threads);
    printf("`build/bench/pool --threads %d --queries %d --pool %d`\n\n", threads, queries, size);
    printf("| measure | value |\n|---|---|\n");
    printf("| queries | %d (%d errors) |\n", total, errors);
    printf("| pooled throughput, %d connections | %.0f queries/s |\n", size, pool_qps);
    printf("| anchor: one connection, sequential | %.0f queries/s |\n", anchor_qps);
    printf("| ratio pooled / anchor | %.2f |\n", pool_qps / anchor_qps);
    printf("| acquire wait p50 / p95 / p99 / max | %.2f / %.2f / %.2f / %.2f ms |\n",
           waits[total / 2] / 1000.0, waits[(size_t)(total * 0.95)] / 1000.0,
           waits[(size_t)(total * 0.99)] / 1000.0, waits[total - 1] / 1000.0);
    printf("| wait histogram <0.1ms, <1ms, <10ms, <100ms, <1s, >=1s | %llu, %llu, %llu, %llu, "
           "%llu, %llu |\n",
           (unsigned long long)st.wait_hist[0], (unsigned long long)st.wait_hist[1],
           (unsigned long long)st.wait_hist[2], (unsigned long long)st.wait_hist[3],
           (unsigned long long)st.wait_hist[4], (unsigned long long)st.wait_hist[5]);
    printf("| connections open at the end / leaked in use | %d / %d |\n\n", st.open, st.in_use);
    od_pool_close(pool);
    testdb_drop(url);
    free(url);
    free(th);
    free(args);
    free(waits);
    od_config_release(&cfg);
    return errors ? 1 : 0;
}
