/* ratelimit — the providers' rate limits, shared by every worker thread and process through
 * PostgreSQL, kept the way the providers count them: at most `limit` requests in ANY window of
 * `period` (Harvest: 100 in any 15 s). The whole window is used — a first burst of `limit`
 * requests goes at once — and a request never goes while the last `period` already holds
 * `limit` of them, so a well-behaved provider never answers 429.
 *
 * One row of rate_limits per upstream budget ("harvest:<account>", "hubspot:<account>",
 * "hubspot-search:<account>") holds the times of the requests still inside the window (sent[])
 * and, after a 429, a time before which nothing goes (tat). A request slot is taken by ONE
 * statement that locks the row, decides and records (allowed: its time is appended; else: how
 * long to wait). When the response is back, od_ratelimit_sent() moves that slot's time to then:
 * the provider saw the request at some moment in between, so counting from the later time can
 * only wait longer, never less, whatever the delays between us, the database and the provider.
 * A small margin (0.5 % + 20 ms) covers clock granularity on the provider's side.
 * While the database cannot be reached, an in-process window with the same rule takes over (and
 * a warning is logged once per outage).
 *
 *   struct od_ratelimit *rl = od_ratelimit_get(pool, "harvest", "1000001");   // never NULL
 *   char slot[OD_RATELIMIT_SLOT];
 *   if (od_ratelimit_acquire(rl, stop_fn, on_wait, arg, slot) < 0) -> stopped
 *   ... send, read the response ...; od_ratelimit_sent(rl, slot);
 *   on 429: od_ratelimit_penalize(rl, retry_after_ms);
 *
 * Budgets (limit per period): harvest 100/15000 ms, hubspot 100/10000 ms, hubspot-search
 * 5/1000 ms; [ratelimit] in the configuration or OPSDECK_RATELIMIT_HARVEST=N/MS,
 * OPSDECK_RATELIMIT_HUBSPOT=N/MS, OPSDECK_RATELIMIT_HUBSPOT_SEARCH=N/MS. Health reads
 * od_ratelimit_headroom() (this process's latest view) or od_ratelimit_headroom_db() (any
 * process, straight from the row). */
#ifndef OD_RATELIMIT_H
#define OD_RATELIMIT_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct od_pool;
struct od_ratelimit;

#define OD_RATELIMIT_SLOT 48 /* a slot's name: the time it was taken */

struct od_ratelimit_headroom {
    char bucket[80];
    int limit; /* requests per period, as configured */
    int64_t period_ms;
    int remaining;   /* requests that could go right now without waiting */
    int64_t wait_ms; /* wait before the next request (0 = none) */
    bool held;       /* the wait is a 429's hold, not a full window */
    bool fallback;   /* true while the in-process window is in use (database unreachable) */
    uint64_t allowed, waited, penalties; /* this process's counters */
};

/* kind: "harvest", "hubspot" or "hubspot-search"; account may be NULL ("default"). The object
 * is process-wide and lives until exit; pool may be NULL (in-process window only). */
struct od_ratelimit *od_ratelimit_get(struct od_pool *pool, const char *kind, const char *account);
/* Block until a request may go; its slot's name goes to slot (may be NULL). -1 when
 * should_stop became true. A wait of a second or more is told to on_wait first (why: "rate
 * limit, 100 per 15 s" or "rate limit held after a 429"), and on_wait(arg, 0, NULL) when it is
 * over; on_wait may be NULL. */
int od_ratelimit_acquire(struct od_ratelimit *rl, bool (*should_stop)(void *),
                         void (*on_wait)(void *, int64_t, const char *), void *arg,
                         char slot[OD_RATELIMIT_SLOT]);
/* One try, never blocking: 0 when a slot was taken (named in slot), else the wait in ms. */
int64_t od_ratelimit_try(struct od_ratelimit *rl, char slot[OD_RATELIMIT_SLOT]);
/* The response of the request sent in slot is back: count it from now (see the top). */
void od_ratelimit_sent(struct od_ratelimit *rl, const char *slot);
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
struct od_config;
/* Take the budgets from [ratelimit] (main calls this after loading the configuration). */
void od_ratelimit_configure(const struct od_config *cfg);
/* Limit and period configured for a kind. */
void od_ratelimit_budget(const char *kind, int *limit, int64_t *period_ms);
/* The window the limiter keeps for a period: the period plus the margin (microseconds). */
int64_t od_ratelimit_window_us(int64_t period_ms);

#endif
