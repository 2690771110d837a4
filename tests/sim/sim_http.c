/* sim_http — libmicrohttpd glue: request context, routing, faults and limits around handlers,
 * request log, the timeout-fault reaper, and the req_/resp_ helpers declared in sim.h.
 * sim_http_start()/sim_http_stop() are called by sim_main.c. */
#include "tests/sim/sim_http.h"
#include "tests/sim/sim_faults.h"
#include "tests/sim/sim_limits.h"
#include "core/base/time.h"
#include <arpa/inet.h>
#include <malloc.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY (1 << 20)
#define MAX_HUNG 256

static struct MHD_Daemon *daemon_;
static FILE *log_fp;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t req_seq;

/* Connections held by the timeout fault. */
static pthread_mutex_t hung_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hung_cv = PTHREAD_COND_INITIALIZER;
static struct sim_req *hung[MAX_HUNG];
static int nhung;
static bool stopping;
static pthread_t reaper;

const char *req_header(struct sim_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_arg(struct sim_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void req_base_url(struct sim_req *r, struct strbuf *out)
{
    const char *host = req_header(r, "Host");
    sb_addf(out, "http://%s", host ? host : "127.0.0.1");
}

void url_encode(struct strbuf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            sb_addch(out, (char)*p);
        else
            sb_addf(out, "%%%02X", *p);
    }
}

static bool is_secret_key(const char *k)
{
    static const char *const secrets[] = {"access_token",  "account_id",    "code", "client_secret",
                                          "refresh_token", "code_verifier", "token"};
    for (size_t i = 0; i < OD_ARRAY_LEN(secrets); i++)
        if (strcmp(k, secrets[i]) == 0) return true;
    return false;
}

struct qctx {
    struct strbuf *out;
    bool redact; /* true: show secret keys as REDACTED (log); false: drop them and paging keys */
    bool first;  /* next argument starts the query string */
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    struct qctx *q = cls;
    (void)kind;
    bool secret = is_secret_key(k);
    if (!q->redact && (secret || !strcmp(k, "page") || !strcmp(k, "per_page") ||
                       !strcmp(k, "ref") || !strcmp(k, "cursor")))
        return MHD_YES;
    sb_addch(q->out, q->first ? '?' : '&');
    q->first = false;
    url_encode(q->out, k);
    if (v) {
        sb_addch(q->out, '=');
        if (q->redact && secret)
            sb_add(q->out, "REDACTED");
        else
            url_encode(q->out, v);
    }
    return MHD_YES;
}

void req_query_with_page(struct sim_req *r, struct strbuf *out, long page, long per_page,
                         const char *ref)
{
    sb_addf(out, "?page=%ld&per_page=%ld", page, per_page);
    struct qctx q = {out, false, false};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &q);
    if (ref) sb_addf(out, "&ref=%s", ref);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static char *url_decode(const char *s, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+')
            sb_addch(&sb, ' ');
        else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            sb_addch(&sb, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else
            sb_addch(&sb, s[i]);
    }
    return sb_detach(&sb);
}

char *form_get(const char *body, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = body; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > klen && !strncmp(p, key, klen) && p[klen] == '=')
            return url_decode(p + klen + 1, len - klen - 1);
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

int arg_long(struct sim_req *r, const char *name, long min, long max, long def, long *out)
{
    const char *v = req_arg(r, name);
    if (!v) {
        *out = def;
        return 0;
    }
    return od_parse_long(v, min, max, out);
}

void resp_raw(struct sim_req *r, int status, const char *ctype, const char *body)
{
    r->status = status;
    r->ctype = ctype;
    sb_reset(&r->out);
    sb_add(&r->out, body);
}

void resp_json(struct sim_req *r, int status, cJSON *doc)
{
    char *s = od_json_print(doc);
    resp_raw(r, status, "application/json; charset=utf-8", s);
    free(s);
}

void resp_header(struct sim_req *r, const char *name, const char *value)
{
    assert(r->nheaders < SIM_MAX_HEADERS);
    r->hname[r->nheaders] = name;
    r->hval[r->nheaders++] = od_xstrdup(value);
}

void sim_uuid(uint64_t n, char out[40])
{
    uint64_t a = world_hash(sim_cfg.seed, 99, n), b = world_hash(sim_cfg.seed, 98, n);
    snprintf(out, 40, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16 & 0xffff), (unsigned)(a >> 4 & 0xfff), (unsigned)(b >> 52),
             (unsigned long long)(b & 0xffffffffffffULL));
}

static void log_request(struct sim_req *r)
{
    struct strbuf line = STRBUF_INIT;
    char ts[32];
    od_time_format_ms(od_wall_ms(), ts, sizeof ts);
    sb_addf(&line, "%s %s %s", ts, r->method, r->url);
    struct qctx q = {&line, true, true};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &q);
    sb_addf(&line, " %d %lldms\n", r->status, (long long)((od_now_us() - r->start_us) / 1000));
    pthread_mutex_lock(&log_mu);
    fputs(sb_str(&line), log_fp ? log_fp : stderr);
    fflush(log_fp ? log_fp : stderr);
    pthread_mutex_unlock(&log_mu);
    sb_release(&line);
    r->logged = true;
}

/* Truncate fault: announce the full length, send half, then fail the stream. */
struct cut_body {
    char *buf;
    size_t len, cut;
};

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct cut_body *c = cls;
    if (pos >= c->cut) return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = c->cut - (size_t)pos < max ? c->cut - (size_t)pos : max;
    memcpy(buf, c->buf + pos, n);
    return (ssize_t)n;
}

static void cut_free(void *cls)
{
    struct cut_body *c = cls;
    free(c->buf);
    free(c);
}

/* huge_body fault: {"pad":"xxxx...x"} of exactly len bytes, generated as it is sent, so a
 * 300 MiB answer costs the simulator one 64 KiB block. */
static ssize_t huge_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    static const char head[] = "{\"pad\":\"", tail[] = "\"}";
    uint64_t len = *(const uint64_t *)cls, hl = sizeof head - 1, tl = sizeof tail - 1;
    if (pos >= len) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = len - pos < max ? (size_t)(len - pos) : max;
    for (size_t i = 0; i < n; i++) {
        uint64_t at = pos + i;
        buf[i] = at < hl ? head[at] : at >= len - tl ? tail[at - (len - tl)] : 'x';
    }
    return (ssize_t)n;
}

static enum MHD_Result send_response(struct sim_req *r, bool truncate)
{
    struct MHD_Response *resp;
    r->big = r->out.len > (1 << 20);
    if (r->huge_bytes > 0) {
        uint64_t *len = od_xmalloc(sizeof *len);
        *len = (uint64_t)r->huge_bytes;
        resp = MHD_create_response_from_callback(r->huge_length ? *len : MHD_SIZE_UNKNOWN,
                                                 64 * 1024, huge_reader, len, free);
    } else if (truncate && r->out.len > 1) {
        struct cut_body *c = od_xmalloc(sizeof *c);
        c->len = r->out.len;
        c->cut = r->out.len / 2;
        c->buf = sb_detach(&r->out);
        resp = MHD_create_response_from_callback(c->len, 4096, cut_reader, c, cut_free);
    } else {
        size_t len = r->out.len;
        resp = MHD_create_response_from_buffer(len, sb_detach(&r->out), MHD_RESPMEM_MUST_FREE);
    }
    if (r->ctype) MHD_add_response_header(resp, "Content-Type", r->ctype);
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->hname[i], r->hval[i]);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    log_request(r);
    limits_count(r->provider, r->url, r->status);
    return ret;
}

static void fault_error(struct sim_req *r, int status)
{
    static const char *const msg[] = {"Internal Server Error", "Bad Gateway",
                                      "Service Unavailable"};
    const char *m = msg[status == 500 ? 0 : status == 502 ? 1 : 2];
    if (r->provider == PROV_HARVEST)
        harvest_error(r, status, "server_error", m);
    else
        hubspot_error(r, status, "INTERNAL_ERROR", m);
}

static void hang(struct sim_req *r)
{
    pthread_mutex_lock(&hung_mu);
    if (nhung < MAX_HUNG && !stopping) {
        r->hang_until_ms = od_now_ms() + sim_cfg.hang_ms;
        r->suspended = true;
        hung[nhung++] = r;
        MHD_suspend_connection(r->conn);
        pthread_cond_signal(&hung_cv);
    }
    pthread_mutex_unlock(&hung_mu);
}

static void *reaper_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&hung_mu);
    while (!stopping || nhung) {
        int64_t now = od_now_ms();
        for (int i = 0; i < nhung;) {
            if (stopping || hung[i]->hang_until_ms <= now) {
                MHD_resume_connection(hung[i]->conn);
                hung[i] = hung[--nhung];
            } else {
                i++;
            }
        }
        if (stopping) break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&hung_cv, &hung_mu, &ts);
    }
    pthread_mutex_unlock(&hung_mu);
    return NULL;
}

static enum sim_provider provider_of(const char *path)
{
    if (!strncmp(path, "/v2/", 4)) return PROV_HARVEST;
    if (!strncmp(path, "/crm/", 5) || !strncmp(path, "/oauth/", 7)) return PROV_HUBSPOT;
    return PROV_NONE;
}

static void route(struct sim_req *r)
{
    const char *path = r->url;
    if (!strncmp(path, "/__sim/", 7))
        admin_handle(r, path + 6);
    else if (r->provider == PROV_HARVEST)
        harvest_handle(r, path);
    else if (!strncmp(path, "/oauth/", 7))
        oauth_handle(r, path);
    else if (r->provider == PROV_HUBSPOT)
        hubspot_handle(r, path);
    else
        resp_raw(r, 404, "application/json", "{\"error\":\"not_found\"}");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct sim_req *r = *con_cls;
    if (!r) {
        r = od_xcalloc(1, sizeof *r);
        r->conn = conn;
        r->url = url;
        r->method = method;
        r->start_us = od_now_us();
        r->provider = provider_of(url);
        r->seq = atomic_fetch_add(&req_seq, 1);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (r->body.len + *upload_data_size <= MAX_BODY)
            sb_addn(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->suspended) { /* the timeout fault is over: drop the connection */
        r->status = 0;
        log_request(r);
        limits_count(r->provider, r->url, 0);
        return MHD_NO;
    }
    struct fault_decision d = {0};
    if (r->provider != PROV_NONE) faults_decide(r->provider, r->seq, &d);
    if (d.latency_ms > 0) od_sleep_ms(d.latency_ms);
    if (d.hang) {
        hang(r);
        if (r->suspended) return MHD_YES;
    }
    if (d.status) {
        fault_error(r, d.status);
    } else if (d.storm) {
        limits_write_429_as(r, r->provider == PROV_HARVEST ? BUCKET_HARVEST : BUCKET_HUBSPOT,
                            d.retry_after, d.daily);
    } else if (d.unavailable) {
        fault_error(r, 503);
        resp_header(r, "Retry-After", d.retry_after);
    } else if (d.huge_bytes > 0) {
        r->status = 200;
        r->ctype = "application/json; charset=utf-8";
        r->huge_bytes = d.huge_bytes;
        r->huge_length = d.huge_length;
    } else {
        route(r);
    }
    if (r->status == 200 && d.malformed) faults_malform(&r->out);
    return send_response(r, r->status == 200 && d.truncate);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct sim_req *r = *con_cls;
    if (!r) return;
    if (r->suspended && !r->logged) { /* held by a timeout fault; the client gave up first */
        r->status = 0;
        log_request(r);
        limits_count(r->provider, r->url, 0);
    }
    if (r->big) /* give a large page's memory back, so RSS stays flat over 1M entries */
        malloc_trim(0);
    sb_release(&r->body);
    sb_release(&r->out);
    for (int i = 0; i < r->nheaders; i++)
        free(r->hval[i]);
    free(r);
    *con_cls = NULL;
}

int sim_http_start(const struct sockaddr_in *addr, FILE *log, int *port_out)
{
    log_fp = log;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    daemon_ = MHD_start_daemon(flags, ntohs(addr->sin_port), NULL, NULL, on_request, NULL,
                               MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_THREAD_POOL_SIZE,
                               (unsigned)sim_cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                               NULL, MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
    if (!daemon_)
        return od_seterr("cannot listen on %s (address in use or not local?)", sim_cfg.listen);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = info ? info->port : ntohs(addr->sin_port);
    stopping = false;
    pthread_create(&reaper, NULL, reaper_main, NULL);
    return 0;
}

void sim_http_stop(void)
{
    pthread_mutex_lock(&hung_mu);
    stopping = true;
    pthread_cond_signal(&hung_cv);
    pthread_mutex_unlock(&hung_mu);
    pthread_join(reaper, NULL);
    MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}
