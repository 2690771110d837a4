/* test_http_threads — several threads sending requests through od_http_request at once, as the
 * sync workers do, against a small local HTTP server (libmicrohttpd) that answers 503 to the
 * first try of every request and 429 to some second tries: every request retries with backoff
 * (http.backoff_ms) and waits out a Retry-After. Each must end 200 with its own body after
 * exactly two attempts. Under `make tsan` (build-tsan/tests/integration/) this is the check
 * that the retry path has no data race. Twice:
 *   - with no provider and logging off, the threads share no lock at all, so TSan sees any
 *     unsynchronised shared state of the retry path (the backoff base used to be a static
 *     filled from getenv by whichever thread came first: this case reports that);
 *   - as a provider with a log file: one shared circuit breaker, JSON log lines from every
 *     thread (each line must parse). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/net/breaker.h"
#include "core/net/http.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 6
#define PER_THREAD 20

/* Server side: how often each path was asked, so the answer depends on the try. */
static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;
static int seen[THREADS][PER_THREAD];
static struct od_config cfg;
static int port;
static pthread_barrier_t start; /* every thread's first request at once: the widest overlap */

static enum MHD_Result answer(struct MHD_Connection *con, unsigned status, const char *body,
                              const char *retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (retry_after) MHD_add_response_header(r, "Retry-After", retry_after);
    enum MHD_Result rc = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    int t, i;
    if (sscanf(url, "/r/%d/%d", &t, &i) != 2 || t < 0 || t >= THREADS || i < 0 || i >= PER_THREAD)
        return answer(con, 404, "no such path", NULL);
    pthread_mutex_lock(&seen_mu);
    int n = ++seen[t][i];
    pthread_mutex_unlock(&seen_mu);
    if (n == 1) return answer(con, 503, "try again", NULL);
    if (n == 2 && i % 5 == 0) return answer(con, 429, "slow down", "0");
    char body[64];
    snprintf(body, sizeof body, "ok %d %d", t, i);
    return answer(con, 200, body, NULL);
}

struct worker {
    int t;
    const char *provider;
    int ok;        /* requests that ended as expected */
    char why[256]; /* the first one that did not */
};

static void *run(void *arg)
{
    struct worker *w = arg;
    char name[16];
    snprintf(name, sizeof name, "http-%d", w->t);
    od_log_set_thread(name);
    pthread_barrier_wait(&start);
    for (int i = 0; i < PER_THREAD; i++) {
        char url[96], want[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/r/%d/%d", port, w->t, i);
        snprintf(want, sizeof want, "ok %d %d", w->t, i);
        struct od_http_req req = {.method = "GET",
                                  .url = url,
                                  .cfg = &cfg,
                                  .provider = w->provider,
                                  .timeout_s = 10,
                                  .max_attempts = 3};
        struct od_http_resp resp = {0};
        enum od_http_rc rc = od_http_request(&req, &resp);
        bool good = rc == OD_HTTP_OK && resp.status == 200 && resp.attempts == 2 &&
                    resp.rate_limited == (i % 5 == 0) && strcmp(sb_str(&resp.body), want) == 0;
        if (good)
            w->ok++;
        else if (!w->why[0])
            snprintf(w->why, sizeof w->why,
                     "%s: rc %d status %ld attempts %d 429s %d body '%s' (%s)", url, (int)rc,
                     resp.status, resp.attempts, resp.rate_limited, sb_str(&resp.body), od_err());
        od_http_resp_release(&resp);
    }
    od_http_thread_cleanup();
    return NULL;
}

static struct MHD_Daemon *server(void)
{
    memset(seen, 0, sizeof seen);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
                                            NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                                            MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_END);
    assert_non_null(d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    port = info->port;
    return d;
}

static void run_threads(const char *provider)
{
    struct worker w[THREADS];
    pthread_t th[THREADS];
    memset(w, 0, sizeof w);
    pthread_barrier_init(&start, NULL, THREADS);
    for (int t = 0; t < THREADS; t++) {
        w[t].t = t;
        w[t].provider = provider;
        assert_int_equal(pthread_create(&th[t], NULL, run, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    for (int t = 0; t < THREADS; t++) {
        if (w[t].why[0]) print_message("thread %d: %s\n", t, w[t].why);
        assert_int_equal(w[t].ok, PER_THREAD);
    }
}

static void test_threads_unsynchronised(void **state)
{
    struct MHD_Daemon *d = server();
    od_log_set_level(OD_LOG_ERROR); /* emit() returns before its lock */
    run_threads(NULL);
    od_log_set_level(OD_LOG_INFO);
    MHD_stop_daemon(d);
}

static void test_threads_breaker_and_log(void **state)
{
    struct MHD_Daemon *d = server();
    char log_path[] = "/tmp/opsdeck-http-threads-XXXXXX";
    int fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(od_log_open(log_path, OD_LOG_INFO, 64 << 20, 0), 0);

    run_threads("harvest");
    od_log_close();
    MHD_stop_daemon(d);
    /* every try was logged as one JSON line: 503, 429 and 200s from six threads */
    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    char line[1024];
    int lines = 0, s503 = 0;
    while (fgets(line, sizeof line, f)) {
        struct od_json *doc = od_json_parse(line, strlen(line));
        if (!doc) fail_msg("not a JSON line: %s", line);
        const char *st = od_jv_string(od_jv_get(od_json_root(doc), "status"));
        s503 += st && strcmp(st, "503") == 0;
        lines++;
        od_json_free(doc);
    }
    fclose(f);
    unlink(log_path);
    int with_429 = THREADS * ((PER_THREAD + 4) / 5);
    assert_int_equal(lines, THREADS * PER_THREAD * 2 + with_429);
    assert_int_equal(s503, THREADS * PER_THREAD);
    /* the one shared breaker counted every 503 (its threshold is raised so it stays closed) */
    struct od_breaker_info bi;
    assert_int_equal(od_breaker_info("harvest", &bi), 0);
    assert_int_equal(bi.failures, (uint64_t)(THREADS * PER_THREAD));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    od_config_defaults(&cfg);
    assert_int_equal(od_config_set(&cfg, "http", "backoff_ms", "2"), 0);
    /* 6 threads each fail once per request: a run of failures across threads may pass the
     * default threshold of 5, and an open breaker would fail requests fast */
    assert_int_equal(od_config_set(&cfg, "breaker", "threshold", "1000"), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_unsynchronised),
        cmocka_unit_test(test_threads_breaker_and_log),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    od_config_release(&cfg);
    curl_global_cleanup();
    return rc;
}
