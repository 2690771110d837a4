/* ratelimit — GCRA in PostgreSQL with an in-process fallback. See ratelimit.h.
 *
 * GCRA with emission interval T and tolerance tau = B*T admits n requests in a window of
 * length P only if (n-1-B)*T <= P. With T = P'/(L-B-1) (P' = P plus a small margin for
 * network jitter) no window of P holds more than L requests. */
#include "core/net/ratelimit.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BUCKETS 16

struct od_ratelimit {
    char bucket[80];
    struct od_pool *pool;
    int limit;
    int64_t period_ms;
    int64_t t_us, tau_us; /* emission interval, tolerance */
    pthread_mutex_t mu;
    int64_t local_tat_us; /* fallback bucket (monotonic clock) */
    bool fallback;
    int64_t last_wait_ms;
    int last_remaining;
    uint64_t allowed, waited, penalties;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct od_ratelimit registry[MAX_BUCKETS];
static int nregistry;

static const char take_sql[] =
    "UPDATE rate_limits SET "
    " tat = CASE WHEN tat - statement_timestamp() <= $2::bigint * interval '1 microsecond' "
    "  THEN greatest(tat, statement_timestamp()) + $3::bigint * interval '1 microsecond' "
    "  ELSE tat END,"
    " wait_ms = CASE WHEN tat - statement_timestamp() <= $2::bigint * interval '1 microsecond' "
    "  THEN 0 ELSE ceil(extract(epoch FROM tat - statement_timestamp()) * 1000 - $2::bigint / "
    "  1000.0)::bigint END,"
    " allowed_total = allowed_total + (tat - statement_timestamp() <= $2::bigint * interval '1 "
    "microsecond')::int,"
    " limit_n = $4, period_ms = $5, updated_at = statement_timestamp() "
    "WHERE bucket = $1 RETURNING wait_ms, greatest(0, floor(($2::bigint - extract(epoch FROM "
    "tat - statement_timestamp()) * 1e6) / $3::bigint))::int";

/* Budgets from the configuration ([ratelimit], validated there; OPSDECK_RATELIMIT_* too). */
static char budget_harvest[32] = "100/15000", budget_hubspot[32] = "100/10000",
            budget_search[32] = "5/1000";

void od_ratelimit_configure(const struct od_config *cfg)
{
    if (cfg->ratelimit.harvest)
        snprintf(budget_harvest, sizeof budget_harvest, "%s", cfg->ratelimit.harvest);
    if (cfg->ratelimit.hubspot)
        snprintf(budget_hubspot, sizeof budget_hubspot, "%s", cfg->ratelimit.hubspot);
    if (cfg->ratelimit.hubspot_search)
        snprintf(budget_search, sizeof budget_search, "%s", cfg->ratelimit.hubspot_search);
}

void od_ratelimit_budget(const char *kind, int *limit, int64_t *period_ms)
{
    const char *spec = strcmp(kind, "harvest") == 0          ? budget_harvest
                       : strcmp(kind, "hubspot-search") == 0 ? budget_search
                                                             : budget_hubspot;
    long n = 100, ms = 10000;
    sscanf(spec, "%ld/%ld", &n, &ms);
    *limit = (int)n;
    *period_ms = ms;
}

static void compute_params(struct od_ratelimit *rl)
{
    int burst = rl->limit / 10;
    int64_t p_us = rl->period_ms * 1000;
    p_us += p_us / 50 + 20000; /* 2 % + 20 ms for jitter between us and the server's clock */
    if (rl->limit - burst - 1 < 1) {
        rl->t_us = p_us; /* limit 1: one per period, no burst */
        rl->tau_us = 0;
        return;
    }
    rl->t_us = p_us / (rl->limit - burst - 1);
    rl->tau_us = burst * rl->t_us;
}

struct od_ratelimit *od_ratelimit_get(struct od_pool *pool, const char *kind, const char *account)
{
    char name[80];
    snprintf(name, sizeof name, "%s:%s", kind, account && *account ? account : "default");
    pthread_mutex_lock(&registry_mu);
    struct od_ratelimit *rl = NULL;
    for (int i = 0; i < nregistry; i++)
        if (strcmp(registry[i].bucket, name) == 0) rl = &registry[i];
    if (!rl) {
        if (nregistry == MAX_BUCKETS) od_die("too many rate-limit buckets");
        rl = &registry[nregistry++];
        snprintf(rl->bucket, sizeof rl->bucket, "%s", name);
        pthread_mutex_init(&rl->mu, NULL);
        rl->last_remaining = -1;
    }
    pthread_mutex_lock(&rl->mu);
    rl->pool = pool;
    od_ratelimit_budget(kind, &rl->limit, &rl->period_ms);
    compute_params(rl);
    pthread_mutex_unlock(&rl->mu);
    pthread_mutex_unlock(&registry_mu);
    return rl;
}

/* In-process GCRA; caller holds rl->mu. Returns the wait in ms (0 = taken). */
static int64_t local_take(struct od_ratelimit *rl)
{
    int64_t now = od_now_us();
    int64_t tat = rl->local_tat_us > now ? rl->local_tat_us : now;
    if (tat - now > rl->tau_us) return (tat - now - rl->tau_us + 999) / 1000;
    rl->local_tat_us = tat + rl->t_us;
    rl->last_remaining = (int)((rl->tau_us - (rl->local_tat_us - now)) / rl->t_us);
    if (rl->last_remaining < 0) rl->last_remaining = 0;
    return 0;
}

/* One attempt against the database. Returns the wait in ms, or -1 when unreachable. */
static int64_t db_take(struct od_ratelimit *rl, int *remaining)
{
    char tau[24], t[24], lim[16], per[24];
    if (!rl->pool) return -1;
    PGconn *c = od_pool_acquire(rl->pool, 2000);
    if (!c) return -1;
    snprintf(tau, sizeof tau, "%lld", (long long)rl->tau_us);
    snprintf(t, sizeof t, "%lld", (long long)rl->t_us);
    snprintf(lim, sizeof lim, "%d", rl->limit);
    snprintf(per, sizeof per, "%lld", (long long)rl->period_ms);
    const char *p[] = {rl->bucket, tau, t, lim, per};
    int64_t wait = -1;
    for (int round = 0; round < 2 && wait < 0; round++) {
        PGresult *r = od_db_exec(c, take_sql, 5, p);
        if (!r) break;
        if (PQntuples(r) == 1) {
            wait = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            *remaining = atoi(PQgetvalue(r, 0, 1));
        }
        PQclear(r);
        if (wait < 0 &&
            od_db_cmd(c,
                      "INSERT INTO rate_limits (bucket, tat, limit_n, period_ms) "
                      "VALUES ($1, statement_timestamp(), $2, $3) ON CONFLICT (bucket) DO NOTHING",
                      3, (const char *const[]){rl->bucket, lim, per}) < 0)
            break;
    }
    od_pool_release(rl->pool, c);
    return wait;
}

static int64_t take(struct od_ratelimit *rl)
{
    int remaining = 0;
    int64_t wait = db_take(rl, &remaining);
    pthread_mutex_lock(&rl->mu);
    if (wait < 0) {
        if (!rl->fallback)
            od_log_warn("rate limit %s: database unreachable (%s); using the in-process bucket",
                        rl->bucket, od_err());
        rl->fallback = true;
        wait = local_take(rl);
    } else {
        if (rl->fallback)
            od_log_info("rate limit %s: back on the shared database bucket", rl->bucket);
        rl->fallback = false;
        rl->last_remaining = wait ? 0 : remaining;
    }
    rl->last_wait_ms = wait;
    if (wait == 0)
        rl->allowed++;
    else
        rl->waited++;
    pthread_mutex_unlock(&rl->mu);
    return wait;
}

int od_ratelimit_acquire(struct od_ratelimit *rl, bool (*should_stop)(void *), void *arg)
{
    for (;;) {
        if (should_stop && should_stop(arg))
            return od_seterr("stopped while waiting for the %s rate limit", rl->bucket);
        int64_t wait = take(rl);
        if (wait == 0) return 0;
        od_sleep_ms(wait < 250 ? wait : 250);
    }
}

void od_ratelimit_penalize(struct od_ratelimit *rl, int64_t wait_ms)
{
    char w[24], tau[24];
    /* The caller caps a 429's wait (http.retry_after_cap_s); this bound keeps a bad value from
     * ever parking every worker: no single penalty beyond the largest allowed cap. */
    if (wait_ms > OD_RATELIMIT_PENALTY_MAX_MS) wait_ms = OD_RATELIMIT_PENALTY_MAX_MS;
    if (wait_ms < 0) wait_ms = 0;
    snprintf(w, sizeof w, "%lld", (long long)wait_ms);
    snprintf(tau, sizeof tau, "%lld", (long long)rl->tau_us);
    pthread_mutex_lock(&rl->mu);
    rl->penalties++;
    int64_t until = od_now_us() + wait_ms * 1000 + rl->tau_us;
    if (rl->local_tat_us < until) rl->local_tat_us = until;
    pthread_mutex_unlock(&rl->mu);
    PGconn *c = rl->pool ? od_pool_acquire(rl->pool, 2000) : NULL;
    if (!c) return;
    od_db_cmd(c,
              "UPDATE rate_limits SET tat = greatest(tat, statement_timestamp() + $2::bigint * "
              "interval '1 millisecond' + $3::bigint * interval '1 microsecond'), "
              "penalties_total = penalties_total + 1, updated_at = statement_timestamp() "
              "WHERE bucket = $1",
              3, (const char *const[]){rl->bucket, w, tau});
    od_pool_release(rl->pool, c);
}

void od_ratelimit_headroom(struct od_ratelimit *rl, struct od_ratelimit_headroom *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&rl->mu);
    snprintf(out->bucket, sizeof out->bucket, "%s", rl->bucket);
    out->limit = rl->limit;
    out->period_ms = rl->period_ms;
    out->remaining = rl->last_remaining < 0 ? (int)(rl->tau_us / rl->t_us) + 1 : rl->last_remaining;
    out->wait_ms = rl->last_wait_ms;
    out->fallback = rl->fallback;
    out->allowed = rl->allowed;
    out->waited = rl->waited;
    out->penalties = rl->penalties;
    pthread_mutex_unlock(&rl->mu);
}

int od_ratelimit_headroom_db(PGconn *conn, const char *bucket, struct od_ratelimit_headroom *out)
{
    memset(out, 0, sizeof *out);
    PGresult *r =
        od_db_exec(conn,
                   "SELECT limit_n, period_ms, greatest(0, ceil(extract(epoch FROM tat - "
                   "statement_timestamp()) * 1000))::bigint, allowed_total, penalties_total "
                   "FROM rate_limits WHERE bucket = $1",
                   1, (const char *const[]){bucket});
    if (!r) return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return od_seterr("no rate-limit row for '%s' yet", bucket);
    }
    snprintf(out->bucket, sizeof out->bucket, "%s", bucket);
    out->limit = atoi(PQgetvalue(r, 0, 0));
    out->period_ms = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    int64_t ahead = strtoll(PQgetvalue(r, 0, 2), NULL, 10); /* tat - now, ms */
    struct od_ratelimit tmp = {.limit = out->limit, .period_ms = out->period_ms};
    compute_params(&tmp);
    int64_t slack_us = tmp.tau_us - ahead * 1000;
    out->remaining = slack_us < 0 ? 0 : (int)(slack_us / tmp.t_us) + 1;
    out->wait_ms = slack_us < 0 ? -slack_us / 1000 : 0;
    out->allowed = strtoull(PQgetvalue(r, 0, 3), NULL, 10);
    out->penalties = strtoull(PQgetvalue(r, 0, 4), NULL, 10);
    PQclear(r);
    return 0;
}

int od_ratelimit_buckets(PGconn *conn, struct od_ratelimit_headroom *out, int max)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", max);
    PGresult *r = od_db_exec(conn, "SELECT bucket FROM rate_limits ORDER BY bucket LIMIT $1", 1,
                             (const char *const[]){lim});
    if (!r) return -1;
    int n = 0;
    for (int i = 0; i < PQntuples(r) && n < max; i++)
        if (od_ratelimit_headroom_db(conn, PQgetvalue(r, i, 0), &out[n]) == 0) n++;
    PQclear(r);
    return n;
}
