/* test_http — what upstream may send and od_http_request must survive (issue #12): Retry-After
 * parsed by our bounded parser (numbers past int64, HTTP-dates, garbage), capped waits (a 429 or
 * 503 asking for a day gives up at once and holds the limiter only for the cap), response bodies
 * over the limit (chunked, or announced by Content-Length) fail the request and free their
 * memory, and a stop request ends a wait. Also the URL transport rule (core/base/url.h).
 * The server is a small libmicrohttpd daemon in this process answering whatever a route says;
 * `make asan` runs this under ASan+UBSan (halt_on_error), which is the overflow check. */
#include "core/net/http.h"
#include "core/base/config.h"
#include "core/base/url.h"
#include "core/base/util.h"
#include <curl/curl.h>
#include <microhttpd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* The configuration every request carries (defaults, a short backoff). */
static struct od_config test_cfg;

#define MAX_MS (OD_HTTP_RETRY_AFTER_MAX_S * 1000)

static void test_retry_after_parse(void **state)
{
    const struct {
        const char *v;
        int64_t now, want;
    } cases[] = {
        {"120", 0, 120000},
        {" 7 ", 0, 7000},
        {"0", 0, 0},
        {"999999999", 0, INT64_C(999999999000)},
        {"92233720368547758", 0, MAX_MS},
        {"9223372036854775807", 0, MAX_MS},
        {"99999999999999999999999999999999999999", 0, MAX_MS},
        {"2147483647", 0, MAX_MS},
        {"2147483648", 0, MAX_MS},
        {"-5", 0, -1},
        {"5x", 0, -1},
        {"1.5", 0, -1},
        {"", 0, -1},
        {"soon", 0, -1},
        /* HTTP-date, all three RFC 9110 forms; the past is "now" */
        {"Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 60, 60000},
        {"Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 60, 0},
        {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777 - 10, 10000},
        {"Sun Nov  6 08:49:37 1994", 784111777 - 3, 3000},
        {"Fri, 31 Dec 9999 23:59:59 GMT", 0, MAX_MS},
    };
    for (size_t i = 0; i < OD_ARRAY_LEN(cases); i++) {
        int64_t got = od_http_retry_after_ms(cases[i].v, cases[i].now);
        if (got != cases[i].want)
            fail_msg("Retry-After '%s' (now %lld): want %lld, got %lld", cases[i].v,
                     (long long)cases[i].now, (long long)cases[i].want, (long long)got);
    }
    assert_int_equal(od_http_retry_after_ms(NULL, 0), -1);
}

static void test_url_transport(void **state)
{
    const char *ok[] = {
        "https://api.harvestapp.com", "https://api.hubapi.com/",     "HTTPS://x.io:8443/a",
        "http://127.0.0.1:8089",      "http://127.1.2.3/",           "http://localhost:9/x",
        "http://[::1]:80/",           "http://[::ffff:127.0.0.1]:1", "http://LOCALHOST."};
    const char *bad[] = {"http://api.harvestapp.com",
                         "http://10.0.0.1:80",
                         "http://[::2]/",
                         "http://127.0.0.1.nip.io/",
                         "http://localhost.evil.com/",
                         "http://127.0.0.1@evil.com/",
                         "https://u:p@api.hubapi.com",
                         "ftp://127.0.0.1/",
                         "file:///etc/passwd",
                         "gopher://x",
                         "https://",
                         "https:///path",
                         "https://h:0/",
                         "https://h:65536/",
                         "https://h:8a/",
                         "https://h /",
                         "http://[::1",
                         "2130706433",
                         ""};
    for (size_t i = 0; i < OD_ARRAY_LEN(ok); i++)
        if (od_url_check_transport(ok[i]) != 0) fail_msg("'%s' should pass: %s", ok[i], od_err());
    for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++)
        if (od_url_check_transport(bad[i]) == 0) fail_msg("'%s' should be refused", bad[i]);
    assert_int_equal(od_url_check_transport("http://api.harvestapp.com"), -1);
    assert_non_null(strstr(od_err(), "https://"));
}

/* ---- a server that answers what the route says ---------------------------------------- */

static struct MHD_Daemon *daemon_;
static int port;
static atomic_int hits;
static char route_retry_after[64]; /* Retry-After of /429 and /503 */

static ssize_t pad_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    uint64_t len = *(const uint64_t *)cls;
    if (pos >= len) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = len - pos < max ? (size_t)(len - pos) : max;
    memset(buf, 'x', n);
    return (ssize_t)n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *up,
                                  size_t *up_size, void **con_cls)
{
    static uint64_t big = (uint64_t)20 << 20; /* 20 MiB */
    struct MHD_Response *r;
    unsigned status = 200;
    atomic_fetch_add(&hits, 1);
    if (!strcmp(url, "/429") || !strcmp(url, "/503")) {
        status = url[1] == '4' ? 429 : 503;
        r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Retry-After", route_retry_after);
    } else if (!strcmp(url, "/chunked")) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, pad_reader, &big, NULL);
    } else if (!strcmp(url, "/length")) {
        r = MHD_create_response_from_callback(big, 65536, pad_reader, &big, NULL);
    } else {
        r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    }
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static int server_up(void **state)
{
    daemon_ =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, on_request,
                         NULL, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!daemon_) return -1;
    port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
    return 0;
}

static int server_down(void **state)
{
    od_http_thread_cleanup();
    MHD_stop_daemon(daemon_);
    return 0;
}

struct probe {
    int64_t penalized_ms; /* what on_rate_limited was told (the shared limiter) */
    int penalties;
    int64_t stop_at_ms; /* should_stop turns true then (0 never) */
};

static void on_limited(void *arg, int64_t ms)
{
    struct probe *p = arg;
    p->penalized_ms = ms;
    p->penalties++;
}

static bool stop_cb(void *arg)
{
    struct probe *p = arg;
    return p->stop_at_ms && od_now_ms() >= p->stop_at_ms;
}

static enum od_http_rc get(const char *path, struct probe *p, int cap_s, int64_t max_body,
                           struct od_http_resp *resp)
{
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    struct od_http_req req = {.method = "GET",
                              .cfg = &test_cfg,
                              .url = url,
                              .provider = "test",
                              .timeout_s = 30,
                              .max_attempts = 2,
                              .on_rate_limited = on_limited,
                              .should_stop = stop_cb,
                              .arg = p,
                              .max_body = max_body,
                              .retry_after_cap_s = cap_s};
    memset(resp, 0, sizeof *resp);
    return od_http_request(&req, resp);
}

static void test_retry_after_over_cap(void **state)
{
    /* a 31-year 429, an overflowing one and an HTTP-date far ahead: no wait, the limiter held
     * for the cap only, the asked wait reported */
    const char *values[] = {"999999999", "92233720368547758", "Fri, 31 Dec 9999 23:59:59 GMT"};
    for (size_t i = 0; i < OD_ARRAY_LEN(values); i++) {
        snprintf(route_retry_after, sizeof route_retry_after, "%s", values[i]);
        struct probe p = {0};
        struct od_http_resp resp;
        int64_t t0 = od_now_ms();
        assert_int_equal(get("/429", &p, 2, 0, &resp), OD_HTTP_TRANSIENT);
        assert_true(od_now_ms() - t0 < 2000); /* generous: it must not wait at all */
        assert_int_equal(p.penalties, 1);
        assert_int_equal(p.penalized_ms, 2000);
        assert_int_equal(resp.status, 429);
        assert_true(resp.retry_after_ms >= INT64_C(999999999000));
        if (!strstr(od_err(), "longer than http.retry_after_cap_s (2 s)"))
            fail_msg("error: %s", od_err());
        od_http_resp_release(&resp);
    }
    /* a 503 asking for a day: given up at once too, the limiter untouched */
    snprintf(route_retry_after, sizeof route_retry_after, "86400");
    struct probe p = {0};
    struct od_http_resp resp;
    assert_int_equal(get("/503", &p, 2, 0, &resp), OD_HTTP_TRANSIENT);
    assert_int_equal(p.penalties, 0);
    assert_non_null(strstr(od_err(), "HTTP 503 with Retry-After 86400 s"));
    od_http_resp_release(&resp);
}

static void test_retry_after_within_cap_waits_and_stops(void **state)
{
    /* within the cap: waited, then retried (each try is a 429 here, so it keeps waiting) until
     * the stop flag, which is seen within a slice */
    snprintf(route_retry_after, sizeof route_retry_after, "30");
    struct probe p = {.stop_at_ms = od_now_ms() + 300};
    struct od_http_resp resp;
    int64_t t0 = od_now_ms();
    assert_int_equal(get("/429", &p, 60, 0, &resp), OD_HTTP_STOPPED);
    assert_true(od_now_ms() - t0 < 10000);
    assert_int_equal(p.penalized_ms, 30000);
    od_http_resp_release(&resp);
}

static void test_body_limit(void **state)
{
    const char *paths[] = {"/chunked", "/length"};
    for (size_t i = 0; i < OD_ARRAY_LEN(paths); i++) {
        struct probe p = {0};
        struct od_http_resp resp;
        int before = atomic_load(&hits);
        assert_int_equal(get(paths[i], &p, 60, (int64_t)1 << 20, &resp), OD_HTTP_TRANSIENT);
        assert_int_equal(atomic_load(&hits) - before, 1); /* not retried in place */
        assert_true(resp.too_large);
        assert_int_equal(resp.status, 200);
        assert_null(resp.body.buf); /* freed at once */
        if (!strstr(od_err(), "response body over the 1 MiB limit (http.max_body_bytes)"))
            fail_msg("%s: %s", paths[i], od_err());
        od_http_resp_release(&resp);
    }
    /* the default limit lets a normal answer through */
    struct probe p = {0};
    struct od_http_resp resp;
    assert_int_equal(get("/ok", &p, 0, 0, &resp), OD_HTTP_OK);
    assert_false(resp.too_large);
    assert_string_equal(sb_str(&resp.body), "{}");
    od_http_resp_release(&resp);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    od_config_defaults(&test_cfg);
    test_cfg.http.backoff_ms = 20;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after_parse),
        cmocka_unit_test(test_url_transport),
        cmocka_unit_test(test_retry_after_over_cap),
        cmocka_unit_test(test_retry_after_within_cap_waits_and_stops),
        cmocka_unit_test(test_body_limit),
    };
    int rc = cmocka_run_group_tests(tests, server_up, server_down);
    curl_global_cleanup();
    od_config_release(&test_cfg);
    return rc;
}
