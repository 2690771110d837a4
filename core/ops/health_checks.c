/* health_checks — the table of health checks and od_health_run, which runs it (see health.h
 * for statuses and deadlines, health_run.h for how a check is written, and docs/runbook.md for
 * what each one means and what to do). One row per check; a provider's checks are shared
 * functions that read the provider from the check's name prefix. */
#include "core/net/breaker.h"
#include "core/base/cache.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/events.h"
#include "core/ops/health_run.h"
#include "core/net/http.h"
#include "core/base/log.h"
#include "core/jobs/queue.h"
#include "core/net/ratelimit.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define ADD od_health_add /* short names keep the table of outcomes readable */
#define P OD_HEALTH_PASS
#define W OD_HEALTH_WARN
#define F OD_HEALTH_FAIL
#define U OD_HEALTH_UNKNOWN

static const char *num(char buf[32], long long v)
{
    snprintf(buf, 32, "%lld", v);
    return buf;
}

/* "provider" from "provider:measure". */
static void provider_of(const struct od_health_check *c, char out[16])
{
    snprintf(out, 16, "%.*s", (int)strcspn(c->name, ":"), c->name);
}

static void db_fail(struct od_hctx *h, const struct od_health_check *c)
{
    ADD(h, c, F, NULL, NULL, "%s", od_err());
}

static void check_db_latency(struct od_hctx *h, const struct od_health_check *c)
{
    PGresult *r = od_health_query(h, "SELECT 1", 0, NULL); /* connects */
    if (!r) {
        db_fail(h, c);
        return;
    }
    PQclear(r);
    int64_t t0 = od_now_us();
    if (!(r = od_health_query(h, "SELECT 1", 0, NULL))) {
        db_fail(h, c);
        return;
    }
    PQclear(r);
    int64_t us = od_now_us() - t0;
    const struct od_config *cfg = h->env->cfg;
    enum od_health_status st = us >= cfg->health.db_latency_fail_ms * 1000LL   ? F
                               : us >= cfg->health.db_latency_warn_ms * 1000LL ? W
                                                                               : P;
    char v[32];
    snprintf(v, sizeof v, "%lld.%03lld", (long long)(us / 1000), (long long)(us % 1000));
    ADD(h, c, st, "ms", v, "round trip of SELECT 1 (warn at %d ms, fail at %d ms)",
        cfg->health.db_latency_warn_ms, cfg->health.db_latency_fail_ms);
}

static void check_db_pool(struct od_hctx *h, const struct od_health_check *c)
{
    if (!h->env->pool) {
        ADD(h, c, F, NULL, NULL, "no database configured");
        return;
    }
    struct od_pool_stats s;
    od_pool_get_stats(h->env->pool, &s);
    char v[32];
    enum od_health_status st = s.waiting > 0 ? W : P;
    ADD(h, c, st, "count", num(v, s.in_use), "%d in use, %d idle, %d waiting of %d; %llu timeouts",
        s.in_use, s.idle, s.waiting, s.size, (unsigned long long)s.timeouts);
}

static void check_db_long_tx(struct od_hctx *h, const struct od_health_check *c)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", h->env->cfg->health.long_tx_warn_s);
    const char *p[1] = {lim};
    PGresult *r = od_health_query(
        h,
        "SELECT count(*), coalesce(max(extract(epoch FROM now() - xact_start))::bigint, 0)"
        " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND xact_start < now() - make_interval(secs => $1::int)",
        1, p);
    if (!r) {
        db_fail(h, c);
        return;
    }
    long long n = atoll(PQgetvalue(r, 0, 0)), oldest = atoll(PQgetvalue(r, 0, 1));
    PQclear(r);
    char v[32];
    if (n)
        ADD(h, c, W, "count", num(v, n), "%lld transactions open longer than %d s (oldest %lld s)",
            n, h->env->cfg->health.long_tx_warn_s, oldest);
    else
        ADD(h, c, P, "count", "0", "no transaction open longer than %d s",
            h->env->cfg->health.long_tx_warn_s);
}

static void check_db_size(struct od_hctx *h, const struct od_health_check *c)
{
    PGresult *r = od_health_query(h,
                                  "SELECT pg_database_size(current_database()), "
                                  "pg_size_pretty(pg_database_size(current_database()))",
                                  0, NULL);
    if (!r) {
        db_fail(h, c);
        return;
    }
    ADD(h, c, P, "bytes", PQgetvalue(r, 0, 0), "database size %s", PQgetvalue(r, 0, 1));
    PQclear(r);
}

static void check_listener(struct od_hctx *h, const struct od_health_check *c)
{
    if (!h->env->events) {
        ADD(h, c, U, NULL, NULL, "not available (no listener in this process)");
        return;
    }
    struct od_events_state s;
    od_events_state(h->env->events, &s);
    char v[32];
    ADD(h, c,
        s.conn == OD_EVENTS_UP     ? P
        : s.conn == OD_EVENTS_LOST ? F
                                   : W,
        "count", num(v, (long long)s.reconnects), "%s; %llu notifications, %llu reconnects%s%s",
        od_events_conn_name(s.conn), (unsigned long long)s.received,
        (unsigned long long)s.reconnects, *s.last_error ? "; last error: " : "", s.last_error);
}

static void check_breaker(struct od_hctx *h, const struct od_health_check *c)
{
    char prov[16];
    provider_of(c, prov);
    struct od_breaker_info b;
    if (!h->env->in_process || od_breaker_info(prov, &b) < 0) {
        ADD(h, c, U, NULL, NULL, "not available (breakers live in the worker; see its /healthz)");
        return;
    }
    char v[32];
    ADD(h, c,
        b.state == OD_BREAKER_CLOSED ? P
        : b.state == OD_BREAKER_OPEN ? F
                                     : W,
        "count", num(v, b.consecutive_failures), "%s; %d consecutive failures, opened %llu times",
        od_breaker_state_name(b.state), b.consecutive_failures, (unsigned long long)b.opened);
}

static void check_ratelimit(struct od_hctx *h, const struct od_health_check *c)
{
    char prov[16];
    provider_of(c, prov);
    const char *p[1] = {prov};
    PGresult *r = od_health_query(
        h, "SELECT bucket FROM rate_limits WHERE bucket LIKE $1 || ':%' ORDER BY bucket", 1, p);
    if (!r) {
        db_fail(h, c);
        return;
    }
    if (PQntuples(r) == 0) ADD(h, c, P, NULL, NULL, "no requests made yet");
    for (int i = 0; i < PQntuples(r); i++) {
        struct od_ratelimit_headroom hr;
        if (od_ratelimit_headroom_db(h->conn, PQgetvalue(r, i, 0), &hr) < 0) {
            ADD(h, c, F, NULL, NULL, "%s", od_err());
            continue;
        }
        char v[32];
        struct od_health_result *x =
            ADD(h, c, hr.remaining * 10 < hr.limit ? W : P, "count", num(v, hr.remaining),
                "%d of %d requests per %lld ms left now; next wait %lld ms", hr.remaining, hr.limit,
                (long long)hr.period_ms, (long long)hr.wait_ms);
        snprintf(x->component_id, sizeof x->component_id, "%.63s", hr.bucket);
    }
    PQclear(r);
}

static void check_queue(struct od_hctx *h, const struct od_health_check *c)
{
    struct od_queue_counts q;
    PGresult *probe = od_health_query(h, "SELECT 1", 0, NULL); /* ensures the connection */
    if (!probe) {
        db_fail(h, c);
        return;
    }
    PQclear(probe);
    if (od_queue_counts(h->conn, &q) < 0) {
        db_fail(h, c);
        return;
    }
    int warn_s = h->env->cfg->health.queue_age_warn_s;
    char v[32];
    ADD(h, c, q.oldest_available_s > warn_s ? W : P, "count", num(v, q.available + q.retryable),
        "available %lld, running %lld, retryable %lld, dead %lld; oldest waiting %.0f s (warn at "
        "%d s)",
        (long long)q.available, (long long)q.running, (long long)q.retryable, (long long)q.dead,
        q.oldest_available_s, warn_s);
}

static void check_queue_dead(struct od_hctx *h, const struct od_health_check *c)
{
    char hours[16];
    snprintf(hours, sizeof hours, "%d", h->env->cfg->health.dead_jobs_window_h);
    const char *p[1] = {hours};
    PGresult *r = od_health_query(h,
                                  "SELECT count(*) FROM sync_jobs WHERE state = 'dead'"
                                  " AND finished_at > now() - make_interval(hours => $1::int)",
                                  1, p);
    if (!r) {
        db_fail(h, c);
        return;
    }
    long long n = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    char v[32];
    ADD(h, c, n ? W : P, "count", num(v, n), "%lld jobs died in the last %d h%s", n,
        h->env->cfg->health.dead_jobs_window_h, n ? " (opsdeck jobs --state dead)" : "");
}

static void check_workers(struct od_hctx *h, const struct od_health_check *c)
{
    char s[16];
    snprintf(s, sizeof s, "%d", h->env->cfg->sync.rescue_after_s);
    const char *p[1] = {s};
    PGresult *r = od_health_query(
        h,
        "SELECT count(*) FILTER (WHERE heartbeat_at >= now() - make_interval(secs => $1::int)),"
        " count(*) FILTER (WHERE heartbeat_at < now() - make_interval(secs => $1::int)),"
        " coalesce(sum(threads) FILTER (WHERE heartbeat_at >= now() - make_interval(secs => "
        "$1::int)), 0)"
        " FROM workers WHERE stopped_at IS NULL",
        1, p);
    if (!r) {
        db_fail(h, c);
        return;
    }
    long long alive = atoll(PQgetvalue(r, 0, 0)), stale = atoll(PQgetvalue(r, 0, 1));
    long long threads = atoll(PQgetvalue(r, 0, 2));
    PQclear(r);
    char v[32];
    if (alive == 0)
        ADD(h, c, W, "count", "0",
            "no worker has sent a heartbeat in %s s: syncs are not running%s", s,
            stale ? " (stale workers found)" : "");
    else
        ADD(h, c, stale ? W : P, "count", num(v, alive),
            "%lld workers alive (%lld threads), %lld silent for more than %s s", alive, threads,
            stale, s);
}

static void check_sync_lag(struct od_hctx *h, const struct od_health_check *c)
{
    PGresult *r =
        od_health_query(h,
                        "SELECT provider || '/' || resource, account_id,"
                        " extract(epoch FROM now() - updated_at)::bigint FROM sync_cursors"
                        " ORDER BY provider, resource, account_id",
                        0, NULL);
    if (!r) {
        db_fail(h, c);
        return;
    }
    int warn_s = h->env->cfg->health.sync_lag_warn_minutes * 60;
    if (PQntuples(r) == 0) ADD(h, c, W, NULL, NULL, "nothing has been synced yet");
    for (int i = 0; i < PQntuples(r); i++) {
        long long age = atoll(PQgetvalue(r, i, 2));
        char v[32];
        struct od_health_result *x = ADD(h, c, age > warn_s ? W : P, "s", num(v, age),
                                         "last synced %lld s ago (account %s; warn after %d s)",
                                         age, PQgetvalue(r, i, 1), warn_s);
        snprintf(x->component_id, sizeof x->component_id, "%s", PQgetvalue(r, i, 0));
    }
    PQclear(r);
}

struct cache_walk {
    struct od_hctx *h;
    const struct od_health_check *c;
    int n;
};

static void one_cache(const struct od_cache_stats *st, void *ud)
{
    struct cache_walk *w = ud;
    uint64_t total = st->hits + st->misses;
    char v[32];
    snprintf(v, sizeof v, "%llu", (unsigned long long)(total ? st->hits * 100 / total : 0));
    struct od_health_result *x = ADD(
        w->h, w->c, P, "%", v,
        "%llu hits, %llu misses, %llu evictions; %zu of %zu entries, %zu of %zu bytes",
        (unsigned long long)st->hits, (unsigned long long)st->misses,
        (unsigned long long)st->evictions, st->entries, st->max_entries, st->bytes, st->max_bytes);
    snprintf(x->component_id, sizeof x->component_id, "%.47s", st->name);
    w->n++;
}

static void check_caches(struct od_hctx *h, const struct od_health_check *c)
{
    struct cache_walk w = {h, c, 0};
    od_cache_foreach(one_cache, &w);
    if (w.n == 0) ADD(h, c, U, NULL, NULL, "not available (no caches in this process)");
}

static void check_rss(struct od_hctx *h, const struct od_health_check *c)
{
    long long kb = od_health_proc_status("VmRSS");
    char v[32];
    if (kb < 0) {
        ADD(h, c, U, NULL, NULL, "not available (/proc/self/status)");
        return;
    }
    ADD(h, c, P, "bytes", num(v, kb * 1024), "resident memory %lld KiB", kb);
}

static void check_threads(struct od_hctx *h, const struct od_health_check *c)
{
    long long n = od_health_proc_status("Threads");
    char v[32];
    if (n < 0) {
        ADD(h, c, U, NULL, NULL, "not available (/proc/self/status)");
        return;
    }
    ADD(h, c, P, "count", num(v, n), "%lld threads", n);
}

static void check_fds(struct od_hctx *h, const struct od_health_check *c)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        ADD(h, c, U, NULL, NULL, "not available (/proc/self/fd)");
        return;
    }
    long long n = -1; /* the DIR's own descriptor */
    while (readdir(d))
        n++;
    closedir(d);
    n -= 2; /* . and .. */
    struct rlimit rl;
    long long lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (long long)rl.rlim_cur : 0;
    char v[32];
    ADD(h, c, lim && n * 10 > lim * 8 ? W : P, "count", num(v, n),
        "%lld open files of %lld allowed", n, lim);
}

static void check_log(struct od_hctx *h, const struct od_health_check *c)
{
    uint64_t warns = 0, errors = 0;
    char last[200] = "";
    od_log_stats(&warns, &errors, last, sizeof last);
    char v[32];
    ADD(h, c, errors ? W : P, "count", num(v, (long long)errors),
        "%llu errors, %llu warnings logged since start%s%s", (unsigned long long)errors,
        (unsigned long long)warns, *last ? "; last: " : "", last);
}

static const struct od_health_check checks[] = {
    {"database:latency", "datastore", check_db_latency},
    {"database:pool", "datastore", check_db_pool},
    {"database:long_transactions", "datastore", check_db_long_tx},
    {"database:size", "datastore", check_db_size},
    {"listener:connection", "datastore", check_listener},
    {"harvest:reachability", "component", od_health_check_reachability},
    {"harvest:breaker", "component", check_breaker},
    {"harvest:ratelimit", "component", check_ratelimit},
    {"harvest:token", "component", od_health_check_token},
    {"hubspot:reachability", "component", od_health_check_reachability},
    {"hubspot:breaker", "component", check_breaker},
    {"hubspot:ratelimit", "component", check_ratelimit},
    {"hubspot:token", "component", od_health_check_token},
    {"queue:depth", "component", check_queue},
    {"queue:dead", "component", check_queue_dead},
    {"workers:heartbeat", "component", check_workers},
    {"sync:lag", "component", check_sync_lag},
    {"backup:age", "datastore", od_health_check_backup},
    {"cache:hit_ratio", "component", check_caches},
    {"process:rss", "system", check_rss},
    {"process:threads", "system", check_threads},
    {"process:fds", "system", check_fds},
    {"log:errors", "system", check_log},
};

const struct od_health_check *od_health_check_table(size_t *n)
{
    *n = OD_ARRAY_LEN(checks);
    return checks;
}

int od_health_run(const struct od_health_env *env, struct od_health_report *out)
{
    return od_health_run_checks(env, checks, OD_ARRAY_LEN(checks), out);
}
