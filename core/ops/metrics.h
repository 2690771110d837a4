/* metrics — a small HTTP endpoint (libmicrohttpd, its own thread) for monitoring:
 *   GET /metrics  Prometheus text format 0.0.4: pool, queue depth by state, jobs completed /
 *                 failed by this process's workers, cache hits/misses/evictions, live
 *                 exceptions by severity, process RSS;
 *   GET /healthz  the health checks (core/ops/health.h) as JSON, HTTP 200 for pass/warn/unknown
 *                 and 503 for fail. It needs no login, so it answers from a snapshot that one
 *                 request refreshes at most every metrics.healthz_refresh_s (default 15 s;
 *                 `Age:` says how old it is), and the snapshot never calls Harvest or HubSpot
 *                 (reachability is "unknown" there; the breaker checks show this worker's view).
 *
 * Idle clients cannot starve it: connections idle 5 s are closed, one client address holds at
 * most 8 connections, the daemon 64, served by 2 threads. Binding a non-loopback address logs
 * a warning: nothing here is authenticated.
 *
 *   struct od_metrics_env env = {.cfg = cfg, .pool = pool, .workers = w, .events = ev};
 *   struct od_metrics *m = od_metrics_start(cfg->metrics.listen, &env);   // NULL + od_err()
 *   ... od_metrics_port(m) ...
 *   od_metrics_stop(m);
 *
 * listen_addr: "HOST:PORT", "[IPv6]:PORT" or ":PORT" (loopback); port 0 picks a free one.
 * env and everything it points to are borrowed and must outlive od_metrics_stop(). A database
 * that does not answer within 2 s leaves its series out and sets opsdeck_database_up 0. */
#ifndef OD_METRICS_H
#define OD_METRICS_H

struct od_config;
struct od_pool;
struct od_workers;
struct od_events;
struct od_vault;
struct strbuf;

struct od_metrics_env {
    const struct od_config *cfg;
    struct od_pool *pool;       /* may be NULL */
    struct od_workers *workers; /* may be NULL: no job counters */
    struct od_events *events;   /* may be NULL */
    struct od_vault *vault;     /* may be NULL: /healthz probes with environment tokens */
};

struct od_metrics;

struct od_metrics *od_metrics_start(const char *listen_addr, const struct od_metrics_env *env);
/* The port actually bound. */
int od_metrics_port(const struct od_metrics *m);
void od_metrics_stop(struct od_metrics *m);

/* The /metrics body (exposed for tests and for a TUI "copy metrics" action). */
void od_metrics_render(const struct od_metrics_env *env, struct strbuf *out);

#endif
