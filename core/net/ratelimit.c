/* ratelimit — the providers' windows in PostgreSQL with an in-process fallback. See ratelimit.h.
 *
 * Why this rule is exact: request k goes at g_k only when the window before g_k holds fewer
 * than L slots, i.e. g_k >= s_{k-L} + W, where s_{k-L} is the time recorded for the L-th latest
 * request before it. s is the grant time until that request's response is back, then the
 * response time. The provider saw request k-L at a_{k-L} <= s_{k-L} once the response is back
 * (and about at its grant time before), and sees request k at a_k >= g_k, so
 * a_k - a_{k-L} >= W > P: no window of P ever holds more than L requests. */
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
    int64_t window_us; /* period + margin */
    pthread_mutex_t mu;
    int64_t *local; /* fallback window: ascending monotonic send times (us) */
    int nlocal, caplocal;
    int64_t local_hold_us; /* fallback: nothing before this (monotonic us) */
    bool fallback;
    int64_t last_wait_ms;
    int last_remaining;
    bool last_held;
    uint64_t allowed, waited, penalties;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct od_ratelimit registry[MAX_BUCKETS];
static int nregistry;

/* $1 bucket, $2 limit, $3 window (us), $4 period (ms). Locks the row, then reads the clock:
 * a request that waited for the lock is decided (and recorded) at the time it is decided. */
static const char take_sql[] =
    "WITH cur AS (SELECT bucket, tat, sent FROM rate_limits WHERE bucket = $1 FOR UPDATE),"
    " w AS (SELECT cur.*, clock_timestamp() AS now FROM cur),"
    " win AS (SELECT w.*, ARRAY(SELECT t FROM unnest(w.sent) t"
    "   WHERE t > w.now - $3::bigint * interval '1 microsecond' ORDER BY t) AS win FROM w),"
    " d AS (SELECT win.*, greatest(win.tat, CASE WHEN cardinality(win.win) >= $2::int"
    "   THEN win.win[cardinality(win.win) - $2::int + 1] + $3::bigint * interval '1 microsecond'"
    "   END) AS free_at FROM win)"
    " UPDATE rate_limits r SET"
    "  sent = CASE WHEN d.free_at <= d.now"
    "   THEN ARRAY(SELECT t FROM unnest(d.win || d.now) t ORDER BY t) ELSE d.win END,"
    "  wait_ms = CASE WHEN d.free_at <= d.now THEN 0"
    "   ELSE greatest(1, ceil(extract(epoch FROM d.free_at - d.now) * 1000))::bigint END,"
    "  allowed_total = r.allowed_total + (d.free_at <= d.now)::int,"
    "  limit_n = $2::int, period_ms = $4::int, updated_at = d.now"
    " FROM d WHERE r.bucket = d.bucket"
    " RETURNING r.wait_ms, cardinality(r.sent), d.tat > d.now, d.now::text";

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
    *limit = n > 0 ? (int)n : 1;
    *period_ms = ms > 0 ? ms : 1;
}

int64_t od_ratelimit_window_us(int64_t period_ms)
{
    return period_ms * 1000 + period_ms * 5 + 20000; /* + 0.5 % + 20 ms */
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
    rl->window_us = od_ratelimit_window_us(rl->period_ms);
    pthread_mutex_unlock(&rl->mu);
    pthread_mutex_unlock(&registry_mu);
    return rl;
}

/* In-process window; caller holds rl->mu. Returns the wait in ms (0 = taken, named in slot). */
static int64_t local_take(struct od_ratelimit *rl, char *slot)
{
    int64_t now = od_now_us(), drop = 0;
    while (drop < rl->nlocal && rl->local[drop] <= now - rl->window_us)
        drop++;
    if (drop) { /* rl->local may still be NULL: memmove with NULL is undefined even for 0 */
        rl->nlocal -= (int)drop;
        memmove(rl->local, rl->local + drop, (size_t)rl->nlocal * sizeof *rl->local);
    }
    int64_t free_at = rl->local_hold_us;
    if (rl->nlocal >= rl->limit && rl->local[rl->nlocal - rl->limit] + rl->window_us > free_at)
        free_at = rl->local[rl->nlocal - rl->limit] + rl->window_us;
    rl->last_held = rl->local_hold_us > now;
    if (free_at > now) {
        rl->last_remaining = 0;
        return (free_at - now + 999) / 1000;
    }
    if (rl->nlocal == rl->caplocal) {
        rl->caplocal = rl->caplocal ? rl->caplocal * 2 : 128;
        rl->local = od_xrealloc(rl->local, (size_t)rl->caplocal * sizeof *rl->local);
    }
    int i = rl->nlocal++; /* keep ascending: a response time may lie after now */
    for (; i > 0 && rl->local[i - 1] > now; i--)
        rl->local[i] = rl->local[i - 1];
    rl->local[i] = now;
    if (slot) snprintf(slot, OD_RATELIMIT_SLOT, "local:%lld", (long long)now);
    rl->last_remaining = rl->limit - rl->nlocal;
    return 0;
}

/* One attempt against the database. Returns the wait in ms, or -1 when unreachable. */
static int64_t db_take(struct od_ratelimit *rl, char *slot, int *in_window, bool *held)
{
    char win[24], lim[16], per[24];
    if (!rl->pool) return -1;
    PGconn *c = od_pool_acquire(rl->pool, 2000);
    if (!c) return -1;
    snprintf(win, sizeof win, "%lld", (long long)rl->window_us);
    snprintf(lim, sizeof lim, "%d", rl->limit);
    snprintf(per, sizeof per, "%lld", (long long)rl->period_ms);
    const char *p[] = {rl->bucket, lim, win, per};
    int64_t wait = -1;
    for (int round = 0; round < 2 && wait < 0; round++) {
        PGresult *r = od_db_exec(c, take_sql, 4, p);
        if (!r) break;
        if (PQntuples(r) == 1) {
            wait = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            *in_window = atoi(PQgetvalue(r, 0, 1));
            *held = PQgetvalue(r, 0, 2)[0] == 't';
            if (slot) snprintf(slot, OD_RATELIMIT_SLOT, "%s", PQgetvalue(r, 0, 3));
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

int64_t od_ratelimit_try(struct od_ratelimit *rl, char slot[OD_RATELIMIT_SLOT])
{
    int in_window = 0;
    bool held = false;
    char s[OD_RATELIMIT_SLOT] = "";
    int64_t wait = db_take(rl, s, &in_window, &held);
    pthread_mutex_lock(&rl->mu);
    if (wait < 0) {
        if (!rl->fallback)
            od_log_warn("rate limit %s: database unreachable (%s); using the in-process window",
                        rl->bucket, od_err());
        rl->fallback = true;
        wait = local_take(rl, s);
    } else {
        if (rl->fallback)
            od_log_info("rate limit %s: back on the shared database window", rl->bucket);
        rl->fallback = false;
        rl->last_remaining = wait ? 0 : rl->limit - in_window;
        rl->last_held = held;
    }
    rl->last_wait_ms = wait;
    if (wait == 0)
        rl->allowed++;
    else
        rl->waited++;
    pthread_mutex_unlock(&rl->mu);
    if (slot) snprintf(slot, OD_RATELIMIT_SLOT, "%s", wait == 0 ? s : "");
    return wait;
}

int od_ratelimit_acquire(struct od_ratelimit *rl, bool (*should_stop)(void *),
                         void (*on_wait)(void *, int64_t, const char *), void *arg,
                         char slot[OD_RATELIMIT_SLOT])
{
    bool told = false;
    int rc = 0;
    for (;;) {
        if (should_stop && should_stop(arg)) {
            rc = od_seterr("stopped while waiting for the %s rate limit", rl->bucket);
            break;
        }
        int64_t wait = od_ratelimit_try(rl, slot);
        if (wait == 0) break;
        if (!told && on_wait && wait >= 1000) {
            char why[64];
            pthread_mutex_lock(&rl->mu);
            bool held = rl->last_held;
            pthread_mutex_unlock(&rl->mu);
            if (held)
                snprintf(why, sizeof why, "rate limit held after a 429");
            else
                snprintf(why, sizeof why, "rate limit, %d per %lld s", rl->limit,
                         (long long)(rl->period_ms / 1000));
            on_wait(arg, wait, why);
            told = true;
        }
        od_sleep_ms(wait < 250 ? wait : 250);
    }
    if (told) on_wait(arg, 0, NULL);
    return rc;
}

void od_ratelimit_sent(struct od_ratelimit *rl, const char *slot)
{
    if (!slot || !*slot) return;
    if (strncmp(slot, "local:", 6) == 0) {
        int64_t at = strtoll(slot + 6, NULL, 10), now = od_now_us();
        pthread_mutex_lock(&rl->mu);
        for (int i = 0; i < rl->nlocal; i++)
            if (rl->local[i] == at) {
                for (; i + 1 < rl->nlocal && rl->local[i + 1] < now; i++)
                    rl->local[i] = rl->local[i + 1];
                rl->local[i] = now;
                break;
            }
        pthread_mutex_unlock(&rl->mu);
        return;
    }
    PGconn *c = rl->pool ? od_pool_acquire(rl->pool, 2000) : NULL;
    if (!c) return; /* the grant time stays: the window only counts it a little early */
    od_db_cmd(c,
              "UPDATE rate_limits SET sent = ARRAY(SELECT CASE WHEN t = $2::timestamptz"
              "  THEN greatest(t, clock_timestamp()) ELSE t END AS x FROM unnest(sent) t"
              "  ORDER BY x)"
              " WHERE bucket = $1 AND $2::timestamptz = ANY (sent)",
              2, (const char *const[]){rl->bucket, slot});
    od_pool_release(rl->pool, c);
}

void od_ratelimit_penalize(struct od_ratelimit *rl, int64_t wait_ms)
{
    char w[24];
    /* The caller caps a 429's wait (http.retry_after_cap_s); this bound keeps a bad value from
     * ever parking every worker: no single penalty beyond the largest allowed cap. */
    if (wait_ms > OD_RATELIMIT_PENALTY_MAX_MS) wait_ms = OD_RATELIMIT_PENALTY_MAX_MS;
    if (wait_ms < 0) wait_ms = 0;
    snprintf(w, sizeof w, "%lld", (long long)wait_ms);
    pthread_mutex_lock(&rl->mu);
    rl->penalties++;
    int64_t until = od_now_us() + wait_ms * 1000;
    if (rl->local_hold_us < until) rl->local_hold_us = until;
    pthread_mutex_unlock(&rl->mu);
    PGconn *c = rl->pool ? od_pool_acquire(rl->pool, 2000) : NULL;
    if (!c) return;
    od_db_cmd(c,
              "UPDATE rate_limits SET tat = greatest(tat, clock_timestamp() + $2::bigint * "
              "interval '1 millisecond'), penalties_total = penalties_total + 1, "
              "updated_at = statement_timestamp() WHERE bucket = $1",
              2, (const char *const[]){rl->bucket, w});
    od_pool_release(rl->pool, c);
}

void od_ratelimit_headroom(struct od_ratelimit *rl, struct od_ratelimit_headroom *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&rl->mu);
    snprintf(out->bucket, sizeof out->bucket, "%s", rl->bucket);
    out->limit = rl->limit;
    out->period_ms = rl->period_ms;
    out->remaining = rl->last_remaining < 0 ? rl->limit : rl->last_remaining;
    out->wait_ms = rl->last_wait_ms;
    out->held = rl->last_held;
    out->fallback = rl->fallback;
    out->allowed = rl->allowed;
    out->waited = rl->waited;
    out->penalties = rl->penalties;
    pthread_mutex_unlock(&rl->mu);
}

int od_ratelimit_headroom_db(PGconn *conn, const char *bucket, struct od_ratelimit_headroom *out)
{
    memset(out, 0, sizeof *out);
    /* The window of the row's own period (its last writer's budget). */
    PGresult *r = od_db_exec(
        conn,
        "SELECT limit_n, period_ms, allowed_total, penalties_total,"
        "  greatest(0, ceil(extract(epoch FROM tat - now) * 1000))::bigint,"
        "  (SELECT count(*) FROM unnest(sent) t WHERE t > now - win),"
        "  coalesce((SELECT greatest(0, ceil(extract(epoch FROM t + win - now) * 1000))::bigint"
        "    FROM unnest(sent) t WHERE t > now - win ORDER BY t DESC"
        "    OFFSET greatest(limit_n - 1, 0) LIMIT 1), 0)"
        " FROM (SELECT *, clock_timestamp() AS now,"
        "   (period_ms::bigint * 1005 + 20000) * interval '1 microsecond' AS win"
        "   FROM rate_limits WHERE bucket = $1) b",
        1, (const char *const[]){bucket});
    if (!r) return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return od_seterr("no rate-limit row for '%s' yet", bucket);
    }
    snprintf(out->bucket, sizeof out->bucket, "%s", bucket);
    out->limit = atoi(PQgetvalue(r, 0, 0));
    out->period_ms = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    out->allowed = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
    out->penalties = strtoull(PQgetvalue(r, 0, 3), NULL, 10);
    int64_t hold = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
    int in_window = atoi(PQgetvalue(r, 0, 5));
    int64_t full = in_window >= out->limit ? strtoll(PQgetvalue(r, 0, 6), NULL, 10) : 0;
    out->held = hold > 0;
    out->wait_ms = hold > full ? hold : full;
    out->remaining = out->wait_ms ? 0 : out->limit - in_window;
    if (out->remaining < 0) out->remaining = 0;
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
