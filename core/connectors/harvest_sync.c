/* harvest_sync — Harvest job handlers. See harvest_sync.h. */
#include "core/connectors/harvest_sync.h"
#include "core/config.h"
#include "core/connectors/fetch.h"
#include "core/connectors/entries.h"
#include "core/connectors/harvest_parse.h"
#include "core/connectors/json.h"
#include "core/connectors/rollup.h"
#include "core/connectors/store.h"
#include "core/db.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One listing of a resource, page after page. */
struct pass {
    const struct od_resource *res;
    char *url;        /* page to fetch next (owned) */
    char max[40];     /* max updated_at stored so far */
    bool incremental; /* save checkpoint + cursor (else: reconcile, collect ids) */
    int64_t done;
    int64_t *seen;
    size_t nseen, capseen;
};

static void pass_release(struct pass *p)
{
    free(p->url);
    free(p->seen);
    memset(p, 0, sizeof *p);
}

static void remember_ids(struct pass *p, const struct od_batch *b)
{
    if (p->nseen + b->nids > p->capseen) {
        p->capseen = (p->nseen + b->nids) * 2;
        p->seen = od_xrealloc(p->seen, p->capseen * sizeof *p->seen);
    }
    memcpy(p->seen + p->nseen, b->ids, b->nids * sizeof *b->ids);
    p->nseen += b->nids;
}

static char *first_url(struct od_fetch *f, const struct od_resource *res, const char *query)
{
    size_t n = strlen(f->base_url);
    while (n && f->base_url[n - 1] == '/')
        n--;
    return od_xasprintf("%.*s%s?per_page=%d%s", (int)n, f->base_url, res->path,
                        f->env->cfg->harvest.per_page > 0 ? f->env->cfg->harvest.per_page : 2000,
                        query ? query : "");
}

static char *checkpoint_json(const char *next, const char *max)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "{\"next\":");
    od_json_quote(&sb, next);
    sb_add(&sb, ",\"max\":");
    od_json_quote(&sb, max);
    sb_addf(&sb, ",\"done\":%s}", next ? "false" : "true");
    return sb_detach(&sb);
}

/* Store one validated page and its checkpoint in one transaction. */
static enum od_job_result store_page(struct od_fetch *f, struct pass *p, struct od_batch *b,
                                     const char *next)
{
    const struct od_resource *res = p->res;
    bool entries = strcmp(res->name, "time_entries") == 0;
    if (entries && b->min_date[0]) {
        PGconn *pc = od_fetch_conn(f);
        int rc = pc ? od_store_ensure_partitions(pc, b->min_date, b->max_date) : -1;
        od_fetch_release(f, pc);
        if (rc < 0) return od_fetch_db_failed(f, NULL);
    }
    PGconn *c = od_fetch_begin(f);
    if (!c) return od_fetch_db_failed(f, NULL);
    struct od_store_result sr;
    int rc =
        entries ? od_entries_store(c, b, f->job->id, &sr) : od_store_batch(c, b, f->job->id, &sr);
    if (rc < 0) return od_fetch_db_failed(f, c);
    if (sr.max_updated[0] && (!p->max[0] || strcmp(sr.max_updated, p->max) > 0))
        snprintf(p->max, sizeof p->max, "%s", sr.max_updated);
    if (p->incremental) {
        if (!next && od_cursor_put(c, "harvest", f->account, res->name, p->max) < 0)
            return od_fetch_db_failed(f, c);
        char *ck = checkpoint_json(next, p->max);
        rc = od_job_checkpoint_save(f->ctx, c, ck);
        free(ck);
        if (rc < 0) return od_fetch_db_failed(f, c);
    }
    return od_fetch_commit(f, c);
}

static enum od_job_result run_pass(struct od_fetch *f, struct pass *p)
{
    struct od_batch b;
    od_batch_init(&b, p->res);
    enum od_job_result r = OD_JOB_OK;
    while (p->url) {
        if (od_job_should_stop(f->ctx)) {
            r = OD_JOB_STOPPED;
            break;
        }
        struct od_http_resp resp = {0};
        struct od_harvest_page pg = {0};
        /* A cut or garbled page is weather too: fetch it again (then leave it to the retry). */
        for (int tries = 0; tries < 3; tries++) {
            r = od_fetch_request(f, p->url, NULL, false, &resp);
            if (r != OD_JOB_OK) break;
            if (od_harvest_page_parse(p->res, resp.body.buf ? resp.body.buf : "", resp.body.len,
                                      &pg) == 0)
                break;
            od_log_warn("harvest %s: %s", p->res->name, od_err());
            r = OD_JOB_RETRY;
        }
        if (r == OD_JOB_OK && pg.next && !od_fetch_same_origin(f, pg.next)) {
            od_seterr("Harvest %s: links.next points to another host; refusing to follow it",
                      p->res->name);
            r = OD_JOB_FAIL;
        }
        if (r == OD_JOB_OK) {
            od_batch_reset(&b);
            od_batch_add_page(&b, pg.doc, pg.records);
            char *next = pg.next ? od_xstrdup(pg.next) : NULL;
            int64_t total = pg.total_entries;
            r = store_page(f, p, &b, next);
            if (r == OD_JOB_OK) {
                if (!p->incremental) remember_ids(p, &b);
                p->done += (int64_t)pg.records->count;
                od_job_progress(f->ctx, p->done, total);
                if (b.ndead)
                    od_log_warn("harvest %s: %zu bad record(s) sent to dead letters", p->res->name,
                                b.ndead);
                free(p->url);
                p->url = next;
            } else {
                free(next);
            }
        }
        od_harvest_page_release(&pg);
        od_http_resp_release(&resp);
        if (r != OD_JOB_OK) break;
    }
    od_batch_release(&b);
    return r;
}

/* Resume from the checkpoint, or start from the cursor (minus overlap) or from scratch. */
static enum od_job_result sync_resource(struct od_job_ctx *ctx, const char *name)
{
    struct od_fetch f;
    enum od_job_result r = od_fetch_open(&f, ctx, "harvest");
    if (r != OD_JOB_OK) {
        od_fetch_close(&f);
        return r;
    }
    struct pass p = {.res = od_harvest_resource(name), .incremental = true};
    const char *ck = od_job_checkpoint_get(ctx);
    struct od_json *doc = ck ? od_json_parse(ck, strlen(ck)) : NULL;
    const struct od_jv *root = doc ? od_json_root(doc) : NULL;
    if (root && od_jv_get(root, "done") && od_jv_get(root, "done")->type == OD_JV_TRUE) {
        od_json_free(doc); /* finished before the runtime could record it */
        od_fetch_close(&f);
        return OD_JOB_OK;
    }
    const char *next = od_jv_string(od_jv_get(root, "next"));
    if (next && od_fetch_same_origin(&f, next)) {
        p.url = od_xstrdup(next);
        const char *max = od_jv_string(od_jv_get(root, "max"));
        snprintf(p.max, sizeof p.max, "%s", max ? max : "");
    }
    od_json_free(doc);
    if (!p.url) {
        char *since = NULL, *query = NULL;
        int64_t ms;
        if (!od_fetch_arg_bool(&f, "full")) {
            PGconn *c = od_fetch_conn(&f);
            int rc = c ? od_cursor_since(c, "harvest", f.account, name, f.env->cfg->sync.overlap_s,
                                         &since, &ms)
                       : -1;
            od_fetch_release(&f, c);
            if (rc < 0) {
                od_fetch_close(&f);
                return OD_JOB_RETRY;
            }
        }
        if (since) query = od_xasprintf("&updated_since=%s", since);
        p.url = first_url(&f, p.res, query);
        free(since);
        free(query);
    }
    r = run_pass(&f, &p);
    pass_release(&p);
    od_fetch_close(&f);
    return r;
}

enum od_job_result od_harvest_clients(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "clients");
}
enum od_job_result od_harvest_projects(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "projects");
}
enum od_job_result od_harvest_users(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "users");
}
enum od_job_result od_harvest_tasks(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "tasks");
}
enum od_job_result od_harvest_time_entries(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "time_entries");
}

/* Re-list one resource (entries: the window) and soft-delete what was not seen. */
static enum od_job_result reconcile_one(struct od_fetch *f, const char *name, const char *since,
                                        const char *from, const char *to)
{
    struct pass p = {.res = od_harvest_resource(name)};
    char *query = from ? od_xasprintf("&from=%s&to=%s", from, to) : NULL;
    p.url = first_url(f, p.res, query);
    free(query);
    enum od_job_result r = run_pass(f, &p);
    if (r == OD_JOB_OK) {
        PGconn *c = od_fetch_begin(f);
        int64_t deleted = 0;
        int rc = -1;
        if (c && from)
            rc = od_rollup_soft_delete(c, from, to, since, p.seen, p.nseen, &deleted);
        else if (c)
            rc = od_store_seen(c, p.seen, p.nseen) < 0
                     ? -1
                     : od_store_soft_delete(c, p.res, since, &deleted);
        r = rc < 0 ? od_fetch_db_failed(f, c) : od_fetch_commit(f, c);
        if (r == OD_JOB_OK && deleted)
            od_log_info("harvest reconcile: %lld %s gone upstream, soft-deleted",
                        (long long)deleted, name);
    }
    pass_release(&p);
    return r;
}

enum od_job_result od_harvest_reconcile(struct od_job_ctx *ctx)
{
    struct od_fetch f;
    enum od_job_result r = od_fetch_open(&f, ctx, "harvest");
    if (r != OD_JOB_OK) {
        od_fetch_close(&f);
        return r;
    }
    char days[16], since[64] = "", from[16] = "", to[16] = "";
    snprintf(days, sizeof days, "%d", f.env->cfg->sync.reconcile_days);
    PGconn *c = od_fetch_conn(&f);
    PGresult *res = c ? od_db_exec(c,
                                   "SELECT now()::text, (current_date - $1::int)::text, "
                                   "(current_date + 31)::text",
                                   1, (const char *const[]){days})
                      : NULL;
    od_fetch_release(&f, c);
    if (!res) {
        od_fetch_close(&f);
        return OD_JOB_RETRY;
    }
    snprintf(since, sizeof since, "%s", PQgetvalue(res, 0, 0));
    snprintf(from, sizeof from, "%s", PQgetvalue(res, 0, 1));
    snprintf(to, sizeof to, "%s", PQgetvalue(res, 0, 2));
    PQclear(res);
    static const char *const lists[] = {"clients", "projects", "users", "tasks"};
    for (size_t i = 0; i < OD_ARRAY_LEN(lists) && r == OD_JOB_OK; i++)
        r = reconcile_one(&f, lists[i], since, NULL, NULL);
    if (r == OD_JOB_OK) r = reconcile_one(&f, "time_entries", since, from, to);
    od_fetch_close(&f);
    return r;
}
