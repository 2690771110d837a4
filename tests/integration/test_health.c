/* test_health — the metrics endpoint against a real PostgreSQL: /metrics in Prometheus text
 * format with pool, queue and exception series; /healthz as health JSON (200 when up, 503
 * with the database unreachable); unknown paths 404; the health run with the database down
 * answers fail quickly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/ops/health.h"
#include "core/ops/metrics.h"
#include "core/base/util.h"
#include "tests/lib/testdb.h"
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static char *url;

static int setup(void **state)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    url = testdb_create("health");
    return 0;
}

static int teardown(void **state)
{
    testdb_drop(url);
    free(url);
    curl_global_cleanup();
    return 0;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    sb_addn(ud, p, size * n);
    return size * n;
}

/* GET http://127.0.0.1:port/path; returns the status, body into out. */
static long get(int port, const char *path, struct strbuf *out)
{
    char u[128];
    snprintf(u, sizeof u, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, u);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return status;
}

static void test_metrics_endpoint(void **state)
{
    struct od_config cfg;
    testdb_config(&cfg, url);
    struct od_pool *pool = od_pool_open(&cfg, "test-metrics");
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    assert_int_equal(0,
                     od_db_cmd(c,
                               "INSERT INTO sync_jobs (provider, resource, state) VALUES"
                               " ('harvest', 'clients', 'available'), ('harvest', 'users', 'dead')",
                               0, NULL));
    assert_int_equal(0, od_db_cmd(c,
                                  "INSERT INTO exceptions (kind, severity, subject, message)"
                                  " VALUES ('dead_letter', 'warning', 'x', 'y')",
                                  0, NULL));
    od_pool_release(pool, c);

    struct od_metrics_env env = {.cfg = &cfg, .pool = pool};
    struct od_metrics *m = od_metrics_start("127.0.0.1:0", &env);
    assert_non_null(m);
    assert_true(od_metrics_port(m) > 0);

    struct strbuf body = STRBUF_INIT;
    assert_int_equal(200, get(od_metrics_port(m), "/metrics", &body));
    const char *want[] = {"# TYPE opsdeck_pool_connections gauge\n",
                          "opsdeck_database_up 1\n",
                          "opsdeck_queue_jobs{state=\"available\"} 1\n",
                          "opsdeck_queue_jobs{state=\"dead\"} 1\n",
                          "opsdeck_exceptions_live{severity=\"warning\"} 1\n",
                          "# TYPE opsdeck_cache_hits_total counter\n",
                          "process_resident_memory_bytes "};
    for (size_t i = 0; i < OD_ARRAY_LEN(want); i++)
        if (!strstr(sb_str(&body), want[i]))
            fail_msg("/metrics lacks '%s' in:\n%s", want[i], sb_str(&body));
    sb_reset(&body);
    assert_int_equal(200, get(od_metrics_port(m), "/healthz", &body));
    assert_non_null(strstr(sb_str(&body), "\"checks\":{\"database:latency\":[{"));
    sb_reset(&body);
    assert_int_equal(404, get(od_metrics_port(m), "/nothing", &body));
    sb_release(&body);
    od_metrics_stop(m);
    od_pool_close(pool);
    od_config_release(&cfg);
}

static void test_database_down(void **state)
{
    struct od_config cfg;
    char *dead = od_xasprintf("postgresql:///nothing?host=/nonexistent-opsdeck-socket-dir");
    testdb_config(&cfg, dead);
    struct od_pool *pool = od_pool_open(&cfg, "test-health-down");
    struct od_metrics_env env = {.cfg = &cfg, .pool = pool};
    struct od_metrics *m = od_metrics_start("127.0.0.1:0", &env);
    assert_non_null(m);
    struct strbuf body = STRBUF_INIT;
    int64_t t0 = od_now_ms();
    assert_int_equal(503, get(od_metrics_port(m), "/healthz", &body));
    assert_true(od_now_ms() - t0 < 10000);
    assert_non_null(strstr(sb_str(&body), "\"status\":\"fail\""));
    sb_reset(&body);
    assert_int_equal(200, get(od_metrics_port(m), "/metrics", &body));
    assert_non_null(strstr(sb_str(&body), "opsdeck_database_up 0\n"));
    sb_release(&body);
    od_metrics_stop(m);
    od_pool_close(pool);
    od_config_release(&cfg);
    free(dead);
}

static void test_bad_listen(void **state)
{
    struct od_metrics_env env = {0};
    assert_null(od_metrics_start("no-port", &env));
    assert_non_null(strstr(od_err(), "HOST:PORT"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_endpoint),
        cmocka_unit_test(test_database_down),
        cmocka_unit_test(test_bad_listen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
