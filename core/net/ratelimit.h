/* ratelimit — GCRA rate limits shared by every worker thread and process through PostgreSQL.
 *
 * One row of rate_limits per upstream budget ("harvest:<account>", "hubspot:<account>",
 * "hubspot-search:<account>"). A request slot is taken by ONE atomic statement
 * (UPDATE rate_limits ... RETURNING wait_ms): it either advances the theoretical arrival time
 * (allowed, wait 0) or leaves it and returns how long to wait. Parameters are chosen so that no
 * window of `period` ever holds more than `limit` requests (burst = limit/10, the rest paced).
 * While the database cannot be reached, an in-process bucket with the same parameters takes
 * over (and a warning is logged once per outage).
 *
 *   struct od_ratelimit *rl = od_ratelimit_get(pool, "harvest", "1000001");   // never NULL
 *   if (od_ratelimit_acquire(rl, stop_fn, stop_arg) < 0) -> stopped
 *   ... send ...; on 429: od_ratelimit_penalize(rl, retry_after_ms);
 *
 * Budgets (limit per period): harvest 100/15000 ms, hubspot 100/10000 ms, hubspot-search
 * 5/1000 ms; override with OPSDECK_RATELIMIT_HARVEST=N/MS, OPSDECK_RATELIMIT_HUBSPOT=N/MS,
 * OPSDECK_RATELIMIT_HUBSPOT_SEARCH=N/MS. Health reads od_ratelimit_headroom() (this process's
 * latest view) or od_ratelimit_headroom_db() (any process, straight from the row). */
#ifndef OD_RATELIMIT_H
#define OD_RATELIMIT_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct od_pool;
struct od_ratelimit;

struct od_ratelimit_headroom {
    char bucket[80];
    int limit; /* requests per period, as configured */
    int64_t period_ms;
    int remaining;   /* requests that could go right now without waiting */
    int64_t wait_ms; /* wait before the next request (0 = none) */
    bool fallback;   /* true while the in-process bucket is in use (database unreachable) */
    uint64_t allowed, waited, penalties; /* this process's counters */
};

/* kind: "harvest", "hubspot" or "hubspot-search"; account may be NULL ("default"). The object
 * is process-wide and lives until exit; pool may be NULL (in-process bucket only). */
struct od_ratelimit *od_ratelimit_get(struct od_pool *pool, const char *kind, const char *account);
/* Block until a request may go. -1 when should_stop became true. */
int od_ratelimit_acquire(struct od_ratelimit *rl, bool (*should_stop)(void *), void *arg);
/* The server said 429: hold every worker on this budget for wait_ms (at most
 * OD_RATELIMIT_PENALTY_MAX_MS; callers pass at most http.retry_after_cap_s). */
#define OD_RATELIMIT_PENALTY_MAX_MS (3600 * 1000)
void od_ratelimit_penalize(struct od_ratelimit *rl, int64_t wait_ms);
void od_ratelimit_headroom(struct od_ratelimit *rl, struct od_ratelimit_headroom *out);
/* Headroom of a bucket ("harvest:1000001") read from the database; -1 + od_err when absent. */
int od_ratelimit_headroom_db(PGconn *conn, const char *bucket, struct od_ratelimit_headroom *out);
/* Headroom of the first max buckets (by name) that have a row, read from the database into
 * out[0..]; returns how many were read, or -1 + od_err when the list could not be read. */
int od_ratelimit_buckets(PGconn *conn, struct od_ratelimit_headroom *out, int max);
/* Limit and period configured for a kind (env override or default). */
struct od_config;
/* Take the budgets from [ratelimit] (main calls this after loading the configuration). */
void od_ratelimit_configure(const struct od_config *cfg);
void od_ratelimit_budget(const char *kind, int *limit, int64_t *period_ms);

#endif
