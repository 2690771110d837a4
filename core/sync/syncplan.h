/* syncplan — which jobs make up "sync harvest" / "sync hubspot", and in which order.
 *
 * A provider's sync is one job per resource that the handler table (core/sync/handlers.c)
 * knows, enqueued with unique keys so a sync that is already pending is reused, not doubled:
 *   harvest: clients, users, tasks  ->  projects (after clients)  ->  time_entries (after
 *            projects, users, tasks)
 *   hubspot: owners, pipelines, companies  ->  deals (after owners, pipelines)  ->
 *            deal_companies (after deals, companies)
 *   then system/evaluate (after all of them): automatic links, then the exception rules
 * "after" is a real dependency (sync_jobs.after_ids: not claimed before those jobs finish),
 * and priorities follow the same order, so references exist before the rows that use them
 * while independent resources still run in parallel. Used by `opsdeck sync` and the
 * scheduler's periodic syncs. */
#ifndef OD_SYNCPLAN_H
#define OD_SYNCPLAN_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OD_SYNCPLAN_MAX 16 /* jobs of the largest plan ("all"), evaluate included */
/* Unique-key prefix of the system/evaluate jobs (+ "harvest" | "hubspot" | "all" after a
 * plan, "periodic" from the scheduler). */
#define OD_SYNCPLAN_EVALUATE_KEY "sync:evaluate:"

struct od_plan_job {
    char provider[16];
    char resource[48];
    int64_t id;
    bool created; /* false: an equal job was already pending (its id) */
};

/* provider: "harvest", "hubspot" or "all". The last job is system/evaluate (when the handler
 * table has it), after every other job of the plan: it links clients/projects to
 * companies/deals automatically (core/domain/links.h), then evaluates the exception rules
 * (core/domain/exceptions.h), so a finished sync shows fresh exceptions. full: args {"full":true}
 * and its own unique key
 * ("sync:P:R:full" instead of "sync:P:R"). max_attempts <= 0: the column default.
 * Fills out[0..n) (n <= cap) and returns n, or -1 with od_err (nothing enqueued: one
 * transaction). 0 when the handler table has none of the provider's resources. */
int od_syncplan_enqueue(PGconn *c, const char *provider, bool full, int max_attempts,
                        struct od_plan_job *out, size_t cap);
/* Same for the provider's reconcile jobs (re-list a window, soft-delete what is gone), then
 * the evaluation. Unique keys sync:P:reconcile. */
int od_syncplan_enqueue_reconcile(PGconn *c, const char *provider, int max_attempts,
                                  struct od_plan_job *out, size_t cap);
/* Whether provider is one od_syncplan_enqueue accepts. */
bool od_syncplan_provider_valid(const char *provider);
/* Unique-key prefix of a provider's plan jobs ("sync:harvest:"). */
void od_syncplan_key_prefix(const char *provider, char *buf, size_t n);

#endif
