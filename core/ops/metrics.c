/* metrics — see metrics.h. Rendering is plain text into a strbuf; the HTTP side only routes. */
#include "core/ops/metrics.h"
#include "core/base/cache.h"
#include "core/db/db.h"
#include "core/ops/health.h"
#include "core/ops/metrics_sync.h"
#include "core/jobs/queue.h"
#include "core/base/util.h"
#include "core/jobs/worker.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { DB_ACQUIRE_MS = 2000 };

struct od_metrics {
    struct MHD_Daemon *d;
    struct od_metrics_env env;
    int port;
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
                             struct strbuf *body)
{
    size_t len = body->len;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, sb_detach(body), MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct od_metrics *m = cls;
    struct strbuf body = STRBUF_INIT;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        sb_add(&body, "method not allowed\n");
        return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", &body);
    }
    if (strcmp(url, "/metrics") == 0) {
        od_metrics_render(&m->env, &body);
        return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &body);
    }
    if (strcmp(url, "/healthz") == 0) {
        struct od_health_env henv = {.cfg = m->env.cfg,
                                     .pool = m->env.pool,
                                     .events = m->env.events,
                                     .in_process = true,
                                     .vault = m->env.vault};
        struct od_health_report rep;
        od_health_run(&henv, &rep);
        od_health_json(&rep, &body);
        unsigned status = rep.status == OD_HEALTH_FAIL ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
        od_health_report_release(&rep);
        return reply(conn, status, "application/health+json", &body);
    }
    sb_add(&body, "not found: try /metrics or /healthz\n");
    return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", &body);
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

struct od_metrics *od_metrics_start(const char *listen_addr, const struct od_metrics_env *env)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (parse_listen(listen_addr, &ss, &len) < 0) return NULL;
    struct od_metrics *m = od_xcalloc(1, sizeof(*m));
    m->env = *env;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    m->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                            MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_END);
    if (!m->d) {
        free(m);
        od_seterr("cannot listen on %s for metrics (address in use?)", listen_addr);
        return NULL;
    }
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
    free(m);
}
