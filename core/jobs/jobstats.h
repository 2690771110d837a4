/* jobstats — how long this process's jobs ran, for /metrics (core/ops/metrics.c): one
 * histogram per (provider, resource, outcome), outcome one of completed, retry, dead, stopped,
 * unrecorded (the outcome could not be written to the queue). The worker (core/jobs/worker.c)
 * calls od_jobstats_record() once per finished run. At most OD_JOBSTATS_MAX series; runs of
 * further keys are counted under provider "other". Thread-safe (one mutex, held briefly). */
#ifndef OD_JOBSTATS_H
#define OD_JOBSTATS_H
#include <stddef.h>
#include <stdint.h>

#define OD_JOBSTATS_MAX 64
#define OD_JOBSTATS_BUCKETS 10 /* upper bounds in od_jobstats_bounds_ms, then +Inf */

extern const int64_t od_jobstats_bounds_ms[OD_JOBSTATS_BUCKETS];

struct od_jobstats_series {
    char provider[16], resource[48], outcome[16];
    uint64_t bucket[OD_JOBSTATS_BUCKETS + 1]; /* NOT cumulative; [BUCKETS] = above the last */
    uint64_t count;
    uint64_t sum_ms;
};

void od_jobstats_record(const char *provider, const char *resource, const char *outcome,
                        int64_t ms);
/* Copies the series into out[0..max); returns how many. */
size_t od_jobstats_get(struct od_jobstats_series *out, size_t max);

#endif
