/* jobctx — od_job_ctx: what a handler sees of its running job. See jobctx.h and
 * core/jobs/job.h for the contract. */
#include "core/jobs/jobctx.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct od_job_ctx {
    const struct od_job *job;
    const struct od_job_env *env;
    const atomic_bool *global_stop;
    atomic_bool stop;
    atomic_bool lost;
    pthread_mutex_t lock; /* guards the progress fields below */
    int64_t done, total;
    int64_t started_ms;
    int64_t last_notify_ms;
    bool dirty; /* progress changed since the last NOTIFY */
    _Atomic int64_t retry_hint_ms;
    int64_t wait_until_ms; /* monotonic; 0: not waiting (under lock) */
    char wait_reason[64];
};

struct od_job_ctx *od_jobctx_new(const struct od_job *job, const struct od_job_env *env,
                                 const atomic_bool *stop)
{
    struct od_job_ctx *c = od_xcalloc(1, sizeof(*c));
    c->job = job;
    c->env = env;
    c->global_stop = stop;
    atomic_init(&c->stop, false);
    atomic_init(&c->lost, false);
    atomic_init(&c->retry_hint_ms, 0);
    pthread_mutex_init(&c->lock, NULL);
    c->total = -1;
    c->started_ms = od_now_ms();
    return c;
}

void od_jobctx_free(struct od_job_ctx *c)
{
    if (!c) return;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

bool od_jobctx_lost(struct od_job_ctx *c)
{
    return atomic_load(&c->lost);
}

void od_jobctx_set_lost(struct od_job_ctx *c)
{
    atomic_store(&c->lost, true);
    atomic_store(&c->stop, true);
}

void od_jobctx_beat(struct od_job_ctx *c, struct od_job_beat *out)
{
    pthread_mutex_lock(&c->lock);
    out->id = c->job->id;
    out->holder = c->env->worker_id;
    out->done = c->done;
    out->total = c->total;
    int64_t now = od_now_ms(), ms = now - c->started_ms;
    out->rate = ms > 0 ? (double)c->done * 1000.0 / (double)ms : 0.0;
    out->wait_ms = c->wait_until_ms > now ? c->wait_until_ms - now : 0;
    snprintf(out->wait_reason, sizeof out->wait_reason, "%s", out->wait_ms ? c->wait_reason : "");
    pthread_mutex_unlock(&c->lock);
}

void od_jobctx_payload(char *buf, size_t n, int64_t id, const char *state, int64_t done,
                       int64_t total)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", id);
    cJSON_AddStringToObject(o, "state", state);
    od_json_add_i64(o, "done", done);
    if (total < 0)
        cJSON_AddNullToObject(o, "total");
    else
        od_json_add_i64(o, "total", total);
    char *s = od_json_print(o);
    snprintf(buf, n, "%s", s);
    free(s);
}

static void notify(struct od_job_ctx *c, int64_t done, int64_t total)
{
    char payload[160];
    od_jobctx_payload(payload, sizeof(payload), c->job->id, "running", done, total);
    /* Progress is best effort: never make a handler wait for a connection to report it. */
    PGconn *conn = od_pool_acquire(c->env->pool, 50);
    if (!conn) {
        od_log_debug("job %lld: progress not sent: %s", (long long)c->job->id, od_err());
        return;
    }
    const char *p[1] = {payload};
    if (od_db_cmd(conn, "SELECT pg_notify('opsdeck_jobs', $1)", 1, p) < 0)
        od_log_debug("job %lld: progress not sent: %s", (long long)c->job->id, od_err());
    od_pool_release(c->env->pool, conn);
}

/* Decide under the lock, send outside it. */
static void maybe_notify(struct od_job_ctx *c, bool force)
{
    int64_t now = od_now_ms(), done = 0, total = 0;
    bool send = false;
    pthread_mutex_lock(&c->lock);
    if (c->dirty && (force || now - c->last_notify_ms >= OD_JOBCTX_NOTIFY_MS)) {
        c->dirty = false;
        c->last_notify_ms = now;
        done = c->done;
        total = c->total;
        send = true;
    }
    pthread_mutex_unlock(&c->lock);
    if (send) notify(c, done, total);
}

void od_jobctx_flush(struct od_job_ctx *c)
{
    maybe_notify(c, true);
}

/* --- job.h ------------------------------------------------------------------------------ */

const struct od_job *od_job_get(struct od_job_ctx *c)
{
    return c->job;
}

const struct od_job_env *od_job_env(struct od_job_ctx *c)
{
    return c->env;
}

const char *od_job_checkpoint_get(struct od_job_ctx *c)
{
    return c->job->checkpoint_json;
}

int od_job_checkpoint_save(struct od_job_ctx *c, PGconn *conn, const char *checkpoint_json)
{
    /* Refreshing heartbeat_at here keeps a job whose row is locked by this (possibly long)
     * page transaction from looking dead: the heartbeat thread skips locked rows. */
    static const char sql[] = "UPDATE sync_jobs SET checkpoint = $2::jsonb, heartbeat_at = now(),"
                              "  updated_at = now()"
                              " WHERE id = $1 AND locked_by = $3 AND state = 'running'";
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)c->job->id);
    const char *p[3] = {sid, checkpoint_json, c->env->worker_id};
    PGresult *r = od_db_exec(conn, sql, 3, p);
    if (!r) return -1;
    int n = atoi(PQcmdTuples(r));
    PQclear(r);
    if (n != 1) {
        od_jobctx_set_lost(c);
        return od_seterr("job %lld is no longer held by this worker (cancelled or rescued); "
                         "roll back this page and return OD_JOB_STOPPED",
                         (long long)c->job->id);
    }
    return 0;
}

void od_job_progress(struct od_job_ctx *c, int64_t done, int64_t total)
{
    pthread_mutex_lock(&c->lock);
    c->done = done;
    c->total = total < done ? -1 : total; /* a total already passed is not one: unknown */
    c->dirty = true;
    pthread_mutex_unlock(&c->lock);
    maybe_notify(c, false);
}

void od_job_waiting(struct od_job_ctx *c, int64_t wait_ms, const char *why)
{
    /* The row lock may be held by this job's own page transaction (another thread of the
     * handler): SKIP LOCKED, and the next heartbeat writes what is skipped here. */
    static const char sql[] =
        "UPDATE sync_jobs SET wait_until = CASE WHEN $2::bigint > 0"
        "   THEN now() + $2::bigint * interval '1 ms' END, wait_reason = $3"
        " WHERE id = (SELECT id FROM sync_jobs WHERE id = $1 AND locked_by = $4"
        "   AND state = 'running' FOR UPDATE SKIP LOCKED)";
    if (wait_ms < 0) wait_ms = 0;
    pthread_mutex_lock(&c->lock);
    c->wait_until_ms = wait_ms ? od_now_ms() + wait_ms : 0;
    snprintf(c->wait_reason, sizeof c->wait_reason, "%s", wait_ms && why ? why : "");
    c->dirty = true; /* the NOTIFY below makes live views read the row again */
    pthread_mutex_unlock(&c->lock);
    char sid[24], sms[24];
    snprintf(sid, sizeof sid, "%lld", (long long)c->job->id);
    snprintf(sms, sizeof sms, "%lld", (long long)wait_ms);
    PGconn *conn = od_pool_acquire(c->env->pool, 50);
    if (!conn) return; /* the heartbeat will write it */
    const char *p[4] = {sid, sms, wait_ms && why ? why : NULL, c->env->worker_id};
    if (od_db_cmd(conn, sql, 4, p) < 0)
        od_log_debug("job %lld: wait not recorded: %s", (long long)c->job->id, od_err());
    od_pool_release(c->env->pool, conn);
    maybe_notify(c, true);
}

void od_job_retry_not_before(struct od_job_ctx *c, int64_t delay_ms)
{
    if (delay_ms > OD_JOB_RETRY_HINT_MAX_MS) delay_ms = OD_JOB_RETRY_HINT_MAX_MS;
    atomic_store(&c->retry_hint_ms, delay_ms > 0 ? delay_ms : 0);
}

int64_t od_jobctx_retry_hint(struct od_job_ctx *c)
{
    return atomic_load(&c->retry_hint_ms);
}

bool od_job_should_stop(struct od_job_ctx *c)
{
    return atomic_load(&c->stop) || (c->global_stop && atomic_load(c->global_stop));
}

const struct od_job_handler *od_job_handler_find(const struct od_job_handler *table,
                                                 const char *provider, const char *resource)
{
    for (const struct od_job_handler *h = table; h && h->provider; h++)
        if (strcmp(h->provider, provider) == 0 && strcmp(h->resource, resource) == 0) return h;
    return NULL;
}
