/* metrics — see metrics.h. Rendering is plain text into a strbuf; the HTTP side only routes. */
#include "core/ops/metrics.h"
#include "core/base/cache.h"
#include "core/db/db.h"
#include "core/base/config.h"
#include "core/ops/health.h"
#include "core/base/log.h"
#include "core/ops/metrics_sync.h"
#include "core/jobs/queue.h"
#include "core/base/util.h"
#include "core/jobs/worker.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Idle or slow clients cannot hold the listener: each connection is dropped after
 * CONN_TIMEOUT_S without traffic, one address holds at most PER_IP connections, and the
 * daemon at most CONN_LIMIT; two threads serve, so one slow answer does not block the other. */
enum {
    DB_ACQUIRE_MS = 2000,
    CONN_TIMEOUT_S = 5,
    CONN_LIMIT = 64,
    PER_IP = 8,
    THREADS = 2,
};

struct od_metrics {
    struct MHD_Daemon *d;
    struct od_metrics_env env;
    int port;
    int64_t refresh_ms;
    pthread_mutex_t refresh_mu; /* one health run at a time */
    pthread_mutex_t snap_mu;    /* guards the snapshot below */
    char *snap;                 /* /healthz body of the last run; NULL before the first */
    size_t snap_len;
    unsigned snap_status;
    int64_t snap_at_ms; /* monotonic */
};

static void series(struct strbuf *o, const char *name, const char *type, const char *help)
{
    sb_addf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values: backslash, quote and newline escaped as the text format requires. */
static void label_value(struct strbuf *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            sb_addch(o, '\\'), sb_addch(o, *s);
        else if (*s == '\n')
            sb_add(o, "\\n");
        else
            sb_addch(o, *s);
    }
}

static void render_pool(const struct od_metrics_env *env, struct strbuf *o)
{
    struct od_pool_stats s;
    od_pool_get_stats(env->pool, &s);
    series(o, "opsdeck_pool_connections", "gauge", "Database pool connections by state.");
    sb_addf(o, "opsdeck_pool_connections{state=\"in_use\"} %d\n", s.in_use);
    sb_addf(o, "opsdeck_pool_connections{state=\"idle\"} %d\n", s.idle);
    sb_addf(o, "opsdeck_pool_connections{state=\"max\"} %d\n", s.size);
    series(o, "opsdeck_pool_waiting", "gauge", "Threads waiting for a pooled connection.");
    sb_addf(o, "opsdeck_pool_waiting %d\n", s.waiting);
    series(o, "opsdeck_pool_acquired_total", "counter", "Connections handed out.");
    sb_addf(o, "opsdeck_pool_acquired_total %llu\n", (unsigned long long)s.acquired);
    series(o, "opsdeck_pool_timeouts_total", "counter", "Acquires that timed out.");
    sb_addf(o, "opsdeck_pool_timeouts_total %llu\n", (unsigned long long)s.timeouts);
}

static void render_db(const struct od_metrics_env *env, struct strbuf *o)
{
    PGconn *c = env->pool ? od_pool_acquire(env->pool, DB_ACQUIRE_MS) : NULL;
    struct od_queue_counts q;
    bool ok = c && od_queue_counts(c, &q) == 0;
    series(o, "opsdeck_database_up", "gauge", "1 when the database answered this scrape.");
    sb_addf(o, "opsdeck_database_up %d\n", ok ? 1 : 0);
    if (ok) {
        const struct {
            const char *state;
            int64_t n;
        } st[] = {{"available", q.available}, {"running", q.running}, {"retryable", q.retryable},
                  {"completed", q.completed}, {"dead", q.dead},       {"cancelled", q.cancelled}};
        series(o, "opsdeck_queue_jobs", "gauge", "Jobs in the queue by state.");
        for (size_t i = 0; i < OD_ARRAY_LEN(st); i++)
            sb_addf(o, "opsdeck_queue_jobs{state=\"%s\"} %lld\n", st[i].state, (long long)st[i].n);
        series(o, "opsdeck_queue_oldest_available_seconds", "gauge",
               "Age of the oldest runnable job.");
        sb_addf(o, "opsdeck_queue_oldest_available_seconds %.3f\n", q.oldest_available_s);
        PGresult *r = od_db_exec(
            c,
            "SELECT s, count(e.id) FROM unnest(ARRAY['critical', 'warning', 'info']) s"
            " LEFT JOIN exceptions e ON e.severity = s AND e.state IN ('open', 'acknowledged')"
            " GROUP BY s ORDER BY s",
            0, NULL);
        if (r) {
            series(o, "opsdeck_exceptions_live", "gauge",
                   "Open or acknowledged exceptions by severity.");
            for (int i = 0; i < PQntuples(r); i++)
                sb_addf(o, "opsdeck_exceptions_live{severity=\"%s\"} %s\n", PQgetvalue(r, i, 0),
                        PQgetvalue(r, i, 1));
            PQclear(r);
        }
        od_metrics_render_sync_state(c, o);
    }
    if (c) od_pool_release(env->pool, c);
}

static void render_workers(const struct od_metrics_env *env, struct strbuf *o)
{
    struct od_worker_stats w;
    od_workers_stats(env->workers, &w);
    series(o, "opsdeck_jobs_completed_total", "counter", "Jobs this process completed.");
    sb_addf(o, "opsdeck_jobs_completed_total %llu\n", (unsigned long long)w.completed);
    series(o, "opsdeck_jobs_failed_total", "counter",
           "Failed job runs of this process by outcome.");
    sb_addf(o, "opsdeck_jobs_failed_total{outcome=\"retry\"} %llu\n",
            (unsigned long long)w.retried);
    sb_addf(o, "opsdeck_jobs_failed_total{outcome=\"dead\"} %llu\n", (unsigned long long)w.dead);
    series(o, "opsdeck_jobs_running", "gauge", "Jobs running in this process.");
    sb_addf(o, "opsdeck_jobs_running %d\n", w.running);
}

static void cache_lines(const struct od_cache_stats *st, void *ud)
{
    struct strbuf *o = ud;
    const struct {
        const char *metric;
        unsigned long long v;
    } v[] = {{"opsdeck_cache_hits_total", st->hits},
             {"opsdeck_cache_misses_total", st->misses},
             {"opsdeck_cache_evictions_total", st->evictions},
             {"opsdeck_cache_entries", st->entries},
             {"opsdeck_cache_bytes", st->bytes}};
    for (size_t i = 0; i < OD_ARRAY_LEN(v); i++) {
        sb_addf(o, "%s{cache=\"", v[i].metric);
        label_value(o, st->name);
        sb_addf(o, "\"} %llu\n", v[i].v);
    }
}

static void render_process(struct strbuf *o)
{
    long long rss_kb = od_health_proc_status("VmRSS");
    if (rss_kb >= 0) {
        series(o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        sb_addf(o, "process_resident_memory_bytes %lld\n", rss_kb * 1024);
    }
}

void od_metrics_render(const struct od_metrics_env *env, struct strbuf *out)
{
    series(out, "opsdeck_up", "gauge", "1 while this opsdeck process serves metrics.");
    sb_add(out, "opsdeck_up 1\n");
    if (env->pool) {
        render_pool(env, out);
        render_db(env, out);
    }
    if (env->workers) render_workers(env, out);
    od_metrics_render_work(out);
    series(out, "opsdeck_cache_hits_total", "counter", "Cache lookups that hit, per cache.");
    series(out, "opsdeck_cache_misses_total", "counter", "Cache lookups that missed, per cache.");
    series(out, "opsdeck_cache_evictions_total", "counter", "Entries evicted, per cache.");
    series(out, "opsdeck_cache_entries", "gauge", "Entries held, per cache.");
    series(out, "opsdeck_cache_bytes", "gauge", "Bytes held, per cache.");
    od_cache_foreach(cache_lines, out);
    render_process(out);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
                             struct strbuf *body, const char *age)
{
    size_t len = body->len;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, sb_detach(body), MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (age) MHD_add_response_header(resp, "Age", age); /* seconds since the snapshot */
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* The health checks, without upstream calls, into the snapshot. */
static void snapshot_refresh(struct od_metrics *m)
{
    struct od_health_env henv = {.cfg = m->env.cfg,
                                 .pool = m->env.pool,
                                 .events = m->env.events,
                                 .in_process = true,
                                 .no_upstream = true,
                                 .vault = m->env.vault};
    struct od_health_report rep;
    struct strbuf body = STRBUF_INIT;
    od_health_run(&henv, &rep);
    od_health_json(&rep, &body);
    unsigned status = rep.status == OD_HEALTH_FAIL ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
    od_health_report_release(&rep);
    pthread_mutex_lock(&m->snap_mu);
    free(m->snap);
    m->snap_len = body.len;
    m->snap = sb_detach(&body);
    m->snap_status = status;
    m->snap_at_ms = od_now_ms();
    pthread_mutex_unlock(&m->snap_mu);
}

static bool snapshot_stale(struct od_metrics *m, bool *have)
{
    pthread_mutex_lock(&m->snap_mu);
    *have = m->snap != NULL;
    bool stale = !m->snap || od_now_ms() - m->snap_at_ms >= m->refresh_ms;
    pthread_mutex_unlock(&m->snap_mu);
    return stale;
}

/* /healthz: the snapshot, refreshed here at most every refresh_ms by one request at a time;
 * while one refreshes, the others answer from the previous one (only the very first waits). */
static unsigned healthz(struct od_metrics *m, struct strbuf *body, int64_t *age_s)
{
    bool have;
    if (snapshot_stale(m, &have)) {
        bool mine = have ? pthread_mutex_trylock(&m->refresh_mu) == 0
                         : pthread_mutex_lock(&m->refresh_mu) == 0;
        if (mine) {
            if (snapshot_stale(m, &have)) snapshot_refresh(m);
            pthread_mutex_unlock(&m->refresh_mu);
        }
    }
    pthread_mutex_lock(&m->snap_mu);
    if (m->snap) sb_addn(body, m->snap, m->snap_len);
    unsigned status = m->snap_status;
    *age_s = (od_now_ms() - m->snap_at_ms) / 1000;
    pthread_mutex_unlock(&m->snap_mu);
    return status;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct od_metrics *m = cls;
    struct strbuf body = STRBUF_INIT;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        sb_add(&body, "method not allowed\n");
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", &body, NULL);
    }
    if (strcmp(url, "/metrics") == 0) {
        od_metrics_render(&m->env, &body);
        return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &body, NULL);
    }
    if (strcmp(url, "/healthz") == 0) {
        int64_t age = 0;
        unsigned status = healthz(m, &body, &age);
        char age_s[24];
        snprintf(age_s, sizeof age_s, "%lld", (long long)age);
        return reply(conn, status, "application/health+json", &body, age_s);
    }
    sb_add(&body, "not found: try /metrics or /healthz\n");
    return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", &body, NULL);
}

/* "host:port", "[v6]:port", ":port" -> address (loopback when host is empty). */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(s ? s : "", ':');
    if (!colon) return od_seterr("metrics.listen '%s' wants HOST:PORT", s ? s : "");
    size_t hl = (size_t)(colon - s);
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') s++, hl -= 2;
    snprintf(host, sizeof host, "%.*s", (int)hl, s);
    long port;
    if (od_parse_long(colon + 1, 0, 65535, &port) < 0)
        return od_seterr("metrics.listen: bad port '%s'", colon + 1);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV},
                    *res = NULL;
    int rc = getaddrinfo(*host ? host : "127.0.0.1", colon + 1, &hints, &res);
    if (rc != 0 || !res)
        return od_seterr("metrics.listen: cannot resolve '%s': %s", host, gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* libmicrohttpd's own messages ("Server reached connection limit ...") go to our log, at most
 * one a minute with a count of the rest: a client flooding the listener cannot flood the log. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static int64_t last_ms = -60000;
    static unsigned long long dropped;
    char msg[256];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\r\n")] = '\0';
    pthread_mutex_lock(&mu);
    int64_t now = od_now_ms();
    bool say = now - last_ms >= 60000;
    unsigned long long before = dropped;
    if (say) {
        last_ms = now;
        dropped = 0;
    } else {
        dropped++;
    }
    pthread_mutex_unlock(&mu);
    if (say)
        od_log_warn("metrics listener: %s (%llu messages not logged since the last one)", msg,
                    before);
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

struct od_metrics *od_metrics_start(const char *listen_addr, const struct od_metrics_env *env)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (parse_listen(listen_addr, &ss, &len) < 0) return NULL;
    struct od_metrics *m = od_xcalloc(1, sizeof(*m));
    m->env = *env;
    int refresh_s = env->cfg && env->cfg->metrics.healthz_refresh_s > 0
                        ? env->cfg->metrics.healthz_refresh_s
                        : 15;
    m->refresh_ms = (int64_t)refresh_s * 1000;
    pthread_mutex_init(&m->refresh_mu, NULL);
    pthread_mutex_init(&m->snap_mu, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    /* the logger must be the first option, or MHD prints its first messages itself */
    m->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_EXTERNAL_LOGGER,
                            mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP, MHD_OPTION_END);
    if (!m->d) {
        pthread_mutex_destroy(&m->refresh_mu);
        pthread_mutex_destroy(&m->snap_mu);
        free(m);
        od_seterr("cannot listen on %s for metrics (address in use?)", listen_addr);
        return NULL;
    }
    if (!is_loopback(&ss))
        od_log_warn("metrics listener %s is reachable from other hosts: /metrics and /healthz "
                    "have no authentication; bind 127.0.0.1 (or [::1]) and scrape through a "
                    "proxy, or firewall the port",
                    listen_addr);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
    m->port = info ? info->port : 0;
    return m;
}

int od_metrics_port(const struct od_metrics *m)
{
    return m->port;
}

void od_metrics_stop(struct od_metrics *m)
{
    if (!m) return;
    MHD_stop_daemon(m->d);
    pthread_mutex_destroy(&m->refresh_mu);
    pthread_mutex_destroy(&m->snap_mu);
    free(m->snap);
    free(m);
}
