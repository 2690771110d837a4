/* test_rescue — od_queue_rescue run by many processes at once (every process that works or
 * waits on jobs rescues, leader or not, issue #15): eight connections rescue the same stale
 * jobs concurrently, repeatedly; each stale job is rescued exactly once (one "rescued" entry in
 * its errors, the rescues counted over all callers equal the stale jobs), a job with no
 * attempts left ends dead once, and jobs with a fresh heartbeat are left running. Plus the
 * words a person sees for such jobs (core/jobs/jobview.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/jobs/jobview.h"
#include "core/jobs/queue.h"
#include "tests/lib/testdb.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { RESCUERS = 8, ROUNDS = 5, STALE = 300, NO_ATTEMPTS_LEFT = 20, FRESH = 50 };

static char *url;
static struct od_config cfg;
static PGconn *db;

static int setup(void **state)
{
    od_log_open(NULL, OD_LOG_ERROR, 0, 0);
    url = testdb_create("rescue");
    testdb_config(&cfg, url);
    db = od_db_connect(&cfg, "test-rescue-main");
    return db ? 0 : -1;
}

static int teardown(void **state)
{
    testdb_teardown(db, NULL, &cfg, url);
    return 0;
}

static char *q1(const char *sql)
{
    PGresult *r = od_db_exec(db, sql, 0, NULL);
    assert_non_null(r);
    char *v = od_xstrdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return v;
}

static void assert_q(const char *sql, const char *want)
{
    char *v = q1(sql);
    assert_string_equal(v, want);
    free(v);
}

struct rescuer {
    pthread_barrier_t *go;
    int rescued, errors;
};

static void *rescue_loop(void *arg)
{
    struct rescuer *r = arg;
    PGconn *c = od_db_connect(&cfg, "test-rescuer");
    pthread_barrier_wait(r->go);
    for (int i = 0; c && i < ROUNDS; i++) {
        int n = od_queue_rescue(c, 30);
        if (n < 0)
            r->errors++;
        else
            r->rescued += n;
    }
    if (!c) r->errors++;
    PQfinish(c);
    return NULL;
}

static void test_rescue_concurrent(void **state)
{
    assert_int_equal(
        od_db_cmd(db,
                  "INSERT INTO sync_jobs (provider, resource, state, locked_by, heartbeat_at,"
                  "  attempts, max_attempts)"
                  " SELECT 'system', 'noop', 'running', 'ghost:' || g || ':1/1',"
                  "  now() - interval '1 hour', 1, CASE WHEN g <= 20 THEN 1 ELSE 8 END"
                  " FROM generate_series(1, 300) g",
                  0, NULL),
        0);
    assert_int_equal(od_db_cmd(db,
                               "INSERT INTO sync_jobs (provider, resource, state, locked_by,"
                               "  heartbeat_at, attempts)"
                               " SELECT 'system', 'noop', 'running', 'alive:1:1/1', now(), 1"
                               " FROM generate_series(1, 50)",
                               0, NULL),
                     0);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, RESCUERS);
    struct rescuer rs[RESCUERS];
    pthread_t th[RESCUERS];
    for (int i = 0; i < RESCUERS; i++) {
        rs[i] = (struct rescuer){&go, 0, 0};
        pthread_create(&th[i], NULL, rescue_loop, &rs[i]);
    }
    int total = 0;
    for (int i = 0; i < RESCUERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(rs[i].errors, 0);
        total += rs[i].rescued;
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(total, STALE); /* counted once, whoever did it */
    /* One rescue entry per stale job, never two; those with no attempts left are dead. */
    assert_q("SELECT count(*) FROM sync_jobs WHERE locked_by LIKE 'ghost:%' AND"
             " (SELECT count(*) FROM jsonb_array_elements(errors) e"
             "  WHERE e->>'error' LIKE 'rescued: worker ghost:%') = 1",
             "300");
    assert_q("SELECT count(*) FROM sync_jobs WHERE locked_by LIKE 'ghost:%' AND state = 'dead'",
             "20");
    assert_q("SELECT count(*) FROM sync_jobs WHERE locked_by LIKE 'ghost:%'"
             " AND state = 'available'",
             "280");
    assert_q("SELECT count(*) FROM sync_jobs WHERE locked_by LIKE 'alive:%' AND state = 'running'"
             " AND errors = '[]'",
             "50");
    assert_q("SELECT count(*) FROM sync_jobs WHERE attempts <> 1", "0");
}

static struct od_job_row row(const char *state, char *locked_by, double hb_age, double run_in,
                             char *last_error)
{
    return (struct od_job_row){.state = (char *)state,
                               .locked_by = locked_by,
                               .heartbeat_age_s = hb_age,
                               .run_in_s = run_in,
                               .last_error = last_error,
                               .attempts = 2,
                               .max_attempts = 8};
}

static void test_jobview_words(void **state)
{
    char buf[OD_JOBVIEW_MAX];
    struct od_job_row r = row("running", "web-1:4242:1700000000/2", 12.4, 0, NULL);
    assert_int_equal(od_jobview_state(&r, 5, buf, sizeof buf), OD_JOBVIEW_STALLED);
    assert_string_equal(buf, "stalled — worker web-1:4242 silent 12 s");
    r.heartbeat_age_s = 10.9; /* 2 beats + 1 s of grace at heartbeat_s 5: not late yet */
    assert_int_equal(od_jobview_state(&r, 5, buf, sizeof buf), OD_JOBVIEW_PLAIN);
    assert_string_equal(buf, "running");
    r.heartbeat_age_s = -1; /* no heartbeat at all */
    assert_int_equal(od_jobview_state(&r, 5, buf, sizeof buf), OD_JOBVIEW_PLAIN);
    /* A hostile worker name from the database is sanitized. */
    r = row("running", "evil\033[2J\xe2\x80\xae:1:2/3", 100, 0, NULL);
    od_jobview_state(&r, 5, buf, sizeof buf);
    assert_string_equal(buf, "stalled — worker evil:1 silent 100 s");
    r = row("retryable", NULL, -1, 39.2,
            "hubspot GET /crm/v3/objects/deals: HTTP 503 Service Unavailable \"down\"");
    assert_int_equal(od_jobview_state(&r, 5, buf, sizeof buf), OD_JOBVIEW_RETRY);
    assert_string_equal(buf, "retry 3/8 in 40 s (HTTP 503)");
    r.last_error = "harvest GET /v2/users: Operation timed out after 30000 ms";
    od_jobview_state(&r, 5, buf, sizeof buf);
    assert_string_equal(buf, "retry 3/8 in 40 s");
    r.run_in_s = -3; /* due: plain retryable, the next claim takes it */
    assert_int_equal(od_jobview_state(&r, 5, buf, sizeof buf), OD_JOBVIEW_PLAIN);
    assert_string_equal(buf, "retryable");
    r = row("retryable", NULL, -1, 600, "HTTP 5031 is not a status");
    od_jobview_state(&r, 5, buf, sizeof buf);
    assert_string_equal(buf, "retry 3/8 in 10 min");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rescue_concurrent),
        cmocka_unit_test(test_jobview_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
