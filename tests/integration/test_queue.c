/* test_queue — the job queue and its runtime against a real PostgreSQL: unique keys, claims
 * that never hand one job to two workers, dependencies, rescue resuming from the checkpoint,
 * retries ending dead with errors kept, cancel (pending and running), release on stop, NOTIFY
 * delivered to the events listener (also after its connection is killed), one maintenance
 * leader. No timing is asserted: waits have
 * generous upper bounds only so that a bug fails instead of hanging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/events.h"
#include "core/jobs/jobctx.h"
#include "core/base/log.h"
#include "core/jobs/queue.h"
#include "core/sync/scheduler.h"
#include "core/base/util.h"
#include "core/jobs/worker.h"
#include "core/sync/handlers.h"
#include "tests/lib/testdb.h"
#include "tests/lib/testqueue.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char *url;
static struct od_config cfg;
static struct od_pool *pool;
static PGconn *db;

static int setup(void **state)
{
    od_log_open(NULL, OD_LOG_WARN, 0, 0);
    url = testdb_create("queue");
    testdb_config(&cfg, url);
    od_config_set(&cfg, "sync", "heartbeat_s", "1");
    od_config_set(&cfg, "sync", "rescue_after_s", "2");
    od_config_set(&cfg, "database", "pool_size", "24");
    pool = od_pool_open(&cfg, "test-queue");
    db = od_db_connect(&cfg, "test-queue-main");
    return db ? 0 : -1;
}

static int teardown(void **state)
{
    testdb_teardown(db, pool, &cfg, url);
    return 0;
}

static char *q1(const char *sql, const char *param)
{
    return testdb_q1(db, sql, param);
}

static char *job_field(int64_t id, const char *expr)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    char *sql = od_xasprintf("SELECT %s FROM sync_jobs WHERE id = $1", expr);
    char *v = q1(sql, sid);
    free(sql);
    return v;
}

static void assert_field(int64_t id, const char *expr, const char *want)
{
    char *v = job_field(id, expr);
    assert_string_equal(v, want);
    free(v);
}

static void assert_state(int64_t id, const char *want)
{
    assert_field(id, "state", want);
}

static int64_t enqueue(const char *provider, const char *resource, const char *args,
                       const char *key, int max_attempts)
{
    struct od_job_spec s = {.provider = provider,
                            .resource = resource,
                            .args_json = args,
                            .unique_key = key,
                            .max_attempts = max_attempts};
    int64_t id = 0;
    assert_true(od_queue_enqueue(db, &s, &id) >= 0);
    return id;
}

/* Wait (bounded) until the job is in state; fails the test otherwise. */
static void wait_state(int64_t id, const char *want)
{
    for (int i = 0; i < 600; i++) {
        char *s = job_field(id, "state");
        int eq = !strcmp(s, want);
        free(s);
        if (eq) return;
        od_sleep_ms(50);
    }
    assert_state(id, want);
}

static void test_unique_key(void **state)
{
    struct od_job_spec s = {.provider = "system", .resource = "noop", .unique_key = "u:1"};
    int64_t a = 0, b = 0, c = 0;
    assert_int_equal(od_queue_enqueue(db, &s, &a), 1);
    assert_int_equal(od_queue_enqueue(db, &s, &b), 0);
    assert_true(a > 0);
    assert_int_equal(a, b);
    char *n = q1("SELECT count(*) FROM sync_jobs WHERE unique_key = 'u:1'", NULL);
    assert_string_equal(n, "1");
    free(n);
    /* Once finished, the key is free again. */
    struct od_job j;
    struct od_claim_filter f = {&a, 1, NULL};
    assert_int_equal(od_queue_claim(db, "t/1", 1, &f, &j), 1);
    assert_int_equal(od_queue_complete(db, "t/1", &a, 1), 1);
    od_job_clear(&j);
    assert_int_equal(od_queue_enqueue(db, &s, &c), 1);
    assert_true(c != a);
    assert_int_equal(od_queue_cancel(db, c), 1);
}

struct claimer {
    int index;
    int64_t *got;
    int n;
    int errors;
};

static void *claim_loop(void *p)
{
    struct claimer *cl = p;
    PGconn *c = od_db_connect(&cfg, "test-claimer");
    char holder[32];
    snprintf(holder, sizeof(holder), "claimer/%d", cl->index);
    cl->n = (int)testqueue_burn(c, holder, 5, cl->got, &cl->errors);
    PQfinish(c);
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_concurrent_claims_disjoint(void **state)
{
    enum { JOBS = 2000, THREADS = 8 };
    assert_int_equal(od_db_cmd(db,
                               "INSERT INTO sync_jobs (provider, resource)"
                               " SELECT 'system', 'noop' FROM generate_series(1, 2000)",
                               0, NULL),
                     0);
    struct claimer cl[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        cl[i] = (struct claimer){i, od_xcalloc(JOBS, sizeof(int64_t)), 0, 0};
        pthread_create(&th[i], NULL, claim_loop, &cl[i]);
    }
    int64_t *all = od_xcalloc(JOBS, sizeof(int64_t));
    int total = 0, busy = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(cl[i].errors, 0);
        assert_true(total + cl[i].n <= JOBS);
        memcpy(all + total, cl[i].got, (size_t)cl[i].n * sizeof(int64_t));
        total += cl[i].n;
        busy += cl[i].n > 0;
        free(cl[i].got);
    }
    assert_int_equal(total, JOBS);
    qsort(all, JOBS, sizeof(int64_t), cmp64);
    for (int i = 1; i < JOBS; i++)
        assert_true(all[i] != all[i - 1]); /* nobody got a job twice */
    free(all);
    assert_true(busy > 1);
    char *n = q1("SELECT count(*) FROM sync_jobs WHERE state = 'completed'"
                 " AND locked_by LIKE 'claimer/%'",
                 NULL);
    assert_string_equal(n, "2000");
    free(n);
}

static void test_dependencies_order(void **state)
{
    int64_t a = enqueue("system", "noop", NULL, "dep:a", 0);
    struct od_job_spec s = {.provider = "system",
                            .resource = "noop",
                            .unique_key = "dep:b",
                            .priority = 100,
                            .after = &a,
                            .n_after = 1};
    int64_t b = 0, both[2] = {a, b};
    assert_int_equal(od_queue_enqueue(db, &s, &b), 1);
    both[1] = b;
    struct od_claim_filter f = {both, 2, NULL};
    struct od_job j[2];
    /* b has the higher priority but waits for a. */
    assert_int_equal(od_queue_claim(db, "t/1", 2, &f, j), 1);
    assert_int_equal(j[0].id, a);
    od_job_clear(&j[0]);
    assert_int_equal(od_queue_claim(db, "t/1", 2, &f, j), 0);
    assert_int_equal(od_queue_complete(db, "t/1", &a, 1), 1);
    assert_int_equal(od_queue_claim(db, "t/1", 2, &f, j), 1);
    assert_int_equal(j[0].id, b);
    od_job_clear(&j[0]);
    assert_int_equal(od_queue_complete(db, "t/1", &b, 1), 1);
}

static void run_until_done(const int64_t *ids, size_t n, int64_t backoff_ms)
{
    struct od_worker_opts o = {.handlers = od_sync_handlers,
                               .threads = 2,
                               .only_ids = ids,
                               .n_only = n,
                               .poll_ms = 50,
                               .backoff_base_ms = backoff_ms,
                               .backoff_cap_ms = backoff_ms};
    struct od_workers *w = od_workers_start(&cfg, pool, NULL, &o);
    assert_non_null(w);
    assert_true(od_workers_wait(w, 60000));
    od_workers_free(w);
}

static void test_rescue_resumes_from_checkpoint(void **state)
{
    int64_t id = enqueue("system", "sleep", "{\"pages\":5,\"ms\":1}", NULL, 0);
    struct od_claim_filter f = {&id, 1, NULL};
    struct od_job j;
    assert_int_equal(od_queue_claim(db, "ghost:1:1/1", 1, &f, &j), 1);
    od_job_clear(&j);
    /* The ghost saved page 3, then stopped heartbeating long ago. */
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    const char *p[1] = {sid};
    assert_int_equal(od_db_cmd(db,
                               "UPDATE sync_jobs SET checkpoint = '{\"page\":3,\"starts\":[0]}',"
                               " heartbeat_at = now() - interval '1 hour' WHERE id = $1",
                               1, p),
                     0);
    struct od_maint_report rep;
    assert_int_equal(od_scheduler_maintain(&cfg, db, OD_MAINT_RESCUE, &rep), 0);
    assert_int_equal(rep.rescued, 1);
    assert_state(id, "available");
    char *err = job_field(id, "last_error");
    assert_non_null(strstr(err, "ghost:1:1/1"));
    free(err);
    run_until_done(&id, 1, 10);
    assert_state(id, "completed");
    assert_field(id, "checkpoint::text", "{\"page\": 5, \"starts\": [0, 3]}");
    assert_field(id, "attempts", "2");
}

static void test_retries_back_off_then_dead(void **state)
{
    /* Backoff grows and stays within +/-20 % of base * 2^(attempt-1), capped. */
    for (int a = 1; a <= 6; a++) {
        int64_t d = od_queue_backoff_ms(a, 1000, 16000), want = 1000LL << (a - 1);
        if (want > 16000) want = 16000;
        assert_true(d >= want - want / 5 && d <= want + want / 5);
    }
    int64_t id = enqueue("system", "fail", "{\"message\":\"upstream said no\"}", NULL, 3);
    struct od_claim_filter f = {&id, 1, NULL};
    struct od_job j;
    for (int attempt = 1; attempt <= 3; attempt++) {
        assert_int_equal(od_queue_claim(db, "t/1", 1, &f, &j), 1);
        assert_int_equal(j.attempts, attempt);
        od_job_clear(&j);
        int rc = od_queue_fail(db, "t/1", id, "upstream said no", false, 60000);
        assert_int_equal(rc, attempt == 3 ? 1 : 0);
        if (attempt < 3) {
            assert_state(id, "retryable");
            assert_field(id, "run_at > now() + interval '30 seconds'", "t");
            assert_int_equal(od_queue_claim(db, "t/1", 1, &f, &j), 0); /* not before run_at */
            char sid[24];
            snprintf(sid, sizeof(sid), "%lld", (long long)id);
            const char *p[1] = {sid};
            od_db_cmd(db, "UPDATE sync_jobs SET run_at = now() WHERE id = $1", 1, p);
        }
    }
    assert_state(id, "dead");
    assert_field(id, "jsonb_array_length(errors)", "3");
    assert_field(id, "errors->2->>'error'", "upstream said no");

    /* The same through the worker: the handler's message is kept for every attempt. */
    int64_t w = enqueue("system", "fail", "{\"message\":\"boom\"}", NULL, 3);
    run_until_done(&w, 1, 1);
    assert_state(w, "dead");
    assert_field(w, "jsonb_array_length(errors)", "3");
    assert_field(w, "last_error", "boom (attempt 3 of 3)");

    /* A permanent failure is dead at once; retry gives it one more attempt. */
    int64_t p = enqueue("system", "fail", "{\"permanent\":true}", NULL, 5);
    run_until_done(&p, 1, 1);
    assert_state(p, "dead");
    assert_field(p, "attempts", "1");
    assert_int_equal(od_queue_retry(db, p), 1);
    assert_state(p, "available");
    assert_int_equal(od_queue_cancel(db, p), 1);
}

static void test_cancel(void **state)
{
    int64_t id = enqueue("system", "noop", NULL, "c:1", 0);
    assert_int_equal(od_queue_cancel(db, id), 1);
    assert_state(id, "cancelled");
    assert_int_equal(od_queue_cancel(db, id), 0);
    assert_int_equal(od_queue_cancel(db, 987654321), -1);
    assert_int_equal(od_queue_retry(db, id), 1);
    assert_state(id, "available");
    /* retry refuses to make a second pending job with the same key */
    assert_int_equal(od_queue_cancel(db, id), 1);
    int64_t twin = enqueue("system", "noop", NULL, "c:1", 0);
    assert_int_equal(od_queue_retry(db, id), -1);
    assert_non_null(strstr(od_err(), "already pending"));
    assert_int_equal(od_queue_cancel(db, twin), 1);

    /* A running job stops at its next page once its worker sees the cancel. */
    int64_t run = enqueue("system", "sleep", "{\"pages\":100000,\"ms\":2}", NULL, 0);
    struct od_worker_opts o = {
        .handlers = od_sync_handlers, .threads = 1, .only_ids = &run, .n_only = 1, .poll_ms = 50};
    struct od_workers *w = od_workers_start(&cfg, pool, NULL, &o);
    assert_non_null(w);
    wait_state(run, "running");
    assert_int_equal(od_queue_cancel(db, run), 1);
    assert_true(od_workers_wait(w, 60000));
    struct od_worker_stats st;
    od_workers_stats(w, &st);
    od_workers_free(w);
    assert_int_equal(st.stopped, 1);
    assert_state(run, "cancelled");
}

static void test_stop_releases_job(void **state)
{
    int64_t id = enqueue("system", "sleep", "{\"pages\":100000,\"ms\":2}", NULL, 0);
    struct od_worker_opts o = {
        .handlers = od_sync_handlers, .threads = 1, .only_ids = &id, .n_only = 1, .poll_ms = 50};
    struct od_workers *w = od_workers_start(&cfg, pool, NULL, &o);
    assert_non_null(w);
    wait_state(id, "running");
    for (int i = 0; i < 600; i++) { /* until a page was saved */
        char *cp = job_field(id, "coalesce(checkpoint->>'page', '0')::int > 0");
        int saved = cp[0] == 't';
        free(cp);
        if (saved) break;
        od_sleep_ms(50);
    }
    od_workers_free(w); /* = SIGTERM: finish the page, release */
    assert_state(id, "available");
    char *att = job_field(id, "attempts");
    assert_string_equal(att, "0"); /* a stop is not a failed attempt */
    free(att);
    assert_field(id, "(checkpoint->>'page')::int > 0", "t");
    char *stopped = q1("SELECT count(*) FROM workers WHERE stopped_at IS NOT NULL", NULL);
    assert_true(atoi(stopped) >= 1);
    free(stopped);
    assert_int_equal(od_queue_cancel(db, id), 1);
}

struct seen {
    pthread_mutex_t lock;
    struct strbuf log;
    int connected;
};

static void on_event(const struct od_event *ev, void *ud)
{
    struct seen *s = ud;
    pthread_mutex_lock(&s->lock);
    if (!*ev->channel)
        s->connected++;
    else
        sb_addf(&s->log, "%s %s\n", ev->channel, ev->payload);
    pthread_mutex_unlock(&s->lock);
}

static int seen_has(struct seen *s, const char *needle)
{
    for (int i = 0; i < 600; i++) {
        pthread_mutex_lock(&s->lock);
        int found = strstr(sb_str(&s->log), needle) != NULL;
        pthread_mutex_unlock(&s->lock);
        if (found) return 1;
        od_sleep_ms(50);
    }
    return 0;
}

static void test_notify_reaches_listener(void **state)
{
    struct seen s = {PTHREAD_MUTEX_INITIALIZER, STRBUF_INIT, 0};
    struct od_events *ev = od_events_start(&cfg, on_event, &s);
    assert_non_null(ev);
    struct od_events_state st;
    for (int i = 0; i < 600; i++) {
        od_events_state(ev, &st);
        if (st.conn == OD_EVENTS_UP) break;
        od_sleep_ms(50);
    }
    assert_int_equal(st.conn, OD_EVENTS_UP);
    int64_t id = enqueue("system", "noop", NULL, NULL, 0);
    char want[96];
    snprintf(want, sizeof(want), "opsdeck_jobs {\"id\" : %lld, \"state\" : \"available\"",
             (long long)id);
    assert_true(seen_has(&s, want));
    /* Progress from a handler arrives as {id,state:running,done,total}. */
    struct od_job job = {.id = id, .provider = "system", .resource = "noop"};
    struct od_job_env env = {&cfg, pool, NULL, "t/1"};
    struct od_job_ctx *ctx = od_jobctx_new(&job, &env, NULL);
    od_job_progress(ctx, 7, 10);
    od_jobctx_flush(ctx);
    od_jobctx_free(ctx);
    snprintf(want, sizeof(want), "{\"id\":%lld,\"state\":\"running\",\"done\":7,\"total\":10}",
             (long long)id);
    assert_true(seen_has(&s, want));
    od_db_cmd(db, "NOTIFY opsdeck_exceptions, 'exc:1'", 0, NULL);
    assert_true(seen_has(&s, "opsdeck_exceptions exc:1"));
    od_events_state(ev, &st);
    assert_true(st.received >= 3);
    assert_int_equal(st.reconnects, 0);

    /* The listener's connection is killed: it reconnects by itself, says so in its state and
     * with a second "connected" event, and notifications flow again. */
    assert_int_equal(od_db_cmd(db,
                               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                               " WHERE application_name = 'opsdeck-listen'"
                               "   AND datname = current_database()",
                               0, NULL),
                     0);
    for (int i = 0; i < 600; i++) {
        od_events_state(ev, &st);
        if (st.reconnects == 1 && st.conn == OD_EVENTS_UP) break;
        od_sleep_ms(50);
    }
    assert_int_equal(st.reconnects, 1);
    assert_int_equal(st.conn, OD_EVENTS_UP);
    assert_true(st.last_error[0] != '\0');
    od_db_cmd(db, "NOTIFY opsdeck_data, 'harvest_time_entries'", 0, NULL);
    assert_true(seen_has(&s, "opsdeck_data harvest_time_entries"));
    od_events_stop(ev);
    assert_int_equal(s.connected, 2);
    sb_release(&s.log);
    assert_int_equal(od_queue_cancel(db, id), 1);
}

static void test_one_leader(void **state)
{
    /* Take away a partition the leader must make again. */
    assert_int_equal(od_db_cmd(db,
                               "DO $$ BEGIN EXECUTE format('DROP TABLE %I',"
                               " 'harvest_time_entries_' || to_char(current_date"
                               " + interval '3 months', 'YYYY_MM')); END $$",
                               0, NULL),
                     0);
    struct od_scheduler *a = od_scheduler_start(&cfg, pool), *b = od_scheduler_start(&cfg, pool);
    int leaders = 0;
    for (int i = 0; i < 600 && leaders == 0; i++) {
        leaders = od_scheduler_is_leader(a) + od_scheduler_is_leader(b);
        if (!leaders) od_sleep_ms(50);
    }
    assert_int_equal(leaders, 1);
    struct od_scheduler *first = od_scheduler_is_leader(a) ? a : b;
    struct od_scheduler *second = first == a ? b : a;
    od_scheduler_stop(first); /* its lock goes with its connection: the other takes over */
    int took = 0;
    for (int i = 0; i < 600 && !took; i++) {
        took = od_scheduler_is_leader(second);
        if (!took) od_sleep_ms(50);
    }
    assert_true(took);
    od_scheduler_stop(second);
    /* The leader made sure the partitions ahead exist. */
    char *n = q1("SELECT count(*) FROM pg_class WHERE relname = 'harvest_time_entries_' ||"
                 " to_char(current_date + interval '3 months', 'YYYY_MM')",
                 NULL);
    assert_string_equal(n, "1");
    free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unique_key),
        cmocka_unit_test(test_concurrent_claims_disjoint),
        cmocka_unit_test(test_dependencies_order),
        cmocka_unit_test(test_rescue_resumes_from_checkpoint),
        cmocka_unit_test(test_retries_back_off_then_dead),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_stop_releases_job),
        cmocka_unit_test(test_notify_reaches_listener),
        cmocka_unit_test(test_one_leader),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
