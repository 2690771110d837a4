/* harvest_sync — Harvest job handlers. See harvest_sync.h. */
#include "core/connectors/harvest_sync.h"
#include "core/config.h"
#include "core/connectors/fetch.h"
#include "core/connectors/entries.h"
#include "core/connectors/harvest_parse.h"
#include "core/connectors/json.h"
#include "core/connectors/prefetch.h"
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
    struct od_job_ctx *ctx;
    char *url;        /* page to fetch next (owned) */
    char max[40];     /* max updated_at stored so far */
    bool incremental; /* save checkpoint + cursor (else: reconcile, collect ids) */
    int64_t done;
    int64_t *seen;
    size_t nseen, capseen;
    char parts_lo[16], parts_hi[16]; /* partitions ensured during this pass cover this range */
    struct {                         /* where the time went, microseconds */
        int64_t pages, http, parse, wait, partitions, store, lookup, write, rollup, commit;
    } us;
};

static void pass_release(struct pass *p)
{
    free(p->url);
    free(p->seen);
    memset(p, 0, sizeof *p);
}

static void remember_ids(struct pass *p, const struct od_batch *b)
{
    if (!b->nids) return; /* b->ids may be NULL: memcpy with NULL is undefined even for 0 bytes */
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

/* Partitions for the page's months, unless this pass already ensured them. */
static int ensure_partitions(struct od_fetch *f, struct pass *p, const struct od_batch *b)
{
    if (!b->min_date[0]) return 0;
    if (p->parts_lo[0] && strcmp(b->min_date, p->parts_lo) >= 0 &&
        strcmp(b->max_date, p->parts_hi) <= 0)
        return 0;
    char lo[16], hi[16]; /* ensure the union, so the covered range stays contiguous */
    snprintf(lo, sizeof lo, "%s",
             p->parts_lo[0] && strcmp(p->parts_lo, b->min_date) < 0 ? p->parts_lo : b->min_date);
    snprintf(hi, sizeof hi, "%s",
             p->parts_hi[0] && strcmp(p->parts_hi, b->max_date) > 0 ? p->parts_hi : b->max_date);
    PGconn *pc = od_fetch_conn(f);
    int rc = pc ? od_store_ensure_partitions(pc, lo, hi) : -1;
    od_fetch_release(f, pc);
    if (rc == 0) {
        memcpy(p->parts_lo, lo, sizeof lo);
        memcpy(p->parts_hi, hi, sizeof hi);
    }
    return rc;
}

/* Store one validated page and its checkpoint in one transaction. */
static enum od_job_result store_page(struct od_fetch *f, struct pass *p, struct od_batch *b,
                                     const char *next)
{
    const struct od_resource *res = p->res;
    bool entries = strcmp(res->name, "time_entries") == 0;
    int64_t t0 = od_now_us();
    if (entries && ensure_partitions(f, p, b) < 0) return od_fetch_db_failed(f, NULL);
    int64_t t1 = od_now_us();
    PGconn *c = od_fetch_begin(f);
    if (!c) return od_fetch_db_failed(f, NULL);
    /* No WAL flush wait at commit: the checkpoint (and cursor) commit in this same transaction,
     * so a commit lost to a server crash loses its checkpoint with it and the job resumes from
     * the previous one, fetching those pages again; WAL is replayed in order, so a later
     * commit never survives an earlier lost one. Nothing is lost, only re-fetched. */
    if (p->incremental && od_db_cmd(c, "SET LOCAL synchronous_commit = off", 0, NULL) < 0)
        return od_fetch_db_failed(f, c);
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
    int64_t t2 = od_now_us();
    enum od_job_result r = od_fetch_commit(f, c);
    int64_t t3 = od_now_us();
    p->us.partitions += t1 - t0;
    p->us.store += t2 - t1;
    p->us.lookup += sr.lookup_us;
    p->us.write += sr.write_us;
    p->us.rollup += sr.rollup_us;
    p->us.commit += t3 - t2;
    return r;
}

static void log_timings(const struct pass *p, int64_t total_us)
{
#define MS(x) (long long)((x) / 1000)
    od_log_info("harvest %s: %lld records, %lld pages in %lld ms; fetch thread: http %lld ms, "
                "parse+validate %lld ms; store thread: waiting for pages %lld ms, partitions "
                "%lld ms, store %lld ms (lookup %lld, write %lld, rollups %lld), commit %lld ms",
                p->res->name, (long long)p->done, (long long)p->us.pages, MS(total_us),
                MS(p->us.http), MS(p->us.parse), MS(p->us.wait), MS(p->us.partitions),
                MS(p->us.store), MS(p->us.lookup), MS(p->us.write), MS(p->us.rollup),
                MS(p->us.commit));
#undef MS
}

/* Pages per transaction: consecutive pages share rollup keys (same months, projects), so
 * storing a few together writes far fewer rollup rows; the checkpoint still commits with
 * exactly the rows it covers. Bounded in records too, to keep transactions short. */
#define PAGES_PER_TX 2
#define RECORDS_PER_TX 10000

/* Take the next page, then append to it the pages that follow (up to the bounds above).
 * A failed page after good ones is kept in *failed for after the good ones are stored. */
static struct od_page *take_pages(struct od_prefetch *q, struct pass *p, struct od_page **failed)
{
    int64_t waited;
    struct od_page *pg = od_prefetch_take(q, &waited);
    p->us.wait += waited;
    p->us.http += pg->http_us;
    p->us.parse += pg->parse_us;
    int64_t pages = 1;
    while (pg->r == OD_JOB_OK && pg->next && pages < PAGES_PER_TX && pg->records < RECORDS_PER_TX &&
           !od_job_should_stop(p->ctx)) {
        struct od_page *more = od_prefetch_take(q, &waited);
        p->us.wait += waited;
        p->us.http += more->http_us;
        p->us.parse += more->parse_us;
        if (more->r != OD_JOB_OK) {
            *failed = more;
            break;
        }
        od_batch_append(&pg->b, &more->b);
        free(pg->next);
        pg->next = more->next;
        more->next = NULL;
        pg->records += more->records;
        pg->total = more->total;
        pages++;
        od_page_free(more);
    }
    p->us.pages += pages;
    return pg;
}

/* Page after page from p->url: a fetch thread (prefetch.h) fetches and validates the next
 * pages while this thread stores the current ones. p->url always names the first page not yet
 * stored. */
static enum od_job_result run_pass(struct od_fetch *f, struct pass *p)
{
    if (!p->url) return OD_JOB_OK;
    int64_t t0 = od_now_us();
    struct od_prefetch *q = od_prefetch_start(f, p->res, p->url, 2);
    enum od_job_result r = OD_JOB_OK;
    while (p->url) {
        if (od_job_should_stop(f->ctx)) {
            r = OD_JOB_STOPPED;
            break;
        }
        struct od_page *failed = NULL;
        struct od_page *pg = take_pages(q, p, &failed);
        r = pg->r;
        if (r != OD_JOB_OK)
            od_seterr("%s", pg->err);
        else
            r = store_page(f, p, &pg->b, pg->next);
        if (r == OD_JOB_OK) {
            if (!p->incremental) remember_ids(p, &pg->b);
            p->done += pg->records;
            od_job_progress(f->ctx, p->done, pg->total);
            if (pg->b.ndead)
                od_log_warn("harvest %s: %zu bad record(s) sent to dead letters", p->res->name,
                            pg->b.ndead);
            free(p->url);
            p->url = pg->next;
            pg->next = NULL;
            if (failed) {
                r = failed->r;
                od_seterr("%s", failed->err);
            }
        }
        od_page_free(pg);
        od_page_free(failed);
        if (r != OD_JOB_OK) break;
    }
    od_prefetch_stop(q);
    log_timings(p, od_now_us() - t0);
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
    struct pass p = {.res = od_harvest_resource(name), .ctx = ctx, .incremental = true};
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
    struct pass p = {.res = od_harvest_resource(name), .ctx = f->ctx};
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
