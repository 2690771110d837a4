/* refs — do the clients, projects and users a page of time entries refers to exist here?
 *
 * Validation only checks that a time entry names its client, project and user; this checks
 * that those records are in the database, through bounded LRU caches of known ids (one per
 * kind, core/base/cache.h, listed on the health screen with their hit/miss/eviction counters), so a
 * page of 2000 entries costs a few hash lookups per distinct id and at most one query per kind
 * for the ids not in the cache.
 *
 * An unknown reference is not a bad record: the entry is real upstream data (the project was
 * created after this run listed projects, say), so it is stored as it is, and a full sync of
 * that resource is queued in the same transaction (unique key sync:harvest:<kind>:full, as
 * `opsdeck sync harvest --full` uses), which brings the missing record in. An id still unknown
 * after that is asked for again at most every OD_REFS_RETRY_MS per process; the writer calls
 * od_refs_settle() when its transaction ends, so one that rolled back asks again at once.
 *
 *   struct od_refs_stats st = {0};
 *   od_refs_check(conn, OD_REF_PROJECT, project_ids, n, job_id, &st);  // inside the page's tx
 */
#ifndef OD_CONNECTORS_REFS_H
#define OD_CONNECTORS_REFS_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum od_ref_kind { OD_REF_CLIENT, OD_REF_PROJECT, OD_REF_USER, OD_REF_KINDS };

#define OD_REFS_RETRY_MS (15 * 60 * 1000)

struct od_refs_stats {
    int64_t distinct; /* distinct ids looked at */
    int64_t cached;   /* answered by the cache */
    int64_t unknown;  /* not in the database */
    int64_t queued;   /* catch-up syncs newly queued */
};

/* ids[0..n) (repeats allowed, 0 = none) of kind k, inside the caller's transaction. Adds to
 * *st. 0, or -1 on a database error (od_err). */
int od_refs_check(PGconn *c, enum od_ref_kind k, const int64_t *ids, size_t n,
                  struct od_refs_stats *st);
/* The calling thread's transaction ended: committed, or rolled back (then the ids it found
 * missing are forgotten, as the catch-up it queued was rolled back too). */
void od_refs_settle(bool committed);

#endif
