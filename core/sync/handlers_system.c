/* handlers_system — system/noop, sleep, fail, evaluate, rollup_check. See handlers_system.h. */
#include "core/sync/handlers_system.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include "core/domain/exceptions.h"
#include "core/domain/links.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdio.h>
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
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "page", page);
    cJSON *starts = cJSON_AddArrayToObject(o, "starts");
    struct od_json *doc = prev ? od_json_parse(prev, strlen(prev)) : NULL;
    const struct od_jv *old = doc ? od_jv_get(od_json_root(doc), "starts") : NULL;
    for (const struct od_jv *v = od_jv_first(old); v; v = od_jv_next(v))
        if (od_jv_number(v)) cJSON_AddItemToArray(starts, cJSON_CreateRaw(od_jv_number(v)));
    od_json_free(doc);
    char num[24];
    snprintf(num, sizeof num, "%ld", start);
    cJSON_AddItemToArray(starts, cJSON_CreateRaw(num));
    return od_json_print(o);
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

/* Rule evaluation shared by evaluate and rollup_check. OD_JOB_RETRY when a rule failed (the
 * others ran; their changes are kept), so a transient database error is tried again. */
static enum od_job_result evaluate_rules(struct od_job_ctx *ctx)
{
    const struct od_job_env *env = od_job_env(ctx);
    struct od_exceptions_eval ev;
    int rc = od_exceptions_evaluate(env->pool, env->cfg, &ev);
    char sid[24], o[16], ch[16], cl[16], f[16];
    snprintf(sid, sizeof(sid), "%lld", (long long)od_job_get(ctx)->id);
    snprintf(o, sizeof(o), "%d", ev.opened);
    snprintf(ch, sizeof(ch), "%d", ev.changed);
    snprintf(cl, sizeof(cl), "%d", ev.closed);
    snprintf(f, sizeof(f), "%d", ev.failed);
    od_log_kv(OD_LOG_INFO, "exceptions evaluated", "job", sid, "opened", o, "changed", ch, "closed",
              cl, "failed", f, NULL);
    return rc < 0 ? OD_JOB_RETRY : OD_JOB_OK;
}

enum od_job_result od_handler_system_evaluate(struct od_job_ctx *ctx)
{
    const struct od_job *job = od_job_get(ctx);
    const struct od_job_env *env = od_job_env(ctx);
    struct od_json *doc = od_json_parse(job->args_json, strlen(job->args_json));
    const struct od_jv *links = doc ? od_jv_get(od_json_root(doc), "links") : NULL;
    bool do_links = links && links->type == OD_JV_TRUE;
    od_json_free(doc);
    od_job_progress(ctx, 0, do_links ? 2 : 1);
    if (do_links) {
        struct od_links_auto_result res;
        if (od_links_auto(env->pool, &res) < 0) return OD_JOB_RETRY;
        if (res.linked || res.removed)
            od_log_info("automatic links: %d made or changed, %d removed", res.linked, res.removed);
        od_job_progress(ctx, 1, 2);
    }
    if (od_job_should_stop(ctx)) return OD_JOB_STOPPED;
    enum od_job_result r = evaluate_rules(ctx);
    if (r == OD_JOB_OK) od_job_progress(ctx, do_links ? 2 : 1, do_links ? 2 : 1);
    return r;
}

enum od_job_result od_handler_system_rollup_check(struct od_job_ctx *ctx)
{
    const struct od_job_env *env = od_job_env(ctx);
    od_job_progress(ctx, 0, 2);
    PGconn *c = od_pool_acquire(env->pool, env->cfg->database.acquire_timeout_ms);
    if (!c) return OD_JOB_RETRY;
    struct od_rollup_diff diffs[OD_ROLLUP_TABLES];
    memset(diffs, 0, sizeof(diffs));
    int64_t n = od_rollup_rebuild(c, false, diffs);
    od_pool_release(env->pool, c);
    if (n < 0) return OD_JOB_RETRY;
    od_job_progress(ctx, 1, 2);
    struct strbuf msg = STRBUF_INIT;
    for (int i = 0; i < OD_ROLLUP_TABLES; i++) {
        if (!diffs[i].differing) continue;
        sb_addf(&msg, "%s%s: %lld key(s), e.g. %s", msg.len ? "; " : "", diffs[i].table,
                (long long)diffs[i].differing, diffs[i].example);
        od_log_error("rollup check: %s differs from the time entries in %lld key(s), e.g. %s",
                     diffs[i].table, (long long)diffs[i].differing, diffs[i].example);
    }
    /* The reconcile_mismatch rule compares the recent months of the rollups with the raw
     * entries itself: evaluating now opens (or closes) it without waiting for the next pass. */
    enum od_job_result r = evaluate_rules(ctx);
    if (n > 0) {
        od_seterr("rollups differ from the time entries (%s); run `opsdeck rollup rebuild`",
                  sb_str(&msg));
        r = OD_JOB_FAIL;
    } else if (r == OD_JOB_OK) {
        od_job_progress(ctx, 2, 2);
    }
    sb_release(&msg);
    return r;
}
