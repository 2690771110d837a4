/* queue — the Postgres job queue. See queue.h for the states and the calling pattern.
 *
 * Claiming is River/Oban style: a CTE selects runnable ids ORDER BY priority DESC, run_at, id
 * LIMIT n FOR UPDATE SKIP LOCKED and the UPDATE marks them running in the same statement, so
 * concurrent claimers never wait for each other nor get the same job. Unique keys rely on the
 * partial unique index sync_jobs_unique_pending; NOTIFY on state changes is a trigger
 * (sql/0002_queue.sql). Every statement is parameterised. */
#include "core/jobs/queue.h"
#include "core/db/db.h"
#include "core/base/util.h"
#include <stdlib.h>
#include <string.h>

#define PENDING "('available', 'running', 'retryable')"
#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static int64_t get_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool od_queue_state_valid(const char *s)
{
    static const char *const states[] = {"available", "running", "retryable",
                                         "completed", "dead",    "cancelled"};
    for (size_t i = 0; s && i < OD_ARRAY_LEN(states); i++)
        if (strcmp(s, states[i]) == 0) return true;
    return false;
}

int od_queue_enqueue(PGconn *c, const struct od_job_spec *s, int64_t *id)
{
    static const char sql[] =
        "WITH ins AS ("
        " INSERT INTO sync_jobs (provider, resource, args, unique_key, priority, max_attempts,"
        "                        run_at, after_ids)"
        " VALUES ($1, $2, $3::jsonb, $4, $5::int, coalesce($6::int, 8),"
        "         now() + $7::bigint * interval '1 millisecond', $8::bigint[])"
        " ON CONFLICT (unique_key) WHERE state IN " PENDING " DO NOTHING"
        " RETURNING id)"
        " SELECT id, 1 FROM ins"
        " UNION ALL"
        " SELECT id, 0 FROM sync_jobs WHERE unique_key = $4 AND state IN " PENDING
        "   AND NOT EXISTS (SELECT 1 FROM ins)";
    char prio[16], maxa[16], delay[24];
    snprintf(prio, sizeof(prio), "%d", s->priority);
    snprintf(maxa, sizeof(maxa), "%d", s->max_attempts);
    snprintf(delay, sizeof(delay), "%lld", (long long)(s->delay_ms > 0 ? s->delay_ms : 0));
    char *after = od_db_bigint_array(s->after, s->n_after);
    const char *p[8] = {s->provider,   s->resource, s->args_json ? s->args_json : "{}",
                        s->unique_key, prio,        s->max_attempts > 0 ? maxa : NULL,
                        delay,         after};
    int rc = -1, dberr = 0;
    /* The pending twin may finish between our INSERT and our SELECT (both see the statement's
     * snapshot): then neither returns a row and a second try inserts. */
    for (int tries = 0; tries < 5 && rc < 0; tries++) {
        PGresult *r = od_db_exec(c, sql, 8, p);
        if (!r) {
            dberr = 1;
            break;
        }
        if (PQntuples(r) == 1) {
            *id = get_i64(r, 0, 0);
            rc = (int)get_i64(r, 0, 1);
        }
        PQclear(r);
    }
    if (rc < 0 && !dberr)
        od_seterr("could not enqueue %s/%s: the unique key kept changing state", s->provider,
                  s->resource);
    free(after);
    return rc;
}

static int cmp_claimed(const void *a, const void *b)
{
    const struct od_job *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

int od_queue_claim(PGconn *c, const char *worker_id, int max, const struct od_claim_filter *f,
                   struct od_job *jobs)
{
    static const char sql[] =
        "WITH c AS ("
        " SELECT id FROM sync_jobs j"
        " WHERE state IN ('available', 'retryable') AND run_at <= now()"
        "   AND ($3::bigint[] IS NULL OR id = ANY ($3::bigint[]))"
        "   AND ($4::text IS NULL OR provider = $4)"
        "   AND (cardinality(after_ids) = 0 OR NOT EXISTS ("
        "        SELECT 1 FROM sync_jobs d WHERE d.id = ANY (j.after_ids)"
        "          AND d.state IN " PENDING "))"
        " ORDER BY priority DESC, run_at, id"
        " LIMIT $2::int FOR UPDATE SKIP LOCKED)"
        " UPDATE sync_jobs j SET state = 'running', attempts = j.attempts + 1, locked_by = $1,"
        "   locked_at = now(), heartbeat_at = now(), started_at = coalesce(j.started_at, now()),"
        "   updated_at = now()"
        " FROM c WHERE j.id = c.id"
        " RETURNING j.id, j.provider, j.resource, j.args::text, j.checkpoint::text, j.attempts,"
        "   j.max_attempts, j.priority";
    char smax[16];
    snprintf(smax, sizeof(smax), "%d", max);
    char *ids = f && f->ids ? od_db_bigint_array(f->ids, f->n_ids) : NULL;
    const char *p[4] = {worker_id, smax, ids, f ? f->provider : NULL};
    PGresult *r = od_db_exec(c, sql, 4, p);
    free(ids);
    if (!r) return -1;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        struct od_job *j = &jobs[i];
        memset(j, 0, sizeof(*j));
        j->id = get_i64(r, i, 0);
        snprintf(j->provider, sizeof(j->provider), "%s", PQgetvalue(r, i, 1));
        snprintf(j->resource, sizeof(j->resource), "%s", PQgetvalue(r, i, 2));
        j->args_json = od_xstrdup(PQgetvalue(r, i, 3));
        j->checkpoint_json = od_db_text(r, i, 4);
        j->attempts = (int)get_i64(r, i, 5);
        j->max_attempts = (int)get_i64(r, i, 6);
    }
    PQclear(r);
    /* RETURNING order is unspecified; by id keeps the enqueue order within one claim. */
    qsort(jobs, (size_t)n, sizeof(*jobs), cmp_claimed);
    return n;
}

void od_job_clear(struct od_job *job)
{
    free(job->args_json);
    free(job->checkpoint_json);
    job->args_json = job->checkpoint_json = NULL;
}

int od_queue_complete(PGconn *c, const char *worker_id, const int64_t *ids, size_t n)
{
    static const char sql[] =
        "UPDATE sync_jobs SET state = 'completed', finished_at = now(), updated_at = now(),"
        "  heartbeat_at = NULL,"
        "  progress_done = greatest(progress_done, coalesce(progress_total, progress_done))"
        " WHERE id = ANY ($2::bigint[]) AND locked_by = $1 AND state = 'running'";
    if (n == 0) return 0;
    char *lit = od_db_bigint_array(ids, n);
    const char *p[2] = {worker_id, lit};
    PGresult *r = od_db_exec(c, sql, 2, p);
    free(lit);
    if (!r) return -1;
    int done = atoi(PQcmdTuples(r));
    PQclear(r);
    return done;
}

static int lost(int64_t id)
{
    return od_seterr("job %lld is no longer held by this worker (cancelled or rescued)",
                     (long long)id);
}

int od_queue_fail(PGconn *c, const char *worker_id, int64_t id, const char *error, bool permanent,
                  int64_t delay_ms)
{
    static const char sql[] =
        "UPDATE sync_jobs SET"
        "  state = CASE WHEN $4::bool OR attempts >= max_attempts THEN 'dead' ELSE 'retryable' END,"
        "  run_at = CASE WHEN $4::bool OR attempts >= max_attempts THEN run_at"
        "           ELSE now() + $5::bigint * interval '1 millisecond' END,"
        "  finished_at = CASE WHEN $4::bool OR attempts >= max_attempts THEN now() END,"
        "  errors = errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt',"
        "           attempts, 'error', $3::text, 'worker', $2::text)),"
        "  last_error = $3, heartbeat_at = NULL, updated_at = now()"
        " WHERE id = $1 AND locked_by = $2 AND state = 'running'"
        " RETURNING state";
    char sid[24], sdelay[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    snprintf(sdelay, sizeof(sdelay), "%lld", (long long)(delay_ms > 0 ? delay_ms : 0));
    /* errors is kept for people: bound each message. */
    const char *e = error && *error ? error : "unknown error";
    char *msg = od_xstrndup(e, strnlen(e, 2000)); /* od_xstrndup copies exactly n bytes */
    const char *p[5] = {sid, worker_id, msg, permanent ? "true" : "false", sdelay};
    PGresult *r = od_db_exec(c, sql, 5, p);
    free(msg);
    if (!r) return -1;
    int rc = PQntuples(r) == 1 ? strcmp(PQgetvalue(r, 0, 0), "dead") == 0 : lost(id);
    PQclear(r);
    return rc;
}

int od_queue_release(PGconn *c, const char *worker_id, int64_t id)
{
    static const char sql[] =
        "UPDATE sync_jobs SET state = 'available', attempts = greatest(attempts - 1, 0),"
        "  run_at = now(), heartbeat_at = NULL, updated_at = now()"
        " WHERE id = $1 AND locked_by = $2 AND state = 'running'";
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    const char *p[2] = {sid, worker_id};
    PGresult *r = od_db_exec(c, sql, 2, p);
    if (!r) return -1;
    int rc = atoi(PQcmdTuples(r)) == 1;
    PQclear(r);
    return rc;
}

int64_t od_queue_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms)
{
    if (attempt < 1) attempt = 1;
    int64_t d = base_ms;
    for (int i = 1; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms) d = cap_ms;
    /* +/-20 % so workers that failed together do not retry together. */
    int64_t span = d / 5;
    if (span > 0) d += (int64_t)arc4random_uniform((uint32_t)(2 * span + 1)) - span;
    return d;
}

/* Append s to an array literal as a quoted element. */
static void add_elem(struct strbuf *sb, const char *s)
{
    sb_addch(sb, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') sb_addch(sb, '\\');
        sb_addch(sb, *s);
    }
    sb_addch(sb, '"');
}

int od_queue_heartbeat(PGconn *c, const struct od_job_beat *b, size_t n, bool *alive)
{
    /* Rows locked by a handler's open page transaction (od_job_checkpoint_save updates the
     * job row) are skipped rather than waited for: that save refreshes heartbeat_at itself.
     * Liveness is read from the committed row, so a locked job still counts as held. The
     * UPDATE in u runs whether or not the outer query reads it (data-modifying CTE). */
    static const char sql[] =
        "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[],"
        "                                $5::numeric[]) AS v(id, holder, done, total, rate)),"
        " l AS (SELECT j.id FROM sync_jobs j JOIN v ON j.id = v.id"
        "       WHERE j.locked_by = v.holder AND j.state = 'running'"
        "       FOR UPDATE OF j SKIP LOCKED),"
        " u AS (UPDATE sync_jobs j SET heartbeat_at = now(), progress_done = v.done,"
        "         progress_total = nullif(v.total, -1), rate_per_s = v.rate, updated_at = now()"
        "       FROM v JOIN l ON l.id = v.id WHERE j.id = l.id RETURNING j.id)"
        " SELECT v.id FROM v JOIN sync_jobs j ON j.id = v.id"
        " WHERE j.locked_by = v.holder AND j.state = 'running'";
    if (n == 0) return 0;
    struct strbuf ids = STRBUF_INIT, holders = STRBUF_INIT, done = STRBUF_INIT, total = STRBUF_INIT,
                  rate = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const char *sep = i ? "," : "{";
        sb_addf(&ids, "%s%lld", sep, (long long)b[i].id);
        sb_add(&holders, sep);
        add_elem(&holders, b[i].holder);
        sb_addf(&done, "%s%lld", sep, (long long)b[i].done);
        sb_addf(&total, "%s%lld", sep, (long long)b[i].total);
        sb_addf(&rate, "%s%.2f", sep, b[i].rate >= 0 && b[i].rate < 1e9 ? b[i].rate : 0.0);
        alive[i] = false;
    }
    struct strbuf *all[] = {&ids, &holders, &done, &total, &rate};
    for (size_t k = 0; k < OD_ARRAY_LEN(all); k++)
        sb_addch(all[k], '}');
    const char *p[5] = {sb_str(&ids), sb_str(&holders), sb_str(&done), sb_str(&total),
                        sb_str(&rate)};
    PGresult *r = od_db_exec(c, sql, 5, p);
    for (size_t k = 0; k < OD_ARRAY_LEN(all); k++)
        sb_release(all[k]);
    if (!r) return -1;
    int nalive = 0;
    for (int row = 0; row < PQntuples(r); row++) {
        int64_t id = get_i64(r, row, 0);
        for (size_t i = 0; i < n; i++)
            if (b[i].id == id && !alive[i]) {
                alive[i] = true;
                nalive++;
            }
    }
    PQclear(r);
    return nalive;
}

int od_queue_rescue(PGconn *c, int rescue_after_s)
{
    static const char sql[] =
        "WITH r AS (SELECT id FROM sync_jobs WHERE state = 'running'"
        "   AND heartbeat_at < now() - $1::int * interval '1 second' FOR UPDATE SKIP LOCKED),"
        " m AS (SELECT j.id, 'rescued: worker ' || coalesce(j.locked_by, '?')"
        "   || ' stopped heartbeating' AS msg FROM sync_jobs j JOIN r USING (id))"
        " UPDATE sync_jobs j SET"
        "  state = CASE WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE 'available' END,"
        "  finished_at = CASE WHEN j.attempts >= j.max_attempts THEN now() END,"
        "  run_at = now(), heartbeat_at = NULL, updated_at = now(), last_error = m.msg,"
        "  errors = j.errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt',"
        "           j.attempts, 'error', m.msg, 'worker', j.locked_by))"
        " FROM m WHERE j.id = m.id RETURNING j.id";
    char s[16];
    snprintf(s, sizeof(s), "%d", rescue_after_s);
    const char *p[1] = {s};
    PGresult *r = od_db_exec(c, sql, 1, p);
    if (!r) return -1;
    int n = PQntuples(r);
    PQclear(r);
    return n;
}

/* 0 when job id exists, -1 (with od_err) when it does not or on error. */
static int job_exists(PGconn *c, int64_t id, const char *sid)
{
    const char *p[1] = {sid};
    PGresult *r = od_db_exec(c, "SELECT state FROM sync_jobs WHERE id = $1", 1, p);
    if (!r) return -1;
    int n = PQntuples(r);
    PQclear(r);
    return n == 1 ? 0 : od_seterr("no job %lld", (long long)id);
}

int od_queue_cancel(PGconn *c, int64_t id)
{
    static const char sql[] = "UPDATE sync_jobs SET state = 'cancelled', finished_at = now(),"
                              "  updated_at = now()"
                              " WHERE id = $1 AND state IN " PENDING;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    const char *p[1] = {sid};
    PGresult *r = od_db_exec(c, sql, 1, p);
    if (!r) return -1;
    int n = atoi(PQcmdTuples(r));
    PQclear(r);
    return n == 1 ? 1 : job_exists(c, id, sid);
}

int od_queue_retry(PGconn *c, int64_t id)
{
    static const char sql[] =
        "UPDATE sync_jobs SET state = 'available', run_at = now(), finished_at = NULL,"
        "  max_attempts = greatest(max_attempts, attempts + 1), updated_at = now()"
        " WHERE id = $1 AND state IN ('dead', 'cancelled', 'retryable')";
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    const char *p[1] = {sid};
    PGresult *r = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
    const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (code && strcmp(code, "23505") == 0) {
        PQclear(r);
        return od_seterr("job %lld cannot be retried: an equal job (same unique key) is already "
                         "pending; see `opsdeck jobs`",
                         (long long)id);
    }
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        od_seterr("database error: %s", r ? PQresultErrorMessage(r) : PQerrorMessage(c));
        PQclear(r);
        return -1;
    }
    int n = atoi(PQcmdTuples(r));
    PQclear(r);
    return n == 1 ? 1 : job_exists(c, id, sid);
}

int od_queue_list(PGconn *c, const char *state, const int64_t *ids, size_t n_ids, int limit,
                  struct od_job_row **rows, size_t *n)
{
    static const char sql[] =
        "SELECT id, provider, resource, state, unique_key, locked_by, last_error, errors::text,"
        "  args::text, " ISO("run_at") ", " ISO("created_at") ", " ISO("updated_at") ", " ISO(
            "finished_at") ", priority, attempts, max_attempts, progress_done,"
                           "  coalesce(progress_total, -1), coalesce(rate_per_s, 0)"
                           " FROM sync_jobs WHERE ($1::text IS NULL OR state = $1)"
                           "   AND ($2::bigint[] IS NULL OR id = ANY ($2::bigint[]))"
                           " ORDER BY id DESC LIMIT $3::int";
    char slimit[16];
    snprintf(slimit, sizeof(slimit), "%d", limit > 0 ? limit : 100);
    char *lit = ids ? od_db_bigint_array(ids, n_ids) : NULL;
    const char *p[3] = {state, lit, slimit};
    PGresult *r = od_db_exec(c, sql, 3, p);
    free(lit);
    if (!r) return -1;
    *n = (size_t)PQntuples(r);
    *rows = od_xcalloc(*n ? *n : 1, sizeof(**rows));
    for (int i = 0; i < (int)*n; i++) {
        struct od_job_row *o = &(*rows)[i];
        o->id = get_i64(r, i, 0);
        o->provider = od_db_text(r, i, 1);
        o->resource = od_db_text(r, i, 2);
        o->state = od_db_text(r, i, 3);
        o->unique_key = od_db_text(r, i, 4);
        o->locked_by = od_db_text(r, i, 5);
        o->last_error = od_db_text(r, i, 6);
        o->errors_json = od_db_text(r, i, 7);
        o->args_json = od_db_text(r, i, 8);
        o->run_at = od_db_text(r, i, 9);
        o->created_at = od_db_text(r, i, 10);
        o->updated_at = od_db_text(r, i, 11);
        o->finished_at = od_db_text(r, i, 12);
        o->priority = (int)get_i64(r, i, 13);
        o->attempts = (int)get_i64(r, i, 14);
        o->max_attempts = (int)get_i64(r, i, 15);
        o->progress_done = get_i64(r, i, 16);
        o->progress_total = get_i64(r, i, 17);
        o->rate_per_s = strtod(PQgetvalue(r, i, 18), NULL);
    }
    PQclear(r);
    return 0;
}

void od_queue_rows_free(struct od_job_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        struct od_job_row *o = &rows[i];
        char *strs[] = {o->provider,  o->resource,   o->state,       o->unique_key,
                        o->locked_by, o->last_error, o->errors_json, o->args_json,
                        o->run_at,    o->created_at, o->updated_at,  o->finished_at};
        for (size_t k = 0; k < OD_ARRAY_LEN(strs); k++)
            free(strs[k]);
    }
    free(rows);
}

int od_queue_counts(PGconn *c, struct od_queue_counts *out)
{
    static const char sql[] =
        "SELECT count(*) FILTER (WHERE state = 'available'),"
        "  count(*) FILTER (WHERE state = 'running'), count(*) FILTER (WHERE state = 'retryable'),"
        "  count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE state = 'dead'),"
        "  count(*) FILTER (WHERE state = 'cancelled'),"
        "  coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE state IN"
        "    ('available', 'retryable') AND run_at <= now())), 0)"
        " FROM sync_jobs";
    PGresult *r = od_db_exec(c, sql, 0, NULL);
    if (!r) return -1;
    out->available = get_i64(r, 0, 0);
    out->running = get_i64(r, 0, 1);
    out->retryable = get_i64(r, 0, 2);
    out->completed = get_i64(r, 0, 3);
    out->dead = get_i64(r, 0, 4);
    out->cancelled = get_i64(r, 0, 5);
    out->oldest_available_s = strtod(PQgetvalue(r, 0, 6), NULL);
    PQclear(r);
    return 0;
}

int od_queue_pending(PGconn *c, const int64_t *ids, size_t n)
{
    char *lit = od_db_bigint_array(ids, n);
    const char *p[1] = {lit};
    PGresult *r = od_db_exec(c,
                             "SELECT count(*) FROM sync_jobs"
                             " WHERE id = ANY ($1::bigint[]) AND state IN " PENDING,
                             1, p);
    free(lit);
    if (!r) return -1;
    int n_pending = (int)get_i64(r, 0, 0);
    PQclear(r);
    return n_pending;
}
