/* http_stats — see http_stats.h. */
#include "core/net/http_stats.h"
#include <stdatomic.h>
#include <string.h>

const char *const od_http_stats_provider_names[OD_HTTP_STATS_PROVIDERS] = {"harvest", "hubspot",
                                                                           "other"};
const char *const od_http_stats_class_names[OD_HTTP_STATS_CLASSES] = {"2xx", "3xx", "4xx", "5xx",
                                                                      "error"};
const int64_t od_http_stats_bounds_ms[OD_HTTP_STATS_BUCKETS] = {5,   10,   25,   50,   100,  250,
                                                                500, 1000, 2500, 5000, 10000};

struct aseries {
    atomic_uint_fast64_t bucket[OD_HTTP_STATS_BUCKETS + 1], count, sum_ms;
};
static struct aseries series[OD_HTTP_STATS_PROVIDERS][OD_HTTP_STATS_CLASSES];
static atomic_uint_fast64_t rate_limited[OD_HTTP_STATS_PROVIDERS], retries[OD_HTTP_STATS_PROVIDERS];

static int provider_index(const char *p)
{
    if (p && strcmp(p, "harvest") == 0) return 0;
    if (p && strcmp(p, "hubspot") == 0) return 1;
    return 2;
}

static void add(atomic_uint_fast64_t *v, uint64_t n)
{
    atomic_fetch_add_explicit(v, n, memory_order_relaxed);
}

void od_http_stats_record(const char *provider, long status, int64_t latency_ms)
{
    int p = provider_index(provider);
    int c = status >= 200 && status < 600 ? (int)(status / 100) - 2 : 4;
    if (latency_ms < 0) latency_ms = 0;
    size_t b = 0;
    while (b < OD_HTTP_STATS_BUCKETS && latency_ms > od_http_stats_bounds_ms[b])
        b++;
    struct aseries *s = &series[p][c];
    add(&s->bucket[b], 1);
    add(&s->count, 1);
    add(&s->sum_ms, (uint64_t)latency_ms);
    if (status == 429) add(&rate_limited[p], 1);
}

void od_http_stats_retry(const char *provider)
{
    add(&retries[provider_index(provider)], 1);
}

void od_http_stats_get(struct od_http_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int p = 0; p < OD_HTTP_STATS_PROVIDERS; p++) {
        for (int c = 0; c < OD_HTTP_STATS_CLASSES; c++) {
            struct aseries *s = &series[p][c];
            for (int b = 0; b <= OD_HTTP_STATS_BUCKETS; b++)
                out->series[p][c].bucket[b] =
                    atomic_load_explicit(&s->bucket[b], memory_order_relaxed);
            out->series[p][c].count = atomic_load_explicit(&s->count, memory_order_relaxed);
            out->series[p][c].sum_ms = atomic_load_explicit(&s->sum_ms, memory_order_relaxed);
        }
        out->rate_limited[p] = atomic_load_explicit(&rate_limited[p], memory_order_relaxed);
        out->retries[p] = atomic_load_explicit(&retries[p], memory_order_relaxed);
    }
}
