/* test_ratelimit — the shared limiter keeps the provider's window (issue #15), against a real
 * PostgreSQL and with the in-process fallback: a first burst of the whole limit goes at once and
 * the next request waits for the window; a response moves its slot to the response time; a 429
 * holds every request; headroom read from the row; and, under eight threads taking slots
 * concurrently, no window of the period ever holds more than the limit (checked on the times the
 * database granted, not on a timer). Nothing here asserts how long anything took. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/net/ratelimit.h"
#include "tests/lib/testdb.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char *url;
static struct od_config cfg;
static struct od_pool *pool;
static PGconn *db;

static int setup(void **state)
{
    od_log_open(NULL, OD_LOG_ERROR, 0, 0);
    url = testdb_create("ratelimit");
    testdb_config(&cfg, url);
    od_config_set(&cfg, "database", "pool_size", "12");
    pool = od_pool_open(&cfg, "test-ratelimit");
    db = od_db_connect(&cfg, "test-ratelimit-main");
    return db && pool ? 0 : -1;
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

/* A bucket of its own for each test: budget "hubspot" with the given account. */
static struct od_ratelimit *bucket(struct od_pool *p, const char *budget, const char *account)
{
    od_config_set(&cfg, "ratelimit", "hubspot", budget);
    od_ratelimit_configure(&cfg);
    return od_ratelimit_get(p, "hubspot", account);
}

static void burst_then_window(struct od_pool *p, const char *account)
{
    struct od_ratelimit *rl = bucket(p, "10/60000", account);
    char slot[OD_RATELIMIT_SLOT];
    for (int i = 0; i < 10; i++) {
        assert_int_equal(od_ratelimit_try(rl, slot), 0); /* the whole limit at once */
        assert_true(slot[0] != '\0');
        od_ratelimit_sent(rl, slot);
    }
    int64_t wait = od_ratelimit_try(rl, slot);
    assert_true(wait > 50000 && wait <= 60400); /* the 11th waits for the first to leave */
    assert_string_equal(slot, "");
    struct od_ratelimit_headroom h;
    od_ratelimit_headroom(rl, &h);
    assert_int_equal(h.remaining, 0);
    assert_false(h.held);
}

static void test_burst_db(void **state)
{
    burst_then_window(pool, "burst-db");
    struct od_ratelimit_headroom h;
    assert_int_equal(od_ratelimit_headroom_db(db, "hubspot:burst-db", &h), 0);
    assert_int_equal(h.limit, 10);
    assert_int_equal(h.remaining, 0);
    assert_true(h.wait_ms > 50000);
    char *n = q1("SELECT cardinality(sent) FROM rate_limits WHERE bucket = $1", "hubspot:burst-db");
    assert_string_equal(n, "10");
    free(n);
}

static void test_burst_fallback(void **state)
{
    burst_then_window(NULL, "burst-local"); /* no database: the in-process window */
}

static void test_sent_moves_slot_and_headroom(void **state)
{
    struct od_ratelimit *rl = bucket(pool, "10/60000", "moves");
    char slot[OD_RATELIMIT_SLOT];
    assert_int_equal(od_ratelimit_try(rl, slot), 0);
    char *before = q1("SELECT sent[1] FROM rate_limits WHERE bucket = $1", "hubspot:moves");
    od_sleep_ms(20);
    od_ratelimit_sent(rl, slot);
    char *moved = q1("SELECT sent[1] > $1::timestamptz FROM rate_limits"
                     " WHERE bucket = 'hubspot:moves'",
                     before);
    assert_string_equal(moved, "t");
    free(moved);
    free(before);
    for (int i = 0; i < 3; i++)
        assert_int_equal(od_ratelimit_try(rl, NULL), 0);
    struct od_ratelimit_headroom h;
    assert_int_equal(od_ratelimit_headroom_db(db, "hubspot:moves", &h), 0);
    assert_int_equal(h.remaining, 6);
    assert_int_equal(h.wait_ms, 0);
    /* A 429 holds every request, whatever the window says. */
    od_ratelimit_penalize(rl, 30000);
    int64_t wait = od_ratelimit_try(rl, slot);
    assert_true(wait > 25000 && wait <= 30000);
    od_ratelimit_headroom(rl, &h);
    assert_true(h.held);
    assert_int_equal(od_ratelimit_headroom_db(db, "hubspot:moves", &h), 0);
    assert_true(h.held);
    assert_int_equal(h.remaining, 0);
    assert_true(h.wait_ms > 25000);
}

enum { THREADS = 8, LIMIT = 20, PERIOD_MS = 1000, GRANTS = 70 };

struct taker {
    struct od_ratelimit *rl;
    pthread_mutex_t *mu;
    int *n;
    char (*slots)[OD_RATELIMIT_SLOT];
};

static void *take_loop(void *arg)
{
    struct taker *t = arg;
    for (;;) {
        pthread_mutex_lock(t->mu);
        bool enough = *t->n >= GRANTS;
        pthread_mutex_unlock(t->mu);
        if (enough) break;
        char slot[OD_RATELIMIT_SLOT];
        if (od_ratelimit_acquire(t->rl, NULL, NULL, NULL, slot) < 0) break;
        pthread_mutex_lock(t->mu);
        snprintf(t->slots[(*t->n)++ % (GRANTS + THREADS)], OD_RATELIMIT_SLOT, "%s", slot);
        pthread_mutex_unlock(t->mu);
    }
    return NULL;
}

static void test_concurrent_never_over_limit(void **state)
{
    struct od_ratelimit *rl = bucket(pool, "20/1000", "concurrent");
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int n = 0;
    char(*slots)[OD_RATELIMIT_SLOT] = od_xcalloc(GRANTS + THREADS, OD_RATELIMIT_SLOT);
    struct taker t = {rl, &mu, &n, slots};
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, take_loop, &t);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_true(n >= GRANTS);
    /* The grant times as the database gave them: no window of the period holds more. */
    struct strbuf arr = STRBUF_INIT;
    sb_addch(&arr, '{');
    for (int i = 0; i < n && i < GRANTS + THREADS; i++) {
        sb_addf(&arr, "%s\"%s\"", i ? "," : "", slots[i]);
    }
    sb_addch(&arr, '}');
    char *max = q1("SELECT max((SELECT count(*) FROM unnest($1::timestamptz[]) u"
                   "  WHERE u >= t AND u < t + interval '1000 milliseconds'))"
                   " FROM unnest($1::timestamptz[]) t",
                   sb_str(&arr));
    char *first = q1("SELECT count(*) FROM unnest($1::timestamptz[]) u"
                     " WHERE u < (SELECT min(x) FROM unnest($1::timestamptz[]) x)"
                     "  + interval '1000 milliseconds'",
                     sb_str(&arr));
    print_message("# %d grants; most in any 1000 ms window: %s; in the first: %s\n", n, max, first);
    assert_true(atoi(max) <= LIMIT);
    assert_int_equal(atoi(first), LIMIT); /* the first window is used whole */
    free(max);
    free(first);
    sb_release(&arr);
    free(slots);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_db),
        cmocka_unit_test(test_burst_fallback),
        cmocka_unit_test(test_sent_moves_slot_and_headroom),
        cmocka_unit_test(test_concurrent_never_over_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
