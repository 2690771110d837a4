/* http_stats — process-wide counters of every HTTP exchange core/net/http.c makes, for
 * /metrics (core/ops/metrics.c): a latency histogram per provider and status class (2xx,
 * 3xx, 4xx, 5xx, error = no HTTP answer), 429s and retries per provider. Lock-free (relaxed
 * atomics): http.c calls od_http_stats_record() once per send and od_http_stats_retry() once
 * per retry of a failed attempt (a 429 waited out is counted as a 429, not as a retry).
 * Providers are "harvest", "hubspot" and "other" (anything else, or none). */
#ifndef OD_HTTP_STATS_H
#define OD_HTTP_STATS_H
#include <stdint.h>

#define OD_HTTP_STATS_PROVIDERS 3 /* harvest, hubspot, other */
#define OD_HTTP_STATS_CLASSES 5   /* 2xx, 3xx, 4xx, 5xx, error */
#define OD_HTTP_STATS_BUCKETS 11  /* upper bounds in od_http_stats_bounds_ms, then +Inf */

extern const char *const od_http_stats_provider_names[OD_HTTP_STATS_PROVIDERS];
extern const char *const od_http_stats_class_names[OD_HTTP_STATS_CLASSES];
/* Bucket upper bounds in milliseconds (Prometheus `le`, in seconds, is this / 1000). */
extern const int64_t od_http_stats_bounds_ms[OD_HTTP_STATS_BUCKETS];

struct od_http_series {
    uint64_t bucket[OD_HTTP_STATS_BUCKETS + 1]; /* NOT cumulative; [BUCKETS] = above the last */
    uint64_t count;
    uint64_t sum_ms;
};

struct od_http_stats {
    struct od_http_series series[OD_HTTP_STATS_PROVIDERS][OD_HTTP_STATS_CLASSES];
    uint64_t rate_limited[OD_HTTP_STATS_PROVIDERS]; /* 429 answers */
    uint64_t retries[OD_HTTP_STATS_PROVIDERS];
};

/* status: the HTTP status of the answer, 0 when there was none (connection error, timeout). */
void od_http_stats_record(const char *provider, long status, int64_t latency_ms);
void od_http_stats_retry(const char *provider);
/* A copy of the counters now (each counter consistent; the set only approximately). */
void od_http_stats_get(struct od_http_stats *out);

#endif
