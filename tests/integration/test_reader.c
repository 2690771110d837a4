/* test_reader — reads run off the calling thread on pooled connections, results come back
 * with their snapshot or error, newest request per key wins, stop frees everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/reader.h"
#include "core/base/util.h"
#include "tests/lib/testdb.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *url;
static int wakes;
static pthread_mutex_t wl = PTHREAD_MUTEX_INITIALIZER;

static void wake(void *arg)
{
    pthread_mutex_lock(&wl);
    wakes++;
    pthread_mutex_unlock(&wl);
}

static void *read_number(PGconn *c, void *arg)
{
    const char *p[1] = {arg};
    PGresult *r = od_db_exec(c, "SELECT $1::int * 2, pg_sleep(0.05)", 1, p);
    if (!r) return NULL;
    int *v = od_xmalloc(sizeof(int));
    *v = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void *read_bad(PGconn *c, void *arg)
{
    return od_db_exec(c, "SELECT * FROM no_such_table", 0, NULL);
}

static int wait_results(struct od_reader *q, struct od_read_result *out, int want)
{
    int got = 0;
    for (int i = 0; i < 500 && got < want; i++) {
        while (got < want && od_reader_poll(q, &out[got]))
            got++;
        if (got < want) usleep(10000);
    }
    return got;
}

static void test_results_and_errors(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, url);
    struct od_pool *pool = od_pool_open(&cfg, "reader-test");
    struct od_reader *q = od_reader_start(pool, 2, wake, NULL);
    od_reader_submit(q, "a", read_number, od_xstrdup("21"), free, free);
    od_reader_submit(q, "b", read_bad, NULL, NULL, free);
    struct od_read_result r[2];
    assert_int_equal(wait_results(q, r, 2), 2);
    for (int i = 0; i < 2; i++) {
        if (strcmp(r[i].key, "a") == 0) {
            assert_non_null(r[i].snapshot);
            assert_int_equal(*(int *)r[i].snapshot, 42);
            assert_null(r[i].error);
        } else {
            assert_null(r[i].snapshot);
            assert_non_null(strstr(r[i].error, "no_such_table"));
        }
        od_read_result_release(&r[i]);
    }
    assert_true(wakes >= 2);
    assert_int_equal(od_reader_busy(q, NULL), 0);
    od_reader_stop(q);
    od_pool_close(pool);
    od_config_release(&cfg);
}

static void test_newest_wins(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, url);
    struct od_pool *pool = od_pool_open(&cfg, "reader-test");
    struct od_reader *q = od_reader_start(pool, 1, NULL, NULL);
    /* the first occupies the only worker; of the queued "k" requests only the last runs */
    od_reader_submit(q, "busy", read_number, od_xstrdup("1"), free, free);
    usleep(20000);
    for (int i = 0; i < 10; i++) {
        char n[8];
        snprintf(n, sizeof(n), "%d", 100 + i);
        od_reader_submit(q, "k", read_number, od_xstrdup(n), free, free);
    }
    struct od_read_result r[2];
    assert_int_equal(wait_results(q, r, 2), 2);
    usleep(100000);
    struct od_read_result extra;
    assert_false(od_reader_poll(q, &extra));
    int found = 0;
    for (int i = 0; i < 2; i++) {
        if (strcmp(r[i].key, "k") == 0) {
            assert_int_equal(*(int *)r[i].snapshot, 218);
            found = 1;
        }
        od_read_result_release(&r[i]);
    }
    assert_true(found);
    /* stop with work still queued frees it */
    od_reader_submit(q, "busy", read_number, od_xstrdup("1"), free, free);
    od_reader_submit(q, "x", read_number, od_xstrdup("2"), free, free);
    od_reader_stop(q);
    od_pool_close(pool);
    od_config_release(&cfg);
}

int main(void)
{
    url = testdb_create("reader");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_and_errors),
        cmocka_unit_test(test_newest_wins),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    testdb_drop(url);
    free(url);
    return rc;
}
