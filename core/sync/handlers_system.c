/* handlers_system — system/noop, system/sleep, system/fail. See handlers_system.h. */
#include "core/sync/handlers_system.h"
#include "core/config.h"
#include "core/connectors/json.h"
#include "core/db.h"
#include "core/util.h"
#include <stdlib.h>
#include <string.h>

/* Integer member key of the JSON object text, or def. */
static long json_long(const char *text, const char *key, long def)
{
    if (!text) return def;
    struct od_json *doc = od_json_parse(text, strlen(text));
    const char *num = doc ? od_jv_number(od_jv_get(od_json_root(doc), key)) : NULL;
    long v = def;
    if (num && od_parse_long(num, 0, 1000000000L, &v) < 0) v = def;
    od_json_free(doc);
    return v;
}

enum od_job_result od_handler_system_noop(struct od_job_ctx *ctx)
{
    od_job_progress(ctx, 1, 1);
    return OD_JOB_OK;
}

/* {"page":k,"starts":[...]} with this run's start appended. */
static char *checkpoint_json(const char *prev, long start, long page)
{
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "{\"page\":%ld,\"starts\":[", page);
    struct od_json *doc = prev ? od_json_parse(prev, strlen(prev)) : NULL;
    const struct od_jv *starts = doc ? od_jv_get(od_json_root(doc), "starts") : NULL;
    int n = 0;
    for (const struct od_jv *v = od_jv_first(starts); v; v = od_jv_next(v))
        if (od_jv_number(v)) sb_addf(&sb, "%s%s", n++ ? "," : "", od_jv_number(v));
    sb_addf(&sb, "%s%ld]}", n ? "," : "", start);
    od_json_free(doc);
    return sb_detach(&sb);
}

enum od_job_result od_handler_system_sleep(struct od_job_ctx *ctx)
{
    const struct od_job *job = od_job_get(ctx);
    const struct od_job_env *env = od_job_env(ctx);
    const char *prev = od_job_checkpoint_get(ctx);
    long pages = json_long(job->args_json, "pages", 1);
    long ms = json_long(job->args_json, "ms", 100);
    long start = json_long(prev, "page", 0);
    od_job_progress(ctx, start, pages);
    for (long page = start; page < pages; page++) {
        if (od_job_should_stop(ctx)) return OD_JOB_STOPPED;
        od_sleep_ms(ms); /* the "fetch" of one page */
        PGconn *c = od_pool_acquire(env->pool, env->cfg->database.acquire_timeout_ms);
        if (!c) return OD_JOB_RETRY; /* od_err() says why */
        char *cp = checkpoint_json(prev, start, page + 1);
        int rc = od_db_begin(c);
        if (rc == 0) rc = od_job_checkpoint_save(ctx, c, cp);
        if (rc == 0) rc = od_db_commit(c);
        if (rc < 0) od_db_rollback(c);
        free(cp);
        od_pool_release(env->pool, c);
        if (rc < 0) return od_job_should_stop(ctx) ? OD_JOB_STOPPED : OD_JOB_RETRY;
        od_job_progress(ctx, page + 1, pages);
    }
    return OD_JOB_OK;
}

enum od_job_result od_handler_system_fail(struct od_job_ctx *ctx)
{
    const struct od_job *job = od_job_get(ctx);
    struct od_json *doc = od_json_parse(job->args_json, strlen(job->args_json));
    const struct od_jv *root = doc ? od_json_root(doc) : NULL;
    const struct od_jv *perm = od_jv_get(root, "permanent");
    const char *msg = od_jv_string(od_jv_get(root, "message"));
    bool permanent = perm && perm->type == OD_JV_TRUE;
    od_seterr("%s (attempt %d of %d)", msg ? msg : "system/fail always fails", job->attempts,
              job->max_attempts);
    od_json_free(doc);
    return permanent ? OD_JOB_FAIL : OD_JOB_RETRY;
}
