/* sim_limits — sliding-window rate limits and request statistics. See sim_limits.h. */
#include "tests/sim/sim_limits.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ring of request times (ms), oldest first. */
struct ring {
    int64_t *t;
    size_t head, len, cap;
};

struct bucket {
    struct ring all;      /* every request in the current window: for max_in_window */
    struct ring accepted; /* requests let through: for the limit */
    long max_in_window, requests, refused;
};

struct path_count {
    char *path;
    long n;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct bucket buckets[BUCKET_COUNT];
static long prov_requests[PROV_COUNT], prov_429[PROV_COUNT];
static struct path_count *paths;
static size_t npaths;

static const struct sim_limit *limit_of(enum sim_bucket b)
{
    return b == BUCKET_HARVEST   ? &sim_cfg.harvest_limit
           : b == BUCKET_HUBSPOT ? &sim_cfg.hubspot_limit
                                 : &sim_cfg.search_limit;
}

void limits_init(void)
{
    memset(buckets, 0, sizeof buckets);
}

void limits_release(void)
{
    for (int b = 0; b < BUCKET_COUNT; b++) {
        free(buckets[b].all.t);
        free(buckets[b].accepted.t);
    }
    for (size_t i = 0; i < npaths; i++)
        free(paths[i].path);
    free(paths);
    paths = NULL;
    npaths = 0;
    memset(buckets, 0, sizeof buckets);
}

static void ring_push(struct ring *r, int64_t t)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 128;
        int64_t *n = od_xmalloc(cap * sizeof *n);
        for (size_t i = 0; i < r->len; i++)
            n[i] = r->t[(r->head + i) % r->cap];
        free(r->t);
        r->t = n;
        r->head = 0;
        r->cap = cap;
    }
    r->t[(r->head + r->len++) % r->cap] = t;
}

static void ring_prune(struct ring *r, int64_t before)
{
    while (r->len && r->t[r->head] <= before) {
        r->head = (r->head + 1) % r->cap;
        r->len--;
    }
}

void limits_write_429(struct sim_req *r, enum sim_bucket b, int retry_after_s)
{
    char ra[16];
    snprintf(ra, sizeof ra, "%d", retry_after_s > 0 ? retry_after_s : 1);
    limits_write_429_as(r, b, ra, false);
}

void limits_write_429_as(struct sim_req *r, enum sim_bucket b, const char *ra, bool daily)
{
    char id[40], id2[40];
    resp_header(r, "Retry-After", ra);
    cJSON *o = cJSON_CreateObject();
    if (b == BUCKET_HARVEST) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "Rate limit exceeded: %d requests per %d seconds. Retry after %s seconds.",
                 sim_cfg.harvest_limit.n, sim_cfg.harvest_limit.secs, ra);
        cJSON_AddStringToObject(o, "error", "rate_limit_exceeded");
        cJSON_AddStringToObject(o, "error_description", msg);
    } else {
        bool secondly = b == BUCKET_SEARCH;
        sim_uuid(r->seq, id);
        sim_uuid(r->seq + (1ULL << 40), id2);
        cJSON_AddStringToObject(o, "status", "error");
        cJSON_AddStringToObject(o, "message",
                                daily      ? "You have reached your daily limit."
                                : secondly ? "You have reached your secondly limit."
                                           : "You have reached your ten_secondly_rolling limit.");
        cJSON_AddStringToObject(o, "errorType", "RATE_LIMIT");
        cJSON_AddStringToObject(o, "correlationId", id);
        cJSON_AddStringToObject(o, "policyName",
                                daily      ? "DAILY"
                                : secondly ? "SECONDLY"
                                           : "TEN_SECONDLY_ROLLING");
        cJSON_AddStringToObject(o, "requestId", id2);
    }
    resp_json(r, 429, o);
}

bool limits_gate(struct sim_req *r, enum sim_bucket b)
{
    const struct sim_limit *l = limit_of(b);
    struct bucket *k = &buckets[b];
    int64_t now = od_now_ms(), window = (int64_t)l->secs * 1000;
    int retry = 0;
    pthread_mutex_lock(&mu);
    ring_prune(&k->all, now - window);
    ring_push(&k->all, now);
    if ((long)k->all.len > k->max_in_window) k->max_in_window = (long)k->all.len;
    k->requests++;
    ring_prune(&k->accepted, now - window);
    if (sim_cfg.rate_limits && (int)k->accepted.len >= l->n) {
        int64_t oldest = k->accepted.t[k->accepted.head];
        retry = (int)((oldest + window - now + 999) / 1000);
        k->refused++;
    } else {
        ring_push(&k->accepted, now);
    }
    pthread_mutex_unlock(&mu);
    if (retry) limits_write_429(r, b, retry);
    return retry == 0;
}

void limits_count(enum sim_provider p, const char *path, int status)
{
    if (!strncmp(path, "/__sim/", 7)) return;
    pthread_mutex_lock(&mu);
    prov_requests[p]++;
    if (status == 429) prov_429[p]++;
    size_t i = 0;
    while (i < npaths && strcmp(paths[i].path, path))
        i++;
    if (i == npaths && npaths < 1000) {
        paths = od_xrealloc(paths, (npaths + 1) * sizeof *paths);
        paths[npaths++] = (struct path_count){od_xstrdup(path), 0};
    }
    if (i < npaths) paths[i].n++;
    pthread_mutex_unlock(&mu);
}

static cJSON *bucket_json(enum sim_bucket b)
{
    const struct sim_limit *l = limit_of(b);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "limit", l->n);
    cJSON_AddNumberToObject(o, "window_seconds", l->secs);
    cJSON_AddNumberToObject(o, "max_in_window", (double)buckets[b].max_in_window);
    cJSON_AddNumberToObject(o, "refused", (double)buckets[b].refused);
    return o;
}

cJSON *limits_stats_json(void)
{
    static const char *const names[] = {"other", "harvest", "hubspot"};
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&mu);
    cJSON_AddBoolToObject(o, "rate_limits", sim_cfg.rate_limits);
    for (int p = PROV_NONE; p < PROV_COUNT; p++) {
        cJSON *j = cJSON_AddObjectToObject(o, names[p]);
        cJSON_AddNumberToObject(j, "requests", (double)prov_requests[p]);
        cJSON_AddNumberToObject(j, "429", (double)prov_429[p]);
        if (p == PROV_HARVEST) {
            cJSON *acc = cJSON_AddObjectToObject(j, "accounts");
            cJSON_AddItemToObject(acc, sim_cfg.harvest_account, bucket_json(BUCKET_HARVEST));
            cJSON_AddNumberToObject(j, "max_in_window",
                                    (double)buckets[BUCKET_HARVEST].max_in_window);
        } else if (p == PROV_HUBSPOT) {
            cJSON_AddItemToObject(j, "general", bucket_json(BUCKET_HUBSPOT));
            cJSON_AddItemToObject(j, "search", bucket_json(BUCKET_SEARCH));
            cJSON_AddNumberToObject(j, "max_in_window",
                                    (double)buckets[BUCKET_HUBSPOT].max_in_window);
        }
    }
    cJSON *pj = cJSON_AddObjectToObject(o, "paths");
    for (size_t i = 0; i < npaths; i++)
        cJSON_AddNumberToObject(pj, paths[i].path, (double)paths[i].n);
    pthread_mutex_unlock(&mu);
    return o;
}
