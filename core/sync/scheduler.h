/* scheduler — queue maintenance done by exactly one process among all the consoles and
 * workers sharing a database: the one holding the session advisory lock OD_LEADER_LOCK on a
 * dedicated connection (a crashed leader's lock goes with its connection; another takes over
 * within one tick).
 *
 *   struct od_scheduler *s = od_scheduler_start(cfg, pool);   // thread "scheduler"
 *   od_scheduler_is_leader(s);
 *   od_scheduler_stop(s);                                      // joins, gives up the lock
 *
 * Every tick (5 s) the leader: rescues running jobs whose heartbeat is older than
 * sync.rescue_after_s; enqueues each connected provider's incremental sync (syncplan, unique
 * keys) when none was created in the last sync.interval_minutes, and likewise system/evaluate
 * (exception rules; every sync plan also ends with one); after 02:00 UTC enqueues the
 * nightly reconcile (per provider) and system/rollup_check jobs once per day, when the handler
 * table has them; every 6 hours makes sure harvest_time_entries has partitions for the next
 * 3 months (opsdeck_ensure_partitions); and prunes finished jobs (completed/cancelled after
 * 7 days, dead after 30) and stopped workers. A provider is "connected" when the credentials
 * table has a row for it or OPSDECK_<PROVIDER>_TOKEN is set. */
#ifndef OD_SCHEDULER_H
#define OD_SCHEDULER_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct od_config;
struct od_pool;

#define OD_LEADER_LOCK 0x6f70736465636b01LL /* "opsdeck" 01 */

struct od_scheduler;

struct od_scheduler *od_scheduler_start(const struct od_config *cfg, struct od_pool *pool);
bool od_scheduler_is_leader(struct od_scheduler *s);
void od_scheduler_stop(struct od_scheduler *s);

/* What one leader pass did (also for tests). */
struct od_maint_report {
    int rescued, enqueued, partitions_checked, pruned;
};
#define OD_MAINT_RESCUE 1u
#define OD_MAINT_PERIODIC 2u    /* incremental syncs and the rule evaluation due */
#define OD_MAINT_NIGHTLY 4u     /* nightly jobs, if past 02:00 UTC */
#define OD_MAINT_NIGHTLY_NOW 8u /* nightly jobs whatever the hour */
#define OD_MAINT_PARTITIONS 16u
#define OD_MAINT_PRUNE 32u
#define OD_MAINT_ALL                                                                               \
    (OD_MAINT_RESCUE | OD_MAINT_PERIODIC | OD_MAINT_NIGHTLY | OD_MAINT_PARTITIONS | OD_MAINT_PRUNE)
/* One maintenance pass on c doing `what`, as the leader does it (exposed for tests and
 * tools). 0, or -1 with od_err (the pass stops at the first error). */
int od_scheduler_maintain(const struct od_config *cfg, PGconn *c, unsigned what,
                          struct od_maint_report *out);

#endif
