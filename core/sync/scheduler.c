/* scheduler — leader election by advisory lock and the leader's maintenance. See
 * scheduler.h. The lock lives on a connection of its own (never a pooled one: the pool may
 * close and replace connections, which would drop the lock silently). */
#include "core/sync/scheduler.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/sync/handlers.h"
#include "core/base/log.h"
#include "core/jobs/queue.h"
#include "core/jobs/job.h"
#include "core/sync/syncplan.h"
#include "core/base/thread.h"
#include "core/base/util.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_MS 5000
#define PARTITIONS_EVERY_MS (6 * 3600 * 1000LL)
#define NIGHTLY_HOUR_UTC 2

static const char *const providers[] = {"harvest", "hubspot"};

struct od_scheduler {
    const struct od_config *cfg;
    struct od_pool *pool;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    atomic_bool leader;
};

static bool connected(const struct od_config *cfg, PGconn *c, const char *provider)
{
    const char *tok = strcmp(provider, "harvest") ? cfg->hubspot.token : cfg->harvest.token;
    if (tok && *tok) return true;
    const char *p[1] = {provider};
    PGresult *r = od_db_exec(c, "SELECT 1 FROM credentials WHERE provider = $1 LIMIT 1", 1, p);
    bool yes = r && PQntuples(r) == 1;
    PQclear(r);
    return yes;
}

/* Seconds since the newest job whose unique key starts with prefix (1e12 when none). */
static double since_last(PGconn *c, const char *prefix)
{
    const char *p[1] = {prefix};
    PGresult *r = od_db_exec(c,
                             "SELECT coalesce(extract(epoch FROM now() - max(created_at)), 1e12)"
                             " FROM sync_jobs WHERE left(unique_key, length($1)) = $1",
                             1, p);
    double s = r ? strtod(PQgetvalue(r, 0, 0), NULL) : -1;
    PQclear(r);
    return s;
}

static int periodic(const struct od_config *cfg, PGconn *c, struct od_maint_report *out)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(providers); i++) {
        char prefix[64];
        od_syncplan_key_prefix(providers[i], prefix, sizeof(prefix));
        double age = since_last(c, prefix);
        if (age < 0) return -1;
        if (age < cfg->sync.interval_minutes * 60.0 || !connected(cfg, c, providers[i])) continue;
        struct od_plan_job jobs[16];
        int n = od_syncplan_enqueue(c, providers[i], false, cfg->sync.max_attempts, jobs,
                                    OD_ARRAY_LEN(jobs));
        if (n < 0) return -1;
        for (int k = 0; k < n; k++)
            out->enqueued += jobs[k].created;
        if (n > 0) od_log_info("scheduled the periodic %s sync (%d jobs)", providers[i], n);
    }
    return 0;
}

/* system/evaluate when no evaluation (after a sync or periodic) was queued for a period: rules
 * that depend on the clock (sync_stale, token_expiring) move without any sync. */
static int periodic_evaluate(const struct od_config *cfg, PGconn *c, struct od_maint_report *out)
{
    if (!od_job_handler_find(od_sync_handlers, "system", "evaluate")) return 0;
    double age = since_last(c, OD_SYNCPLAN_EVALUATE_KEY);
    if (age < 0) return -1;
    if (age < cfg->sync.interval_minutes * 60.0) return 0;
    int64_t id;
    struct od_job_spec spec = {.provider = "system",
                               .resource = "evaluate",
                               .args_json = "{\"links\":false}",
                               .unique_key = OD_SYNCPLAN_EVALUATE_KEY "periodic",
                               .priority = 20,
                               .max_attempts = cfg->sync.max_attempts};
    int rc = od_queue_enqueue(c, &spec, &id);
    if (rc < 0) return -1;
    out->enqueued += rc;
    return 0;
}

/* Enqueue provider/resource once per UTC day (unique key carries the date). */
static int nightly_one(const struct od_config *cfg, PGconn *c, const char *provider,
                       const char *resource, struct od_maint_report *out)
{
    if (!od_job_handler_find(od_sync_handlers, provider, resource)) return 0;
    const char *p[2] = {provider, resource};
    PGresult *r = od_db_exec(c,
                             "SELECT 'nightly:' || $1::text || ':' || $2::text || ':'"
                             "  || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'),"
                             " EXISTS (SELECT 1 FROM sync_jobs WHERE unique_key = 'nightly:' ||"
                             "  $1::text || ':' || $2::text || ':'"
                             "  || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'))",
                             2, p);
    if (!r) return -1;
    char key[128];
    snprintf(key, sizeof(key), "%s", PQgetvalue(r, 0, 0));
    bool exists = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    if (exists) return 0;
    int64_t id;
    struct od_job_spec spec = {.provider = provider,
                               .resource = resource,
                               .unique_key = key,
                               .priority = 10,
                               .max_attempts = cfg->sync.max_attempts};
    int rc = od_queue_enqueue(c, &spec, &id);
    if (rc < 0) return -1;
    out->enqueued += rc;
    od_log_info("scheduled nightly %s/%s (job %lld)", provider, resource, (long long)id);
    return 0;
}

static int nightly(const struct od_config *cfg, PGconn *c, bool any_hour,
                   struct od_maint_report *out)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (!any_hour && tm.tm_hour < NIGHTLY_HOUR_UTC) return 0;
    for (size_t i = 0; i < OD_ARRAY_LEN(providers); i++)
        if (connected(cfg, c, providers[i]) &&
            nightly_one(cfg, c, providers[i], "reconcile", out) < 0)
            return -1;
    return nightly_one(cfg, c, "system", "rollup_check", out);
}

static int prune(PGconn *c, struct od_maint_report *out)
{
    PGresult *r = od_db_exec(
        c,
        "WITH d AS (DELETE FROM sync_jobs WHERE (state IN ('completed', 'cancelled')"
        "   AND finished_at < now() - interval '7 days')"
        "   OR (state = 'dead' AND finished_at < now() - interval '30 days') RETURNING 1)"
        " SELECT count(*) FROM d",
        0, NULL);
    if (!r) return -1;
    out->pruned += atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return od_db_cmd(c,
                     "DELETE FROM workers WHERE (stopped_at IS NOT NULL AND stopped_at < now() -"
                     " interval '7 days') OR heartbeat_at < now() - interval '7 days'",
                     0, NULL);
}

int od_scheduler_maintain(const struct od_config *cfg, PGconn *c, unsigned what,
                          struct od_maint_report *out)
{
    memset(out, 0, sizeof(*out));
    if (what & OD_MAINT_RESCUE) {
        int n = od_queue_rescue(c, cfg->sync.rescue_after_s);
        if (n < 0) return -1;
        out->rescued = n;
        if (n > 0) od_log_warn("rescued %d job(s) whose worker stopped heartbeating", n);
    }
    if ((what & OD_MAINT_PERIODIC) &&
        (periodic(cfg, c, out) < 0 || periodic_evaluate(cfg, c, out) < 0))
        return -1;
    if ((what & (OD_MAINT_NIGHTLY | OD_MAINT_NIGHTLY_NOW)) &&
        nightly(cfg, c, what & OD_MAINT_NIGHTLY_NOW, out) < 0)
        return -1;
    if (what & OD_MAINT_PARTITIONS) {
        PGresult *r = od_db_exec(c,
                                 "SELECT opsdeck_ensure_partitions(current_date,"
                                 " (current_date + interval '3 months')::date)",
                                 0, NULL);
        if (!r) return -1;
        out->partitions_checked = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if ((what & OD_MAINT_PRUNE) && prune(c, out) < 0) return -1;
    return 0;
}

/* Wait up to ms; true when asked to stop. */
static bool wait_stop(struct od_scheduler *s, int ms)
{
    struct timespec ts;
    od_deadline_ms(&ts, ms);
    pthread_mutex_lock(&s->lock);
    while (!s->stop)
        if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == ETIMEDOUT) break;
    bool stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

/* Keep c connected and try for the lock; true while we are the leader. */
static bool elect(struct od_scheduler *s, PGconn **c)
{
    if (*c && PQstatus(*c) != CONNECTION_OK) {
        PQfinish(*c);
        *c = NULL;
    }
    if (!*c && !(*c = od_db_connect(s->cfg, "opsdeck-leader"))) {
        od_log_debug("scheduler: %s", od_err());
        return false;
    }
    if (atomic_load(&s->leader)) return true;
    char key[24];
    snprintf(key, sizeof(key), "%lld", OD_LEADER_LOCK);
    const char *p[1] = {key};
    PGresult *r = od_db_exec(*c, "SELECT pg_try_advisory_lock($1::bigint)", 1, p);
    bool got = r && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (got) od_log_info("this process is now the maintenance leader");
    return got;
}

static void *sched_main(void *arg)
{
    struct od_scheduler *s = arg;
    od_log_set_thread("scheduler");
    PGconn *c = NULL;
    int64_t last_partitions = 0;
    do {
        bool leader = elect(s, &c);
        atomic_store(&s->leader, leader);
        if (!leader) continue;
        unsigned what = OD_MAINT_RESCUE | OD_MAINT_PERIODIC | OD_MAINT_NIGHTLY | OD_MAINT_PRUNE;
        if (!last_partitions || od_now_ms() - last_partitions >= PARTITIONS_EVERY_MS)
            what |= OD_MAINT_PARTITIONS;
        struct od_maint_report rep;
        if (od_scheduler_maintain(s->cfg, c, what, &rep) < 0) {
            od_log_warn("scheduler: %s", od_err());
            if (PQstatus(c) != CONNECTION_OK) {
                atomic_store(&s->leader, false); /* the lock went with the connection */
                od_log_warn("scheduler: lost the leader connection");
            }
        } else if (what & OD_MAINT_PARTITIONS) {
            last_partitions = od_now_ms();
        }
    } while (!wait_stop(s, TICK_MS));
    PQfinish(c); /* releases the advisory lock */
    return NULL;
}

struct od_scheduler *od_scheduler_start(const struct od_config *cfg, struct od_pool *pool)
{
    struct od_scheduler *s = od_xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    s->pool = pool;
    atomic_init(&s->leader, false);
    pthread_mutex_init(&s->lock, NULL);
    od_cond_init_monotonic(&s->cond);
    od_thread_start(&s->thread, sched_main, s);
    return s;
}

bool od_scheduler_is_leader(struct od_scheduler *s)
{
    return atomic_load(&s->leader);
}

void od_scheduler_stop(struct od_scheduler *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}
