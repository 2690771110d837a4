/* syncplan — a provider's sync as dependent jobs. See syncplan.h. */
#include "core/sync/syncplan.h"
#include "core/db/db.h"
#include "core/sync/handlers.h"
#include "core/jobs/queue.h"
#include "core/jobs/job.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
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
    {"hubspot", "pipelines", 50, {NULL}},
    {"hubspot", "companies", 50, {NULL}},
    {"hubspot", "deals", 40, {"owners", "pipelines"}},
    {"hubspot", "deal_companies", 30, {"deals", "companies"}},
};

/* `sync --reconcile`: re-list a window and soft-delete what is gone upstream. */
static const struct step reconcile_steps[] = {
    {"harvest", "reconcile", 20, {NULL}},
    {"hubspot", "reconcile", 20, {NULL}},
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

/* The plan's last job, out[n]: system/evaluate after every job of the plan (links, then
 * exception rules). One pending per plan provider (unique key); when one is already pending
 * and not yet started, it also waits for this plan's jobs (a sync requested again while the
 * first waits is covered). One already running keeps its dependencies: the scheduler's
 * periodic evaluation covers what it misses. out[n].id stays 0 without the handler. */
static int add_evaluate(PGconn *c, const char *provider, struct od_plan_job *out, size_t n)
{
    memset(&out[n], 0, sizeof(out[n]));
    if (!od_job_handler_find(od_sync_handlers, "system", "evaluate")) return 0;
    int64_t after[OD_SYNCPLAN_MAX];
    size_t na = 0;
    for (size_t i = 0; i < n && na < OD_ARRAY_LEN(after); i++)
        after[na++] = out[i].id;
    char key[64];
    snprintf(key, sizeof(key), "%s%s", OD_SYNCPLAN_EVALUATE_KEY, provider);
    struct od_job_spec spec = {.provider = "system",
                               .resource = "evaluate",
                               .args_json = "{\"links\":true}",
                               .unique_key = key,
                               .priority = 20,
                               .after = after,
                               .n_after = na};
    struct od_plan_job *o = &out[n];
    snprintf(o->provider, sizeof(o->provider), "system");
    snprintf(o->resource, sizeof(o->resource), "evaluate");
    int rc = od_queue_enqueue(c, &spec, &o->id);
    if (rc < 0) return -1;
    o->created = rc == 1;
    if (rc == 1) return 0;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)o->id);
    char *ids = od_db_bigint_array(after, na);
    const char *p[2] = {sid, ids};
    rc = od_db_cmd(c,
                   "UPDATE sync_jobs SET after_ids = ARRAY(SELECT DISTINCT x FROM"
                   "  unnest(after_ids || $2::bigint[]) AS x ORDER BY x), updated_at = now()"
                   " WHERE id = $1::bigint AND state = 'available'",
                   2, p);
    free(ids);
    return rc < 0 ? -1 : 0;
}

static int enqueue_plan(PGconn *c, const char *provider, const struct step *plan, size_t nplan,
                        bool full, int max_attempts, struct od_plan_job *out, size_t cap)
{
    if (!od_syncplan_provider_valid(provider))
        return od_seterr("unknown provider '%s' (harvest, hubspot or all)", provider);
    if (od_db_begin(c) < 0) return -1;
    size_t n = 0;
    for (size_t i = 0; i < nplan && n < cap; i++) {
        const struct step *st = &plan[i];
        if (strcmp(provider, "all") && strcmp(provider, st->provider)) continue;
        if (!od_job_handler_find(od_sync_handlers, st->provider, st->resource)) continue;
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
    if (n > 0 && n < cap) {
        if (add_evaluate(c, provider, out, n) < 0) {
            od_db_rollback(c);
            return -1;
        }
        if (out[n].id) n++;
    }
    if (od_db_commit(c) < 0) {
        od_db_rollback(c);
        return -1;
    }
    return (int)n;
}

int od_syncplan_enqueue(PGconn *c, const char *provider, bool full, int max_attempts,
                        struct od_plan_job *out, size_t cap)
{
    return enqueue_plan(c, provider, steps, OD_ARRAY_LEN(steps), full, max_attempts, out, cap);
}

int od_syncplan_enqueue_reconcile(PGconn *c, const char *provider, int max_attempts,
                                  struct od_plan_job *out, size_t cap)
{
    return enqueue_plan(c, provider, reconcile_steps, OD_ARRAY_LEN(reconcile_steps), false,
                        max_attempts, out, cap);
}
