/* syncplan — a provider's sync as dependent jobs. See syncplan.h. */
#include "core/syncplan.h"
#include "core/db.h"
#include "core/queue.h"
#include "core/sync/job.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

struct step {
    const char *provider, *resource;
    int priority;
    const char *after[3];
};

static const struct step steps[] = {
    {"harvest", "clients", 50, {NULL}},
    {"harvest", "users", 50, {NULL}},
    {"harvest", "tasks", 50, {NULL}},
    {"harvest", "projects", 40, {"clients"}},
    {"harvest", "time_entries", 30, {"projects", "users", "tasks"}},
    {"hubspot", "owners", 50, {NULL}},
    {"hubspot", "companies", 50, {NULL}},
    {"hubspot", "deals", 40, {"owners"}},
    {"hubspot", "deal_companies", 30, {"deals", "companies"}},
};

bool od_syncplan_provider_valid(const char *p)
{
    return p && (!strcmp(p, "harvest") || !strcmp(p, "hubspot") || !strcmp(p, "all"));
}

void od_syncplan_key_prefix(const char *provider, char *buf, size_t n)
{
    snprintf(buf, n, "sync:%s:", provider);
}

/* Id of an already enqueued step of this plan, or 0. */
static int64_t id_of(const struct od_plan_job *out, size_t n, const char *prov, const char *res)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(out[i].provider, prov) && !strcmp(out[i].resource, res)) return out[i].id;
    return 0;
}

int od_syncplan_enqueue(PGconn *c, const char *provider, bool full, int max_attempts,
                        struct od_plan_job *out, size_t cap)
{
    if (!od_syncplan_provider_valid(provider))
        return od_seterr("unknown provider '%s' (harvest, hubspot or all)", provider);
    if (od_db_begin(c) < 0) return -1;
    size_t n = 0;
    for (size_t i = 0; i < OD_ARRAY_LEN(steps) && n < cap; i++) {
        const struct step *st = &steps[i];
        if (strcmp(provider, "all") && strcmp(provider, st->provider)) continue;
        if (!od_job_handler_find(st->provider, st->resource)) continue;
        int64_t after[3];
        size_t na = 0;
        for (size_t k = 0; k < 3 && st->after[k]; k++) {
            int64_t dep = id_of(out, n, st->provider, st->after[k]);
            if (dep) after[na++] = dep;
        }
        char key[128];
        snprintf(key, sizeof(key), "sync:%s:%s%s", st->provider, st->resource, full ? ":full" : "");
        struct od_job_spec spec = {.provider = st->provider,
                                   .resource = st->resource,
                                   .args_json = full ? "{\"full\":true}" : "{}",
                                   .unique_key = key,
                                   .priority = st->priority,
                                   .max_attempts = max_attempts,
                                   .after = after,
                                   .n_after = na};
        struct od_plan_job *o = &out[n];
        memset(o, 0, sizeof(*o));
        snprintf(o->provider, sizeof(o->provider), "%s", st->provider);
        snprintf(o->resource, sizeof(o->resource), "%s", st->resource);
        int rc = od_queue_enqueue(c, &spec, &o->id);
        if (rc < 0) {
            od_db_rollback(c);
            return -1;
        }
        o->created = rc == 1;
        n++;
    }
    if (od_db_commit(c) < 0) {
        od_db_rollback(c);
        return -1;
    }
    return (int)n;
}
