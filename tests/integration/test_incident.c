/* test_incident — the core under the console's incident views (issue #15), against a real
 * PostgreSQL: every run of a job leaves an attempt row with its worker, times, outcome and
 * error (complete, fail, dead, release, rescue, cancel), and the job detail reads them with the
 * row, checkpoint and duration; `:retry dead` makes every dead job available again; a job's
 * log lines (HTTP lines of threads it starts included) carry its id and are read back bounded
 * and in order; the database probe says libpq's reason without the password; the offline
 * health checks run with no database; exceptions get their category from the rule, business
 * ones are never critical, and a role reads and edits only its categories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/base/thread.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/domain/exceptions.h"
#include "core/jobs/jobdetail.h"
#include "core/jobs/queue.h"
#include "core/ops/health.h"
#include "tests/lib/testdb.h"

static char *url;
static struct od_config cfg;
static PGconn *conn;

static int setup(void **state)
{
    url = testdb_create("incident");
    testdb_config(&cfg, url);
    conn = od_db_connect(&cfg, "test_incident");
    return conn ? 0 : -1;
}

static int teardown(void **state)
{
    PQfinish(conn);
    od_config_release(&cfg);
    testdb_drop(url);
    free(url);
    return 0;
}

static void sql(const char *q)
{
    assert_int_equal(od_db_cmd(conn, q, 0, NULL), 0);
}

static int64_t enqueue(const char *resource, int max_attempts)
{
    struct od_job_spec s = {
        .provider = "harvest", .resource = resource, .max_attempts = max_attempts};
    int64_t id = 0;
    assert_int_equal(od_queue_enqueue(conn, &s, &id), 1);
    return id;
}

static void claim(const char *worker, int64_t id)
{
    struct od_job job;
    struct od_claim_filter f = {.ids = &id, .n_ids = 1};
    assert_int_equal(od_queue_claim(conn, worker, 1, &f, &job), 1);
    od_job_clear(&job);
}

static void test_attempts_and_detail(void **state)
{
    int64_t a = enqueue("clients", 2), b = enqueue("projects", 8), c = enqueue("users", 8);
    claim("w1", a); /* 1: fails, retryable */
    assert_int_equal(od_queue_fail(conn, "w1", a, "HTTP 503 from upstream", false, 0), 0);
    claim("w2", a); /* 2: fails again, dead (max 2) */
    assert_int_equal(od_queue_fail(conn, "w2", a, "HTTP 500 again", false, 0), 1);
    claim("w1", b); /* stopped between pages: not counted */
    assert_int_equal(od_queue_release(conn, "w1", b), 1);
    claim("w3", b); /* its worker stops heartbeating */
    sql("UPDATE sync_jobs SET heartbeat_at = now() - interval '1 hour' WHERE state = 'running'");
    assert_int_equal(od_queue_rescue(conn, 60), 1);
    claim("w1", b);
    assert_int_equal(od_queue_complete(conn, "w1", &b, 1), 1);
    claim("w1", c); /* cancelled while it runs */
    assert_int_equal(od_queue_cancel(conn, c), 1);

    struct od_job_detail d;
    assert_int_equal(od_job_detail_read(conn, a, &d), 0);
    assert_string_equal(d.row->state, "dead");
    assert_int_equal(d.nattempts, 2);
    assert_int_equal(d.attempts[0].attempt, 1);
    assert_string_equal(d.attempts[0].outcome, "retryable");
    assert_string_equal(d.attempts[0].worker, "w1");
    assert_string_equal(d.attempts[0].error, "HTTP 503 from upstream");
    assert_non_null(d.attempts[0].started_at);
    assert_non_null(d.attempts[0].finished_at);
    assert_true(d.attempts[0].seconds >= 0);
    assert_string_equal(d.attempts[1].outcome, "dead");
    assert_string_equal(d.attempts[1].worker, "w2");
    assert_string_equal(d.attempts[1].error, "HTTP 500 again");
    assert_non_null(d.started_at);
    assert_true(d.run_seconds >= 0);
    od_job_detail_release(&d);

    assert_int_equal(od_job_detail_read(conn, b, &d), 0);
    assert_int_equal(d.nattempts, 3);
    assert_string_equal(d.attempts[0].outcome, "released");
    assert_null(d.attempts[0].error);
    assert_string_equal(d.attempts[1].outcome, "rescued");
    assert_non_null(strstr(d.attempts[1].error, "w3 stopped heartbeating"));
    assert_string_equal(d.attempts[2].outcome, "completed");
    od_job_detail_release(&d);

    assert_int_equal(od_job_detail_read(conn, c, &d), 0);
    assert_int_equal(d.nattempts, 1);
    assert_string_equal(d.attempts[0].outcome, "cancelled");
    od_job_detail_release(&d);

    assert_int_equal(od_job_detail_read(conn, 999999, &d), -1);
    assert_non_null(strstr(od_err(), "no job 999999"));

    /* :retry dead: every dead job available again, one at a time through the queue's rules */
    int64_t e = enqueue("tasks", 1);
    claim("w1", e);
    assert_int_equal(od_queue_fail(conn, "w1", e, "bad", true, 0), 1);
    int retried = -1, skipped = -1;
    assert_int_equal(od_jobs_retry_dead(conn, &retried, &skipped), 0);
    assert_int_equal(retried, 2);
    assert_int_equal(skipped, 0);
    PGresult *r = od_db_exec(conn, "SELECT count(*) FROM sync_jobs WHERE state = 'dead'", 0, NULL);
    assert_string_equal(PQgetvalue(r, 0, 0), "0");
    PQclear(r);
}

static void *child(void *arg)
{
    od_log_info("a page fetched ahead");
    return NULL;
}

static void test_job_log_lines(void **state)
{
    char path[] = "/tmp/opsdeck-incident-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(od_log_open(path, OD_LOG_INFO, 0, 2), 0);
    od_log_info("before the job");
    od_log_set_job(4242);
    od_log_kv(OD_LOG_INFO, "job started", "job", "4242", "attempt", "1", NULL);
    od_log_kv(OD_LOG_INFO, "http", "method", "GET", "path", "/v2/clients", "status", "200", NULL);
    pthread_t t;
    od_thread_start(&t, child, NULL); /* inherits the job */
    pthread_join(t, NULL);
    od_log_set_job(42); /* a job whose id is a prefix of the other's */
    od_log_info("another job, message mentions \"job\":\"4242\"");
    od_log_set_job(0);
    od_log_info("after the job");
    char **lines = NULL;
    size_t n = 0;
    assert_int_equal(od_log_job_lines(4242, 10, &lines, &n), 0);
    assert_int_equal(n, 3);
    assert_non_null(strstr(lines[0], "job started"));
    assert_non_null(strstr(lines[0], "attempt=1"));
    assert_null(strstr(lines[0], "job=4242")); /* the id is said once, not as a field */
    assert_non_null(strstr(lines[1], "http method=GET path=/v2/clients status=200"));
    assert_non_null(strstr(lines[2], "a page fetched ahead"));
    od_log_lines_free(lines, n);
    assert_int_equal(od_log_job_lines(4242, 2, &lines, &n), 0); /* bounded: the newest */
    assert_int_equal(n, 2);
    assert_non_null(strstr(lines[1], "a page fetched ahead"));
    od_log_lines_free(lines, n);
    od_log_close();
    unlink(path);
    assert_int_equal(od_log_job_lines(4242, 10, &lines, &n), -1); /* stderr: nothing to read */
}

static void test_probe_and_offline_checks(void **state)
{
    char reason[512];
    assert_int_equal(od_db_ping(&cfg, reason, sizeof reason), 0);
    struct od_config bad;
    testdb_config(&bad, "postgresql://ana:s3cret-pw@/x?host=/nonexistent-opsdeck");
    assert_int_equal(od_db_ping(&bad, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, "/nonexistent-opsdeck"));
    assert_null(strstr(reason, "s3cret-pw"));
    assert_null(strchr(reason, '\n'));
    assert_null(od_db_connect(&bad, "x")); /* the reason first, then which database */
    assert_int_equal(strncmp(od_err(), "cannot connect to the database: connection to server", 52),
                     0);
    assert_null(strstr(od_err(), "s3cret-pw"));
    struct od_health_env env = {.cfg = &bad, .no_upstream = true, .config_path = "/etc/x.conf"};
    struct od_health_report rep;
    od_health_run_offline(&env, &rep);
    assert_int_equal(rep.n, 4);
    assert_string_equal(rep.results[0].name, "config:file");
    assert_non_null(strstr(rep.results[0].output, "/etc/x.conf"));
    assert_null(strstr(rep.results[0].output, "s3cret-pw"));
    assert_string_equal(rep.results[1].name, "secrets:key_file");
    assert_int_equal(rep.results[1].status, OD_HEALTH_FAIL); /* no key file configured */
    assert_string_equal(rep.results[2].name, "harvest:reachability");
    od_health_report_release(&rep);
    od_config_release(&bad);
}

static void test_categories(void **state)
{
    sql("INSERT INTO sync_jobs (provider, resource, state, attempts, last_error, finished_at)"
        " VALUES ('hubspot', 'deals', 'dead', 8, 'HTTP 500', now())");
    sql("INSERT INTO harvest_clients (id, name, is_active, updated_at) VALUES (9, 'Acme', true, "
        "now())");
    sql("INSERT INTO profit_rollup_client_month (client_id, month, entries) VALUES (9, "
        "date_trunc('month', now())::date, 1)");
    struct od_pool *pool = od_pool_open(&cfg, "test_incident");
    struct od_exceptions_eval ev;
    od_exceptions_evaluate(pool, &cfg, &ev);
    PGresult *r = od_db_exec(conn,
                             "SELECT kind, category FROM exceptions WHERE kind IN"
                             " ('sync_failed', 'unlinked_client') ORDER BY kind",
                             0, NULL);
    assert_int_equal(PQntuples(r), 2);
    assert_string_equal(PQgetvalue(r, 0, 1), "system");   /* sync_failed */
    assert_string_equal(PQgetvalue(r, 1, 1), "business"); /* unlinked_client */
    PQclear(r);
    /* only system exceptions can be critical */
    assert_int_equal(od_db_cmd(conn,
                               "INSERT INTO exceptions (kind, severity, subject, message, "
                               "category) VALUES ('x', 'critical', 's', 'm', 'business')",
                               0, NULL),
                     -1);

    enum od_role ops = OD_ROLE_OPS, am = OD_ROLE_ACCOUNT_MANAGER, oncall = OD_ROLE_ONCALL,
                 admin = OD_ROLE_ADMIN;
    struct od_exception_list l;
    struct od_exception_filter f = {.role = &ops};
    assert_int_equal(od_exceptions_list(pool, &f, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].kind, "sync_failed");
    int64_t sys_id = l.items[0].id;
    od_exception_list_release(&l);
    f = (struct od_exception_filter){.role = &am};
    assert_int_equal(od_exceptions_list(pool, &f, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].category, "business");
    int64_t bus_id = l.items[0].id;
    od_exception_list_release(&l);
    f = (struct od_exception_filter){.role = &am, .category = "system"}; /* asks: still not */
    assert_int_equal(od_exceptions_list(pool, &f, &l), 0);
    assert_int_equal(l.n, 0);
    od_exception_list_release(&l);
    f = (struct od_exception_filter){.role = &admin};
    assert_int_equal(od_exceptions_list(pool, &f, &l), 0);
    assert_int_equal(l.n, 2);
    od_exception_list_release(&l);
    f = (struct od_exception_filter){.category = "business"}; /* the CLI */
    assert_int_equal(od_exceptions_list(pool, &f, &l), 0);
    assert_int_equal(l.n, 1);
    od_exception_list_release(&l);

    assert_int_equal(od_exceptions_ack(pool, &oncall, bus_id, 0, "oc@x", "mine?", NULL), -1);
    assert_non_null(strstr(od_err(), "may not acknowledge business exceptions"));
    assert_int_equal(od_exceptions_ack(pool, &oncall, sys_id, 0, "oc@x", "on it", NULL), 0);
    assert_true(od_exceptions_visible(ops, "system"));
    assert_false(od_exceptions_visible(ops, "business"));
    assert_true(od_exceptions_visible(admin, "business"));
    od_pool_close(pool);
}

int main(void)
{
    if (!testdb_available()) return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_attempts_and_detail, setup, teardown),
        cmocka_unit_test(test_job_log_lines),
        cmocka_unit_test_setup_teardown(test_probe_and_offline_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_categories, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
