/* http — the one way opsdeck talks HTTP to Harvest and HubSpot (libcurl).
 *
 * Each thread keeps its own curl easy handle, so connections are reused across a sync's
 * pages; od_http_thread_cleanup() (or thread exit) frees it. curl_global_init() is main()'s.
 *
 * od_http_request() sends one request and copes with the weather:
 *   - 5xx, 423, timeouts and connection errors are retried up to max_attempts with exponential
 *     backoff and jitter (base http.backoff_ms of the request's configuration, cap 15 s);
 *   - 429 is not a failure: it waits Retry-After (seconds or HTTP-date; exponential backoff when
 *     absent), tells the caller's rate limiter (on_rate_limited) and tries again without
 *     spending an attempt (up to 15 minutes of such waiting in all);
 *   - no Retry-After (429, 5xx, 423) makes a thread wait, or the rate limiter hold, longer than
 *     retry_after_cap_s: a longer one tells the limiter the cap, gives up with
 *     OD_HTTP_TRANSIENT and an od_err() saying what upstream asked (the job retries later with
 *     its own backoff), and leaves the asked wait in resp->retry_after_ms;
 *   - a response body over max_body (announced by Content-Length, or while it streams, after
 *     decompression) aborts the transfer: OD_HTTP_TRANSIENT, resp->too_large, no retry here;
 *   - should_stop is polled during waits (every 200 ms) and transfers: a stop aborts the request;
 *   - every send first passes before_send (the shared rate limiter) and the provider's circuit
 *     breaker (core/net/breaker.h); an open breaker fails fast;
 *   - every response is logged as one line: provider, method, path (no query string), status,
 *     latency, attempt. Header values (tokens) are never logged.
 * Any other status (2xx, 4xx) is returned to the caller as OD_HTTP_OK with resp->status set.
 * Thread-safe: no shared state besides the breakers; the configuration is read-only. */
#ifndef OD_HTTP_H
#define OD_HTTP_H
#include "core/base/util.h"
#include <stdbool.h>
#include <stdint.h>

struct od_config;

struct od_http_req {
    const char *method;         /* "GET" or "POST" */
    const char *url;            /* absolute */
    const char *const *headers; /* NULL-terminated "Name: value" lines (may hold secrets) */
    const char *body;           /* POST body or NULL */
    size_t body_len;
    const struct od_config *cfg;   /* required: http.backoff_ms, breaker.* (borrowed) */
    const char *provider;          /* "harvest" / "hubspot": breaker and log field */
    int timeout_s;                 /* whole request; 0 = 30 */
    int max_attempts;              /* for 5xx/timeouts; 0 = 4 */
    int (*before_send)(void *arg); /* 0 go, -1 abort (od_err set) */
    void (*on_rate_limited)(void *arg, int64_t wait_ms);
    bool (*should_stop)(void *arg); /* polled while waiting and during a transfer */
    void *arg;
    int64_t max_body;      /* bytes; 0 = OD_HTTP_MAX_BODY_DEFAULT */
    int retry_after_cap_s; /* 0 = OD_HTTP_RETRY_AFTER_CAP_DEFAULT_S */
};

#define OD_HTTP_MAX_BODY_DEFAULT ((int64_t)8 << 20)
#define OD_HTTP_RETRY_AFTER_CAP_DEFAULT_S 60
/* Retry-After values are clamped to this many seconds (about 68 years) before any arithmetic. */
#define OD_HTTP_RETRY_AFTER_MAX_S INT64_C(2147483647)

struct od_http_resp {
    long status;            /* final HTTP status, 0 when none */
    struct strbuf body;     /* response body (owned; od_http_resp_release frees) */
    int attempts;           /* sends that counted as attempts */
    int rate_limited;       /* 429s waited out */
    int64_t latency_ms;     /* of the final send */
    int64_t retry_after_ms; /* Retry-After of the last response (clamped), -1 when none */
    bool too_large;         /* the body went over max_body: the request failed */
};

enum od_http_rc {
    OD_HTTP_OK = 0,    /* a response arrived; look at resp->status */
    OD_HTTP_TRANSIENT, /* retries exhausted, breaker open, rate-limit wait too long (od_err) */
    OD_HTTP_STOPPED,   /* should_stop became true (waiting or mid-transfer) */
    OD_HTTP_ERROR      /* could not even build the request (od_err) */
};

enum od_http_rc od_http_request(const struct od_http_req *req, struct od_http_resp *resp);
void od_http_resp_release(struct od_http_resp *resp);
void od_http_thread_cleanup(void);
/* A Retry-After value, delay-seconds ("120") or HTTP-date, as milliseconds from now_s (seconds
 * since the epoch): 0..OD_HTTP_RETRY_AFTER_MAX_S * 1000 (a date in the past is 0), or -1 when
 * it is neither. Never overflows, whatever the digits. */
int64_t od_http_retry_after_ms(const char *value, int64_t now_s);
/* "/v2/time_entries" from "https://host/v2/time_entries?x=y" into buf (for logs/messages). */
void od_http_url_path(const char *url, char *buf, size_t n);

#endif
