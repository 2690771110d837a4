/* jobstats — see jobstats.h. */
#include "core/jobs/jobstats.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const int64_t od_jobstats_bounds_ms[OD_JOBSTATS_BUCKETS] = {
    100, 500, 1000, 5000, 15000, 60000, 300000, 900000, 3600000, 14400000};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct od_jobstats_series series[OD_JOBSTATS_MAX];
static size_t nseries;

static struct od_jobstats_series *find(const char *provider, const char *resource,
                                       const char *outcome)
{
    for (size_t i = 0; i < nseries; i++)
        if (!strcmp(series[i].provider, provider) && !strcmp(series[i].resource, resource) &&
            !strcmp(series[i].outcome, outcome))
            return &series[i];
    if (nseries == OD_JOBSTATS_MAX) return NULL;
    struct od_jobstats_series *s = &series[nseries++];
    snprintf(s->provider, sizeof s->provider, "%s", provider);
    snprintf(s->resource, sizeof s->resource, "%s", resource);
    snprintf(s->outcome, sizeof s->outcome, "%s", outcome);
    return s;
}

void od_jobstats_record(const char *provider, const char *resource, const char *outcome, int64_t ms)
{
    if (ms < 0) ms = 0;
    size_t b = 0;
    while (b < OD_JOBSTATS_BUCKETS && ms > od_jobstats_bounds_ms[b])
        b++;
    pthread_mutex_lock(&mu);
    struct od_jobstats_series *s =
        find(provider ? provider : "", resource ? resource : "", outcome ? outcome : "");
    if (!s) s = find("other", "other", outcome ? outcome : ""); /* may still be NULL: dropped */
    if (s) {
        s->bucket[b]++;
        s->count++;
        s->sum_ms += (uint64_t)ms;
    }
    pthread_mutex_unlock(&mu);
}

size_t od_jobstats_get(struct od_jobstats_series *out, size_t max)
{
    pthread_mutex_lock(&mu);
    size_t n = nseries < max ? nseries : max;
    memcpy(out, series, n * sizeof *out);
    pthread_mutex_unlock(&mu);
    return n;
}
