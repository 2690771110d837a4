/* test_pool — the connection pool against a real PostgreSQL: 64 threads × 1000 queries
 * through 8 connections with no error and no leaked connection; broken connections replaced;
 * acquire timeout; session settings; unreachable database reported quickly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/base/util.h"
#include "tests/lib/testdb.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char *url;

static int setup(void **state)
{
    url = testdb_create("pool");
    return 0;
}

static int teardown(void **state)
{
    testdb_drop(url);
    free(url);
    return 0;
}

struct worker_arg {
    struct od_pool *pool;
    int queries;
    int errors;
};

static void *hammer(void *p)
{
    struct worker_arg *a = p;
    for (int i = 0; i < a->queries; i++) {
        PGconn *c = od_pool_acquire(a->pool, 30000);
        if (!c) {
            a->errors++;
            continue;
        }
        char n[16];
        snprintf(n, sizeof(n), "%d", i);
        const char *params[1] = {n};
        PGresult *r = od_db_exec(c, "SELECT $1::int + 1", 1, params);
        if (!r || atoi(PQgetvalue(r, 0, 0)) != i + 1) a->errors++;
        PQclear(r);
        od_pool_release(a->pool, c);
    }
    return NULL;
}

static int count_backends(const char *app)
{
    PGconn *c = PQconnectdb(url);
    const char *p[1] = {app};
    PGresult *r =
        PQexecParams(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", 1,
                     NULL, p, NULL, NULL, 0);
    int n = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return n;
}

/* Backends exit asynchronously after PQfinish: poll (up to 10 s) for the expected count. */
static int settle_backends(const char *app, int want)
{
    int n = -1;
    for (int i = 0; i < 200 && (n = count_backends(app)) != want; i++)
        od_sleep_ms(50);
    return n;
}

static void test_64_threads_pool_of_8(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, url);
    od_config_set(&cfg, "database", "pool_size", "8");
    struct od_pool *pool = od_pool_open(&cfg, "opsdeck-test-pool");
    enum { THREADS = 64 };
    pthread_t th[THREADS];
    struct worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct worker_arg){pool, 1000, 0};
        pthread_create(&th[i], NULL, hammer, &args[i]);
    }
    int errors = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        errors += args[i].errors;
    }
    assert_int_equal(errors, 0);
    struct od_pool_stats st;
    od_pool_get_stats(pool, &st);
    assert_int_equal(st.in_use, 0);
    assert_true(st.open <= 8);
    assert_int_equal(st.acquired, 64000);
    assert_int_equal(settle_backends("opsdeck-test-pool", st.open), st.open);
    od_pool_close(pool);
    assert_int_equal(settle_backends("opsdeck-test-pool", 0), 0); /* nothing leaked */
    od_config_release(&cfg);
}

static void test_session_settings(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, url);
    od_config_set(&cfg, "database", "statement_timeout_ms", "1234");
    struct od_pool *pool = od_pool_open(&cfg, "opsdeck-settings");
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    PGresult *r = od_db_exec(c,
                             "SELECT current_setting('statement_timeout'), "
                             "current_setting('application_name'), current_setting('lock_timeout'),"
                             " current_setting('idle_in_transaction_session_timeout')",
                             0, NULL);
    assert_non_null(r);
    assert_string_equal(PQgetvalue(r, 0, 0), "1234ms");
    assert_string_equal(PQgetvalue(r, 0, 1), "opsdeck-settings");
    assert_string_equal(PQgetvalue(r, 0, 2), "5s");
    assert_string_equal(PQgetvalue(r, 0, 3), "1min");
    PQclear(r);
    /* the server kills a statement past statement_timeout; the error is reported */
    assert_null(od_db_exec(c, "SELECT pg_sleep(3)", 0, NULL));
    assert_non_null(strstr(od_err(), "statement timeout"));
    od_pool_release(pool, c);
    od_pool_close(pool);
    od_config_release(&cfg);
}

static void test_broken_connection_replaced(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, url);
    od_config_set(&cfg, "database", "pool_size", "1");
    struct od_pool *pool = od_pool_open(&cfg, "opsdeck-broken");
    PGconn *c = od_pool_acquire(pool, 5000);
    /* kill our own backend from another connection */
    PGconn *killer = PQconnectdb(url);
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", PQbackendPID(c));
    const char *p[1] = {pid};
    PQclear(
        PQexecParams(killer, "SELECT pg_terminate_backend($1::int)", 1, NULL, p, NULL, NULL, 0));
    PQfinish(killer);
    assert_null(od_db_exec(c, "SELECT 1", 0, NULL));
    od_pool_release(pool, c);
    /* a connection left inside a transaction is not reused either */
    c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    PGresult *r = od_db_exec(c, "SELECT 1", 0, NULL);
    assert_non_null(r);
    PQclear(r);
    od_db_begin(c);
    od_pool_release(pool, c);
    c = od_pool_acquire(pool, 5000);
    assert_int_equal(PQtransactionStatus(c), PQTRANS_IDLE);
    od_pool_release(pool, c);
    struct od_pool_stats st;
    od_pool_get_stats(pool, &st);
    assert_int_equal(st.replaced, 2);
    od_pool_close(pool);
    od_config_release(&cfg);
}

static void test_acquire_timeout(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, url);
    od_config_set(&cfg, "database", "pool_size", "1");
    struct od_pool *pool = od_pool_open(&cfg, "opsdeck-timeout");
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    assert_null(od_pool_acquire(pool, 50));
    assert_non_null(strstr(od_err(), "no database connection free"));
    od_pool_release(pool, c);
    struct od_pool_stats st;
    od_pool_get_stats(pool, &st);
    assert_int_equal(st.timeouts, 1);
    od_pool_close(pool);
    od_config_release(&cfg);
}

static void test_unreachable(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, "postgresql:///x?host=/nonexistent-opsdeck-socket&user=nobody");
    struct od_pool *pool = od_pool_open(&cfg, "opsdeck-unreachable");
    assert_null(od_pool_acquire(pool, 1000));
    assert_non_null(strstr(od_err(), "cannot connect to the database"));
    assert_non_null(strstr(od_err(), "nonexistent-opsdeck-socket"));
    od_pool_close(pool);
    od_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_64_threads_pool_of_8),
        cmocka_unit_test(test_session_settings),
        cmocka_unit_test(test_broken_connection_replaced),
        cmocka_unit_test(test_acquire_timeout),
        cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
