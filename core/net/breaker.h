/* breaker — one circuit breaker per upstream provider ("harvest", "hubspot"), process-wide.
 *
 * closed: requests flow; a run of breaker.threshold consecutive failures (5xx, timeouts,
 * connection errors — never a 429, which the rate limiter owns) opens it.
 * open: requests are refused at once (od_breaker_allow() is false) for breaker.open_ms.
 * half-open: after that one probe request is let through; its success closes the breaker,
 * its failure opens it again for another breaker.open_ms.
 *
 *   struct od_breaker *b = od_breaker_for("harvest");
 *   if (!od_breaker_allow(b)) -> fail fast (the job retries later)
 *   ... request ... ; od_breaker_record(b, ok, cfg);
 *
 * The health screen reads od_breaker_info("harvest", &info). Thread-safe. The thresholds are
 * the caller's configuration (breaker.threshold, breaker.open_ms), read when a failure is
 * recorded. */
#ifndef OD_BREAKER_H
#define OD_BREAKER_H
#include <stdbool.h>
#include <stdint.h>

struct od_config;

enum od_breaker_state { OD_BREAKER_CLOSED, OD_BREAKER_OPEN, OD_BREAKER_HALF_OPEN };

struct od_breaker_info {
    enum od_breaker_state state;
    int consecutive_failures;
    int64_t retry_in_ms;                  /* open: ms until a probe is allowed; else 0 */
    uint64_t successes, failures, opened; /* totals since start */
    int64_t last_change_wall_ms;          /* wall clock of the last state change, 0 = never */
};

struct od_breaker;

/* The breaker of a provider (NULL for an unknown provider). Never freed. */
struct od_breaker *od_breaker_for(const char *provider);
bool od_breaker_allow(struct od_breaker *b);
void od_breaker_record(struct od_breaker *b, bool success, const struct od_config *cfg);
void od_breaker_get_info(struct od_breaker *b, struct od_breaker_info *out);
/* By provider name; returns -1 for an unknown provider. */
int od_breaker_info(const char *provider, struct od_breaker_info *out);
const char *od_breaker_state_name(enum od_breaker_state s);

#endif
