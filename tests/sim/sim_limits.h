/* sim_limits — rate limits and request statistics.
 *
 * Every provider request is recorded in a sliding log per bucket (Harvest per account, HubSpot
 * general, HubSpot search), whether or not limits are on, so /__sim/stats can report the most
 * requests ever seen inside one window: a client that respects the limit keeps that number at or
 * below the limit. With limits on, a request beyond the limit gets 429 + Retry-After (seconds
 * until the oldest request in the window leaves it). */
#ifndef SIM_LIMITS_H
#define SIM_LIMITS_H
#include "tests/sim/sim.h"

enum sim_bucket { BUCKET_HARVEST, BUCKET_HUBSPOT, BUCKET_SEARCH, BUCKET_COUNT };

void limits_init(void);
void limits_release(void);
/* Record the request; true if allowed. When refused, the 429 response has been written. */
bool limits_gate(struct sim_req *r, enum sim_bucket b);
/* Write the provider's 429 body with Retry-After (also used by the rate_limit_storm fault). */
void limits_write_429(struct sim_req *r, enum sim_bucket b, int retry_after_s);
/* The same with Retry-After sent verbatim (faults); daily: HubSpot's daily-limit body. */
void limits_write_429_as(struct sim_req *r, enum sim_bucket b, const char *retry_after, bool daily);
/* Count a finished request for /__sim/stats. */
void limits_count(enum sim_provider p, const char *path, int status);
cJSON *limits_stats_json(void);

#endif
