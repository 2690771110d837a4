/* worker — claim/run/record loop on N threads plus a heartbeat thread. See worker.h.
 *
 * Shared state is under w->lock; w->cond (CLOCK_MONOTONIC) wakes idle threads on stop, on a
 * finished job (its dependants may now be runnable) and on od_workers_wake(). Termination of
 * --once: a thread that claimed nothing leaves only if no job is running, no other thread is
 * between its claim statement and counting the job as busy (claiming), and no job finished
 * since it started claiming (finished_seq), so neither a job another thread has just claimed
 * (its row locked, so SKIP LOCKED hid it from us) nor a job made runnable by a just-finished
 * dependency is left behind. */
#include "core/jobs/worker.h"
#include "core/jobs/jobstats.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/jobs/jobctx.h"
#include "core/base/log.h"
#include "core/jobs/queue.h"
#include "core/base/thread.h"
#include "core/base/util.h"
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct slot {
    struct od_workers *w;
    int index;
    pthread_t thread;
    char holder[176];
    struct od_job_ctx *ctx; /* running job, under w->lock */
};

struct od_workers {
    const struct od_config *cfg;
    struct od_pool *pool;
    struct od_vault *vault;
    struct od_worker_opts opts;
    int64_t *only_ids;
    char *provider;
    char id[128];
    atomic_bool stop;    /* threads: finish the page and leave */
    atomic_bool hb_stop; /* heartbeat: leave (after the sync threads are gone) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int busy;
    int claiming; /* threads inside a claim whose result is not yet counted in busy */
    uint64_t finished_seq;
    uint64_t wake_seq;
    struct od_worker_stats st;
    struct slot *slots;
    int nslots;
    pthread_t hb_thread;
    bool joined;
};

/* Sleep up to ms unless stopped or woken (caller holds w->lock). */
static void wait_locked(struct od_workers *w, int ms, uint64_t wake_seen)
{
    struct timespec ts;
    od_deadline_ms(&ts, ms);
    while (!atomic_load(&w->stop) && !w->done && w->wake_seq == wake_seen)
        if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) == ETIMEDOUT) break;
}

static void set_done(struct od_workers *w)
{
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Record a job's outcome, retrying while the database is unreachable (then rescue takes
 * over). Returns the od_queue_* result. */
static int record(struct slot *s, const struct od_job *job, enum od_job_result r, const char *err,
                  bool lost, const struct od_job_beat *last, int64_t not_before_ms)
{
    struct od_workers *w = s->w;
    if (r == OD_JOB_STOPPED && lost)
        return 0; /* cancelled or rescued: the row already says what happened */
    for (int tries = 0;; tries++) {
        PGconn *c = od_pool_acquire(w->pool, w->cfg->database.acquire_timeout_ms);
        int rc = -1;
        if (c) {
            if (r == OD_JOB_OK) {
                bool alive; /* the final progress first, so the row (and its NOTIFY) has it */
                od_queue_heartbeat(c, last, 1, &alive);
                rc = od_queue_complete(c, s->holder, &job->id, 1);
                if (rc == 0)
                    od_seterr("job %lld is no longer held by this worker", (long long)job->id);
                rc = rc == 1 ? 0 : -1;
            } else if (r == OD_JOB_RETRY || r == OD_JOB_FAIL) {
                int64_t delay = od_queue_backoff_ms(job->attempts, w->opts.backoff_base_ms,
                                                    w->opts.backoff_cap_ms);
                if (delay < not_before_ms) delay = not_before_ms; /* e.g. a daily API limit */
                rc = od_queue_fail(c, s->holder, job->id, err, r == OD_JOB_FAIL, delay);
            } else {
                rc = od_queue_release(c, s->holder, job->id) >= 0 ? 0 : -1;
            }
            bool broken = PQstatus(c) != CONNECTION_OK;
            od_pool_release(w->pool, c);
            if (rc >= 0 || !broken) return rc;
        }
        if (tries >= 5 || (atomic_load(&w->stop) && tries >= 2)) {
            od_log_error("job %lld: outcome not recorded (%s); it will be rescued",
                         (long long)job->id, od_err());
            return -1;
        }
        od_sleep_ms(200LL << tries);
    }
}

static void run_job(struct slot *s, struct od_job *job)
{
    struct od_workers *w = s->w;
    struct od_job_env env = {w->cfg, w->pool, w->vault, s->holder};
    const struct od_job_handler *h =
        od_job_handler_find(w->opts.handlers, job->provider, job->resource);
    char sid[24], satt[16];
    snprintf(sid, sizeof(sid), "%lld", (long long)job->id);
    snprintf(satt, sizeof(satt), "%d", job->attempts);
    od_log_kv(OD_LOG_INFO, "job started", "job", sid, "provider", job->provider, "resource",
              job->resource, "attempt", satt, NULL);
    struct od_job_ctx *ctx = od_jobctx_new(job, &env, &w->stop);
    pthread_mutex_lock(&w->lock);
    s->ctx = ctx;
    pthread_mutex_unlock(&w->lock);

    int64_t t0 = od_now_ms();
    enum od_job_result r;
    char *err = NULL;
    od_seterr("handler failed without a message");
    if (!h) {
        r = OD_JOB_FAIL;
        err = od_xasprintf("no handler for %s/%s in this opsdeck version", job->provider,
                           job->resource);
    } else {
        r = h->run(ctx);
        if (r == OD_JOB_RETRY || r == OD_JOB_FAIL) err = od_xstrdup(od_err());
    }
    od_jobctx_flush(ctx);
    bool lost = od_jobctx_lost(ctx);
    pthread_mutex_lock(&w->lock);
    s->ctx = NULL;
    pthread_mutex_unlock(&w->lock);

    struct od_job_beat last;
    od_jobctx_beat(ctx, &last);
    int rc = record(s, job, r, err, lost, &last, od_jobctx_retry_hint(ctx));
    char ms[24];
    snprintf(ms, sizeof(ms), "%lld", (long long)(od_now_ms() - t0));
    static const char *const names[] = {"completed", "failed (retry)", "failed (permanent)",
                                        "stopped"};
    const char *outcome = rc == 1 ? "dead" : names[r];
    static const char *const metric[] = {"completed", "retry", "dead", "stopped"};
    od_jobstats_record(job->provider, job->resource,
                       rc < 0    ? "unrecorded"
                       : rc == 1 ? "dead"
                                 : metric[r],
                       od_now_ms() - t0);
    if (rc < 0)
        od_log_kv(OD_LOG_WARN, "job outcome not recorded", "job", sid, "outcome", names[r],
                  "reason", od_err(), NULL);
    else if (err)
        od_log_kv(OD_LOG_WARN, "job finished", "job", sid, "outcome", outcome, "ms", ms, "error",
                  err, NULL);
    else
        od_log_kv(OD_LOG_INFO, "job finished", "job", sid, "outcome", outcome, "ms", ms, NULL);
    free(err);
    od_jobctx_free(ctx);
    /* A long job (a sync of many pages) touched memory that its thread's allocator arena keeps
     * mapped, pinned by small long-lived allocations (caches); give the free pages back so an
     * idle worker's RSS falls again instead of staying at its peak. */
    if (od_now_ms() - t0 >= 250) malloc_trim(0);

    pthread_mutex_lock(&w->lock);
    if (r == OD_JOB_OK && rc >= 0)
        w->st.completed++;
    else if (r == OD_JOB_STOPPED)
        w->st.stopped++;
    else if (rc == 1)
        w->st.dead++;
    else if (rc == 0)
        w->st.retried++;
    pthread_mutex_unlock(&w->lock);
}

/* Nothing was claimed: decide whether this pool is finished. Returns true when done. */
static bool idle_check(struct od_workers *w, uint64_t seq_before)
{
    if (w->opts.only_ids) {
        PGconn *c = od_pool_acquire(w->pool, w->cfg->database.acquire_timeout_ms);
        int pending = c ? od_queue_pending(c, w->only_ids, w->opts.n_only) : -1;
        od_pool_release(w->pool, c);
        return pending == 0;
    }
    if (!w->opts.once) return false;
    pthread_mutex_lock(&w->lock);
    bool done = w->busy == 0 && w->claiming == 0 && w->finished_seq == seq_before;
    pthread_mutex_unlock(&w->lock);
    return done;
}

static void *sync_main(void *arg)
{
    struct slot *s = arg;
    struct od_workers *w = s->w;
    char name[32];
    snprintf(name, sizeof(name), "sync-%d", s->index + 1);
    od_log_set_thread(name);
    struct od_claim_filter f = {w->only_ids, w->opts.n_only, w->opts.provider};
    int backoff_ms = w->opts.poll_ms;
    while (!atomic_load(&w->stop) && !od_workers_done(w)) {
        pthread_mutex_lock(&w->lock);
        uint64_t seq = w->finished_seq, wake = w->wake_seq;
        w->claiming++;
        pthread_mutex_unlock(&w->lock);
        struct od_job job;
        int n = -1;
        PGconn *c = od_pool_acquire(w->pool, w->cfg->database.acquire_timeout_ms);
        if (c) {
            n = od_queue_claim(c, s->holder, 1, &f, &job);
            od_pool_release(w->pool, c);
        }
        pthread_mutex_lock(&w->lock);
        w->claiming--; /* and busy++ in the same critical section: never both zero between */
        if (n == 1) {
            w->busy++;
            w->st.claimed++;
        }
        pthread_mutex_unlock(&w->lock);
        if (n == 1) {
            backoff_ms = w->opts.poll_ms;
            run_job(s, &job);
            od_job_clear(&job);
            pthread_mutex_lock(&w->lock);
            w->busy--;
            w->finished_seq++;
            pthread_cond_broadcast(&w->cond); /* dependants may be runnable now */
            pthread_mutex_unlock(&w->lock);
            continue;
        }
        int wait_ms = w->opts.poll_ms;
        if (n < 0) {
            od_log_warn("cannot claim jobs: %s (retrying in %d ms)", od_err(), backoff_ms);
            wait_ms = backoff_ms;
            backoff_ms = backoff_ms < 30000 ? backoff_ms * 2 : 30000;
        } else if (idle_check(w, seq)) {
            set_done(w);
            break;
        }
        pthread_mutex_lock(&w->lock);
        wait_locked(w, wait_ms, wake);
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

static int worker_row(struct od_workers *w, const char *sql)
{
    PGconn *c = od_pool_acquire(w->pool, w->cfg->database.acquire_timeout_ms);
    if (!c) return -1;
    char host[256] = "", pid[16], threads[16];
    gethostname(host, sizeof(host) - 1);
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    snprintf(threads, sizeof(threads), "%d", w->opts.threads);
    const char *p[5] = {w->id, host, pid, threads, OPSDECK_VERSION};
    int rc = od_db_cmd(c, sql, 5, p);
    od_pool_release(w->pool, c);
    return rc;
}

static void beat(struct od_workers *w)
{
    struct od_job_beat beats[64];
    int slot_of[64];
    bool alive[64];
    size_t n = 0;
    pthread_mutex_lock(&w->lock);
    for (int i = 0; i < w->nslots && n < OD_ARRAY_LEN(beats); i++)
        if (w->slots[i].ctx) {
            od_jobctx_beat(w->slots[i].ctx, &beats[n]);
            slot_of[n++] = i;
        }
    pthread_mutex_unlock(&w->lock);
    PGconn *c = od_pool_acquire(w->pool, w->cfg->database.acquire_timeout_ms);
    if (!c) {
        od_log_warn("heartbeat skipped: %s", od_err());
        return;
    }
    int rc = od_queue_heartbeat(c, beats, n, alive);
    const char *p[1] = {w->id};
    if (od_db_cmd(c, "UPDATE workers SET heartbeat_at = now() WHERE id = $1", 1, p) < 0)
        od_log_warn("worker heartbeat failed: %s", od_err());
    od_pool_release(w->pool, c);
    if (rc < 0) {
        od_log_warn("job heartbeat failed: %s", od_err());
        return;
    }
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < n; i++) {
        struct slot *s = &w->slots[slot_of[i]];
        if (!alive[i] && s->ctx && od_job_get(s->ctx)->id == beats[i].id) {
            od_log_warn("job %lld was cancelled or rescued; stopping it at its next page",
                        (long long)beats[i].id);
            od_jobctx_set_lost(s->ctx);
        }
    }
    pthread_mutex_unlock(&w->lock);
}

static void *hb_main(void *arg)
{
    struct od_workers *w = arg;
    od_log_set_thread("heartbeat");
    int period_ms = (w->opts.heartbeat_s > 0 ? w->opts.heartbeat_s : 5) * 1000;
    while (!atomic_load(&w->hb_stop)) {
        pthread_mutex_lock(&w->lock);
        struct timespec ts;
        od_deadline_ms(&ts, period_ms);
        while (!atomic_load(&w->hb_stop))
            if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) == ETIMEDOUT) break;
        pthread_mutex_unlock(&w->lock);
        if (!atomic_load(&w->hb_stop)) beat(w);
    }
    return NULL;
}

struct od_workers *od_workers_start(const struct od_config *cfg, struct od_pool *pool,
                                    struct od_vault *vault, const struct od_worker_opts *opts)
{
    struct od_workers *w = od_xcalloc(1, sizeof(*w));
    w->cfg = cfg;
    w->pool = pool;
    w->vault = vault;
    w->opts = *opts;
    if (w->opts.threads < 1) w->opts.threads = 1;
    if (w->opts.threads > 64) w->opts.threads = 64; /* beat() batches at most 64 jobs */
    if (w->opts.heartbeat_s <= 0) w->opts.heartbeat_s = cfg->sync.heartbeat_s;
    if (w->opts.poll_ms <= 0) w->opts.poll_ms = 1000;
    if (w->opts.backoff_base_ms <= 0) w->opts.backoff_base_ms = 5000;
    if (w->opts.backoff_cap_ms <= 0) w->opts.backoff_cap_ms = 3600 * 1000;
    if (opts->only_ids) {
        w->only_ids = od_xmalloc((opts->n_only ? opts->n_only : 1) * sizeof(int64_t));
        memcpy(w->only_ids, opts->only_ids, opts->n_only * sizeof(int64_t));
        w->opts.only_ids = w->only_ids;
    }
    w->provider = opts->provider ? od_xstrdup(opts->provider) : NULL;
    w->opts.provider = w->provider;
    char host[64] = "";
    gethostname(host, sizeof(host) - 1);
    snprintf(w->id, sizeof(w->id), "%s:%d:%lld", host, (int)getpid(),
             (long long)(od_wall_ms() / 1000));
    pthread_mutex_init(&w->lock, NULL);
    od_cond_init_monotonic(&w->cond);
    if (worker_row(w,
                   "INSERT INTO workers (id, host, pid, threads, version)"
                   " VALUES ($1, $2, $3::int, $4::int, $5)"
                   " ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL") < 0) {
        free(w->only_ids);
        free(w->provider);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w);
        return NULL;
    }
    w->nslots = w->opts.threads;
    w->slots = od_xcalloc((size_t)w->nslots, sizeof(*w->slots));
    /* Signals go to the caller, which turns them into a stop. */
    od_thread_start(&w->hb_thread, hb_main, w);
    for (int i = 0; i < w->nslots; i++) {
        struct slot *s = &w->slots[i];
        s->w = w;
        s->index = i;
        snprintf(s->holder, sizeof(s->holder), "%s/%d", w->id, i + 1);
        od_thread_start(&s->thread, sync_main, s);
    }
    od_log_info("worker %s started with %d thread(s)", w->id, w->nslots);
    return w;
}

void od_workers_stop(struct od_workers *w)
{
    atomic_store(&w->stop, true);
    pthread_mutex_lock(&w->lock);
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

bool od_workers_done(struct od_workers *w)
{
    pthread_mutex_lock(&w->lock);
    bool d = w->done;
    pthread_mutex_unlock(&w->lock);
    return d;
}

void od_workers_wake(struct od_workers *w)
{
    pthread_mutex_lock(&w->lock);
    w->wake_seq++;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

bool od_workers_wait(struct od_workers *w, int timeout_ms)
{
    struct timespec ts;
    od_deadline_ms(&ts, timeout_ms < 0 ? 0 : timeout_ms);
    pthread_mutex_lock(&w->lock);
    while (!w->done && !atomic_load(&w->stop)) {
        if (timeout_ms < 0)
            pthread_cond_wait(&w->cond, &w->lock);
        else if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) == ETIMEDOUT)
            break;
    }
    bool d = w->done;
    pthread_mutex_unlock(&w->lock);
    return d;
}

void od_workers_stats(struct od_workers *w, struct od_worker_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->st;
    out->running = w->busy;
    pthread_mutex_unlock(&w->lock);
}

void od_workers_join(struct od_workers *w)
{
    if (w->joined) return;
    od_workers_stop(w);
    for (int i = 0; i < w->nslots; i++)
        pthread_join(w->slots[i].thread, NULL);
    /* The heartbeat outlives the sync threads so jobs finishing their page stay alive. */
    atomic_store(&w->hb_stop, true);
    pthread_mutex_lock(&w->lock);
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->hb_thread, NULL);
    if (worker_row(w, "UPDATE workers SET stopped_at = now(), heartbeat_at = now(),"
                      "  host = $2, pid = $3::int, threads = $4::int, version = $5"
                      " WHERE id = $1") < 0)
        od_log_warn("could not mark worker %s stopped: %s", w->id, od_err());
    od_log_info("worker %s stopped", w->id);
    w->joined = true;
}

void od_workers_free(struct od_workers *w)
{
    if (!w) return;
    od_workers_join(w);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w->slots);
    free(w->only_ids);
    free(w->provider);
    free(w);
}

int od_workers_connections(int threads)
{
    /* each thread: its handler's connection + a brief one for progress; + heartbeat */
    return 2 * threads + 1;
}

void od_signal_block_stop(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int od_signal_wait(int timeout_ms)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    int sig = sigtimedwait(&set, NULL, &ts);
    return sig > 0 ? sig : 0;
}
