/* breaker — per-provider circuit breakers. See breaker.h. */
#include "core/net/breaker.h"
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct od_breaker {
    const char *name;
    pthread_mutex_t mu;
    enum od_breaker_state state;
    int consecutive;
    int64_t open_until_ms; /* monotonic: when an open breaker lets a probe through */
    bool probe_in_flight;
    uint64_t successes, failures, opened;
    int64_t last_change_wall_ms;
};

static struct od_breaker breakers[] = {
    {.name = "harvest", .mu = PTHREAD_MUTEX_INITIALIZER},
    {.name = "hubspot", .mu = PTHREAD_MUTEX_INITIALIZER},
};

static void set_state(struct od_breaker *b, enum od_breaker_state s)
{
    if (b->state == s) return;
    od_log_kv(s == OD_BREAKER_OPEN ? OD_LOG_WARN : OD_LOG_INFO, "circuit breaker", "provider",
              b->name, "from", od_breaker_state_name(b->state), "to", od_breaker_state_name(s),
              NULL);
    b->state = s;
    b->last_change_wall_ms = od_wall_ms();
}

struct od_breaker *od_breaker_for(const char *provider)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(breakers); i++)
        if (provider && strcmp(breakers[i].name, provider) == 0) return &breakers[i];
    return NULL;
}

bool od_breaker_allow(struct od_breaker *b)
{
    bool ok = true;
    if (!b) return true;
    pthread_mutex_lock(&b->mu);
    if (b->state == OD_BREAKER_OPEN) {
        if (od_now_ms() >= b->open_until_ms) {
            set_state(b, OD_BREAKER_HALF_OPEN);
            b->probe_in_flight = true;
        } else {
            ok = false;
        }
    } else if (b->state == OD_BREAKER_HALF_OPEN) {
        if (b->probe_in_flight)
            ok = false; /* one probe at a time */
        else
            b->probe_in_flight = true;
    }
    pthread_mutex_unlock(&b->mu);
    return ok;
}

void od_breaker_record(struct od_breaker *b, bool success, const struct od_config *cfg)
{
    if (!b) return;
    pthread_mutex_lock(&b->mu);
    b->probe_in_flight = false;
    if (success) {
        b->successes++;
        b->consecutive = 0;
        set_state(b, OD_BREAKER_CLOSED);
    } else {
        b->failures++;
        b->consecutive++;
        if (b->state == OD_BREAKER_HALF_OPEN || b->consecutive >= cfg->breaker.threshold) {
            if (b->state != OD_BREAKER_OPEN) b->opened++;
            set_state(b, OD_BREAKER_OPEN);
            b->open_until_ms = od_now_ms() + cfg->breaker.open_ms;
        }
    }
    pthread_mutex_unlock(&b->mu);
}

void od_breaker_get_info(struct od_breaker *b, struct od_breaker_info *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&b->mu);
    out->state = b->state;
    out->consecutive_failures = b->consecutive;
    if (b->state == OD_BREAKER_OPEN) {
        int64_t left = b->open_until_ms - od_now_ms();
        out->retry_in_ms = left > 0 ? left : 0;
    }
    out->successes = b->successes;
    out->failures = b->failures;
    out->opened = b->opened;
    out->last_change_wall_ms = b->last_change_wall_ms;
    pthread_mutex_unlock(&b->mu);
}

int od_breaker_info(const char *provider, struct od_breaker_info *out)
{
    struct od_breaker *b = od_breaker_for(provider);
    if (!b) return od_seterr("no circuit breaker for provider '%s'", provider ? provider : "");
    od_breaker_get_info(b, out);
    return 0;
}

const char *od_breaker_state_name(enum od_breaker_state s)
{
    switch (s) {
    case OD_BREAKER_CLOSED:
        return "closed";
    case OD_BREAKER_OPEN:
        return "open";
    case OD_BREAKER_HALF_OPEN:
        return "half-open";
    }
    return "?";
}
