/* http — libcurl requests with retries, Retry-After, breaker and log lines. See http.h. */
#include "core/net/http.h"
#include "core/base/time.h"
#include "core/net/breaker.h"
#include "core/net/http_stats.h"
#include "core/base/config.h"
#include "core/base/log.h"
#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE_WAIT_BUDGET_MS (15 * 60 * 1000)
#define BACKOFF_CAP_MS 15000

static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;
static _Thread_local CURL *tl_curl;
static _Thread_local uint64_t tl_rng;

static void handle_destroy(void *p)
{
    if (p) curl_easy_cleanup(p);
}

static void handle_key_init(void)
{
    pthread_key_create(&handle_key, handle_destroy);
}

static CURL *thread_handle(void)
{
    pthread_once(&handle_once, handle_key_init);
    if (!tl_curl) {
        tl_curl = curl_easy_init();
        if (tl_curl) pthread_setspecific(handle_key, tl_curl);
    } else {
        curl_easy_reset(tl_curl); /* keeps the connection cache */
    }
    return tl_curl;
}

void od_http_thread_cleanup(void)
{
    if (tl_curl) {
        pthread_once(&handle_once, handle_key_init);
        pthread_setspecific(handle_key, NULL);
        curl_easy_cleanup(tl_curl);
        tl_curl = NULL;
    }
}

static uint64_t rng_next(void)
{
    if (!tl_rng)
        tl_rng =
            (uint64_t)od_now_us() ^ ((uint64_t)(uintptr_t)&tl_rng << 16) ^ 0x9E3779B97F4A7C15ull;
    tl_rng ^= tl_rng << 13;
    tl_rng ^= tl_rng >> 7;
    tl_rng ^= tl_rng << 17;
    return tl_rng;
}

/* Exponential backoff with jitter: uniform in [d/2, d], d = http.backoff_ms * 2^(n-1), capped. */
static int64_t backoff_ms(const struct od_http_req *req, int n)
{
    int64_t d = req->cfg->http.backoff_ms;
    for (int i = 1; i < n && d < BACKOFF_CAP_MS; i++)
        d *= 2;
    if (d > BACKOFF_CAP_MS) d = BACKOFF_CAP_MS;
    return d / 2 + (int64_t)(rng_next() % (uint64_t)(d / 2 + 1));
}

/* Sleep in slices, checking should_stop. Returns false when stopped. */
static bool wait_ms(const struct od_http_req *req, int64_t ms)
{
    int64_t end = od_now_ms() + ms;
    for (;;) {
        if (req->should_stop && req->should_stop(req->arg)) return false;
        int64_t left = end - od_now_ms();
        if (left <= 0) return true;
        od_sleep_ms(left < 200 ? left : 200);
    }
}

void od_http_url_path(const char *url, char *buf, size_t n)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : url;
    if (!p) p = "/";
    size_t len = strcspn(p, "?#");
    if (len >= n) len = n - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
}

int64_t od_http_retry_after_ms(const char *v, int64_t now_s)
{
    if (!v) return -1;
    while (*v == ' ' || *v == '\t')
        v++;
    int64_t s = 0;
    if (*v >= '0' && *v <= '9') {
        const char *p = v;
        for (; *p >= '0' && *p <= '9'; p++)
            if (s <= OD_HTTP_RETRY_AFTER_MAX_S) s = s * 10 + (*p - '0'); /* stops past the max */
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p) return -1;
    } else {
        time_t t = curl_getdate(v, NULL);
        if (t == (time_t)-1) return -1;
        /* both sides are far from INT64 limits: time_t seconds and a wall clock */
        s = (int64_t)t > now_s ? (int64_t)t - now_s : 0;
    }
    if (s > OD_HTTP_RETRY_AFTER_MAX_S) s = OD_HTTP_RETRY_AFTER_MAX_S;
    return s * 1000;
}

/* "8 MiB" or "1000000 bytes". */
static void fmt_size(char *buf, size_t n, int64_t bytes)
{
    if (bytes % (1 << 20) == 0)
        snprintf(buf, n, "%lld MiB", (long long)(bytes >> 20));
    else
        snprintf(buf, n, "%lld bytes", (long long)bytes);
}

/* "999999999 s (until 2057-09-08T01:46:39Z)". */
static void fmt_wait(char *buf, size_t n, int64_t ms)
{
    char until[40];
    od_time_format_ms(od_wall_ms() + ms, until, sizeof until);
    char *dot = strchr(until, '.');
    if (dot) snprintf(dot, sizeof until - (size_t)(dot - until), "Z");
    snprintf(buf, n, "%lld s (until %s)", (long long)(ms / 1000), until);
}

struct sink {
    struct strbuf *sb;
    int64_t max;
    bool over;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct sink *k = userdata;
    size_t n = size * nmemb;
    if ((int64_t)(k->sb->len + n) > k->max) {
        k->over = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    sb_addn(k->sb, ptr, n);
    return n;
}

static bool status_retryable(long st)
{
    return st >= 500 || st == 423;
}

static void log_request(const struct od_http_req *req, const char *path, const char *status,
                        int64_t ms, int attempt)
{
    char lat[24], att[12];
    snprintf(lat, sizeof lat, "%lld", (long long)ms);
    snprintf(att, sizeof att, "%d", attempt);
    od_log_kv(OD_LOG_INFO, "http", "provider", req->provider ? req->provider : "-", "method",
              req->method, "path", path, "status", status, "latency_ms", lat, "attempt", att, NULL);
    od_http_stats_record(req->provider, strtol(status, NULL, 10), ms); /* "error": 0, no answer */
}

/* Polled by libcurl during a transfer: a stop request aborts it (CURLE_ABORTED_BY_CALLBACK). */
static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const struct od_http_req *req = arg;
    (void)dt, (void)dn, (void)ut, (void)un;
    return req->should_stop && req->should_stop(req->arg) ? 1 : 0;
}

/* One send. Returns the curl code; fills status, retry-after (ms, -1 none), body, and *over
 * when the body passed the limit (the transfer was abandoned). */
static CURLcode send_once(const struct od_http_req *req, struct od_http_resp *resp,
                          int64_t *retry_after_ms, char *errbuf, bool *over)
{
    CURL *c = thread_handle();
    struct curl_slist *hl = NULL;
    if (!c) return CURLE_FAILED_INIT;
    for (const char *const *h = req->headers; h && *h; h++)
        hl = curl_slist_append(hl, *h);
    hl = curl_slist_append(hl, "Accept: application/json");
    hl = curl_slist_append(hl, "Expect:");
    if (req->body) hl = curl_slist_append(hl, "Content-Type: application/json");
    sb_reset(&resp->body);
    errbuf[0] = '\0';
    int timeout = req->timeout_s > 0 ? req->timeout_s : 30;
    struct sink sink = {&resp->body, req->max_body > 0 ? req->max_body : OD_HTTP_MAX_BODY_DEFAULT,
                        false};
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(timeout < 10 ? timeout : 10));
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    /* A Content-Length over the limit fails before the body is read (CURLE_FILESIZE_EXCEEDED);
     * on_data enforces it for chunked or compressed bodies. TLS verification stays libcurl's
     * default (peer and host verified): never switched off here. */
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink.max);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)req);
    if (req->body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    } else if (strcmp(req->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    }
    int64_t t0 = od_now_ms();
    CURLcode rc = curl_easy_perform(c);
    resp->latency_ms = od_now_ms() - t0;
    resp->status = 0;
    *retry_after_ms = -1;
    *over = sink.over || rc == CURLE_FILESIZE_EXCEEDED;
    if (*over) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    if (rc == CURLE_OK) {
        struct curl_header *h = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
        /* Our own bounded parser, not CURLINFO_RETRY_AFTER (whose seconds overflow in ms). */
        if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
            *retry_after_ms = od_http_retry_after_ms(h->value, (int64_t)time(NULL));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    return rc;
}

enum od_http_rc od_http_request(const struct od_http_req *req, struct od_http_resp *resp)
{
    char path[256], errbuf[CURL_ERROR_SIZE], st[16];
    struct od_breaker *br = od_breaker_for(req->provider);
    int max_attempts = req->max_attempts > 0 ? req->max_attempts : 4;
    assert(req->cfg);
    int64_t rate_waited = 0;
    int cap_s =
        req->retry_after_cap_s > 0 ? req->retry_after_cap_s : OD_HTTP_RETRY_AFTER_CAP_DEFAULT_S;
    int64_t cap_ms = (int64_t)cap_s * 1000;
    const char *prov = req->provider ? req->provider : "";
    char wait_txt[96];
    od_http_url_path(req->url, path, sizeof path);
    resp->status = 0;
    resp->attempts = 0;
    resp->rate_limited = 0;
    resp->retry_after_ms = -1;
    resp->too_large = false;
    for (;;) {
        if (req->should_stop && req->should_stop(req->arg)) return OD_HTTP_STOPPED;
        if (req->before_send && req->before_send(req->arg) < 0)
            return req->should_stop && req->should_stop(req->arg) ? OD_HTTP_STOPPED
                                                                  : OD_HTTP_TRANSIENT;
        if (!od_breaker_allow(br)) {
            struct od_breaker_info bi;
            od_breaker_get_info(br, &bi);
            od_seterr("%s circuit breaker is open after repeated failures; next try in %lld s",
                      req->provider, (long long)(bi.retry_in_ms + 999) / 1000);
            return OD_HTTP_TRANSIENT;
        }
        int64_t retry_after = -1;
        bool over = false;
        CURLcode rc = send_once(req, resp, &retry_after, errbuf, &over);
        resp->retry_after_ms = retry_after;
        if (rc == CURLE_FAILED_INIT) {
            od_breaker_record(br, true, req->cfg);
            od_seterr("cannot initialise libcurl");
            return OD_HTTP_ERROR;
        }
        if (rc == CURLE_ABORTED_BY_CALLBACK) return OD_HTTP_STOPPED;
        if (over) {
            /* The service answered; what it sent is unusable. Not retried here: the caller's
             * job retries with its backoff and gives up after its attempts. */
            char lim[32];
            resp->attempts++;
            resp->too_large = true;
            sb_release(&resp->body);
            od_breaker_record(br, true, req->cfg);
            log_request(req, path, "too_large", resp->latency_ms, resp->attempts);
            fmt_size(lim, sizeof lim, req->max_body > 0 ? req->max_body : OD_HTTP_MAX_BODY_DEFAULT);
            od_seterr("%s %s %s: response body over the %s limit (http.max_body_bytes); request "
                      "abandoned",
                      prov, req->method, path, lim);
            return OD_HTTP_TRANSIENT;
        }
        if (rc != CURLE_OK) {
            resp->attempts++;
            od_breaker_record(br, false, req->cfg);
            log_request(req, path, "error", resp->latency_ms, resp->attempts);
            od_seterr("%s %s %s: %s", req->provider ? req->provider : "", req->method, path,
                      errbuf[0] ? errbuf : curl_easy_strerror(rc));
            if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) return OD_HTTP_ERROR;
        } else {
            snprintf(st, sizeof st, "%ld", resp->status);
            log_request(req, path, st, resp->latency_ms, resp->attempts + 1);
            if (resp->status == 429) {
                od_breaker_record(br, true,
                                  req->cfg); /* the service answered; the limiter owns 429s */
                resp->rate_limited++;
                if (retry_after > cap_ms) {
                    /* Hold every worker for the cap, not for whatever upstream says. */
                    if (req->on_rate_limited) req->on_rate_limited(req->arg, cap_ms);
                    fmt_wait(wait_txt, sizeof wait_txt, retry_after);
                    od_seterr("%s %s %s answered 429 (rate limited) with Retry-After %s, longer "
                              "than http.retry_after_cap_s (%d s): requests to %s hold off %d s "
                              "and the job retries later with its backoff",
                              prov, req->method, path, wait_txt, cap_s, prov, cap_s);
                    return OD_HTTP_TRANSIENT;
                }
                int64_t w =
                    retry_after >= 0 ? retry_after : backoff_ms(req, resp->rate_limited) * 2;
                if (w > cap_ms) w = cap_ms;
                if (req->on_rate_limited) req->on_rate_limited(req->arg, w);
                w += (int64_t)(rng_next() % 250); /* don't let every worker wake at once */
                if (rate_waited + w > RATE_WAIT_BUDGET_MS) {
                    od_seterr("%s keeps answering 429 (rate limited) after %lld s of waiting",
                              req->provider, (long long)rate_waited / 1000);
                    return OD_HTTP_TRANSIENT;
                }
                rate_waited += w;
                if (!wait_ms(req, w)) return OD_HTTP_STOPPED;
                continue;
            }
            resp->attempts++;
            if (!status_retryable(resp->status)) {
                od_breaker_record(br, true, req->cfg);
                return OD_HTTP_OK;
            }
            od_breaker_record(br, false, req->cfg);
            od_seterr("%s %s %s answered HTTP %ld", req->provider ? req->provider : "", req->method,
                      path, resp->status);
            if (resp->status == 423 && retry_after < 2000) retry_after = 2000;
            if (retry_after > cap_ms) {
                fmt_wait(wait_txt, sizeof wait_txt, retry_after);
                od_seterr("%s %s %s answered HTTP %ld with Retry-After %s, longer than "
                          "http.retry_after_cap_s (%d s): the job retries later with its backoff",
                          prov, req->method, path, resp->status, wait_txt, cap_s);
                return OD_HTTP_TRANSIENT;
            }
        }
        if (resp->attempts >= max_attempts) return OD_HTTP_TRANSIENT;
        od_http_stats_retry(req->provider);
        int64_t w = backoff_ms(req, resp->attempts);
        if (retry_after > w) w = retry_after;
        if (!wait_ms(req, w)) return OD_HTTP_STOPPED;
    }
}

void od_http_resp_release(struct od_http_resp *resp)
{
    sb_release(&resp->body);
}
