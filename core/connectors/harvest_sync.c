/* harvest_sync — Harvest job handlers. See harvest_sync.h. */
#include "core/connectors/harvest_sync.h"
#include "core/base/config.h"
#include "core/connectors/fetch.h"
#include "core/connectors/entries.h"
#include "core/connectors/harvest_parse.h"
#include "core/base/json.h"
#include "core/connectors/prefetch.h"
#include "core/connectors/refs.h"
#include "core/connectors/rollup.h"
#include "core/connectors/store.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include <cjson/cJSON.h>
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
    struct od_rollup_delta *delta;           /* time entries: rollup sums of the open transaction */
    int64_t refs, refs_cached, refs_unknown; /* time entries: references checked (refs.h) */
    char parts_lo[8], parts_hi[8]; /* "YYYY-MM": the months with partitions, ensured this pass */
    struct {                       /* where the time went, microseconds */
        int64_t pages, http, parse, wait, partitions, store, lookup, write, rollup, commit;
    } us;
};

static void pass_release(struct pass *p)
{
    free(p->url);
    free(p->seen);
    od_rollup_delta_free(p->delta);
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
    cJSON *o = cJSON_CreateObject();
    od_json_add_str(o, "next", next);
    od_json_add_str(o, "max", max);
    cJSON_AddBoolToObject(o, "done", !next);
    return od_json_print(o);
}

/* Whether partitions for the page's months were ensured during this pass (months compare as
 * their "YYYY-MM" prefix). */
static bool covered(const struct pass *p, const struct od_batch *b)
{
    return !b->min_date[0] || (p->parts_lo[0] && strncmp(b->min_date, p->parts_lo, 7) >= 0 &&
                               strncmp(b->max_date, p->parts_hi, 7) <= 0);
}

/* The covered months grown to the page's (kept contiguous), as first days of months. */
static void grown_range(const struct pass *p, const struct od_batch *b, char lo[16], char hi[16])
{
    const char *l =
        p->parts_lo[0] && strncmp(p->parts_lo, b->min_date, 7) < 0 ? p->parts_lo : b->min_date;
    const char *h =
        p->parts_hi[0] && strncmp(p->parts_hi, b->max_date, 7) > 0 ? p->parts_hi : b->max_date;
    snprintf(lo, 16, "%.7s-01", l);
    snprintf(hi, 16, "%.7s-01", h);
}

/* Partitions for the grown range (known to exist already: only remember that). */
static int ensure_partitions(struct od_fetch *f, struct pass *p, const struct od_batch *b,
                             bool known)
{
    if (covered(p, b)) return 0;
    char lo[16], hi[16];
    grown_range(p, b, lo, hi);
    int rc = 0;
    if (!known) {
        PGconn *pc = od_fetch_conn(f);
        rc = pc ? od_store_ensure_partitions(pc, lo, hi) : -1;
        od_fetch_release(f, pc);
    }
    if (rc == 0) {
        snprintf(p->parts_lo, sizeof p->parts_lo, "%.7s", lo);
        snprintf(p->parts_hi, sizeof p->parts_hi, "%.7s", hi);
    }
    return rc;
}

/* The open transaction of a pass: pages are stored into it one by one as they arrive and
 * commit together, with the checkpoint and cursor of the last one (DESIGN: a cursor moves only
 * with the rows it covers). Consecutive pages share rollup keys (same months, projects), so a
 * transaction of many pages writes far fewer rollup rows; it ends when it holds TX_RECORDS
 * records or TX_KEYS rollup keys, is TX_AGE_US old, or the next page is not there within
 * TX_GRACE_US. The rate limiter lets a whole window's pages come back to back and then
 * holds the next request for seconds, so the grace is long enough to keep one transaction
 * across a burst's pages on a busy machine (a page every 50-100 ms: per-page commits tripled
 * the rollup work, bench/60_pace.sh) and short next to the window's wait, during which no
 * transaction stays open. Memory stays at the prefetch depth (PREFETCH_PAGES, validated
 * pages trimmed to their COPY text) + 1 page plus the rollup sums. */
struct tx {
    PGconn *c;
    int64_t records, total, t0;
    char *next; /* links.next after its last page (owned); NULL: it holds the last page */
};
#define TX_RECORDS 40000
#define TX_KEYS 16384
#define TX_AGE_US 1000000
#define TX_GRACE_US 250000
#define PREFETCH_PAGES 4

static bool tx_full(const struct tx *x, const struct pass *p)
{
    return x->records >= TX_RECORDS || (p->delta && od_rollup_delta_keys(p->delta) >= TX_KEYS) ||
           od_now_us() - x->t0 >= TX_AGE_US;
}

/* Apply the rollups, save checkpoint and cursor, commit; the pass then starts after it. */
static enum od_job_result tx_commit(struct od_fetch *f, struct pass *p, struct tx *x)
{
    if (!x->c) return OD_JOB_OK;
    PGconn *c = x->c;
    x->c = NULL;
    int64_t t0 = od_now_us();
    if (p->delta && od_rollup_delta_apply(c, p->delta) < 0) return od_fetch_db_failed(f, c);
    int64_t t1 = od_now_us();
    if (p->incremental) {
        if (!x->next && od_cursor_put(c, "harvest", f->account, p->res->name, p->max) < 0)
            return od_fetch_db_failed(f, c);
        char *ck = checkpoint_json(x->next, p->max);
        int rc = od_job_checkpoint_save(f->ctx, c, ck);
        free(ck);
        if (rc < 0) return od_fetch_db_failed(f, c);
    }
    int64_t t2 = od_now_us();
    enum od_job_result r = od_fetch_commit(f, c);
    od_refs_settle(r == OD_JOB_OK);
    p->us.rollup += t1 - t0;
    p->us.store += t2 - t0;
    p->us.commit += od_now_us() - t2;
    if (r != OD_JOB_OK) return r;
    free(p->url);
    p->url = x->next;
    x->next = NULL;
    p->done += x->records;
    x->records = 0;
    od_job_progress(f->ctx, p->done, x->total);
    return OD_JOB_OK;
}

/* Store one validated page into the open transaction (opening it first). */
static enum od_job_result tx_page(struct od_fetch *f, struct pass *p, struct tx *x,
                                  struct od_page *pg)
{
    const struct od_batch *b = &pg->b;
    int64_t t0 = od_now_us();
    if (p->delta && !covered(p, b)) {
        /* Creating a partition locks the parent table, which the open transaction writes:
         * commit first when one is really missing (the migration and the leader create
         * them ahead, so this is rare). */
        char lo[16], hi[16];
        grown_range(p, b, lo, hi);
        int missing = x->c ? od_store_partitions_missing(x->c, lo, hi) : 1;
        if (missing < 0) {
            PGconn *c = x->c;
            x->c = NULL;
            return od_fetch_db_failed(f, c);
        }
        if (missing) {
            enum od_job_result r = tx_commit(f, p, x);
            if (r != OD_JOB_OK) return r;
        }
        if (ensure_partitions(f, p, b, missing == 0) < 0) return od_fetch_db_failed(f, NULL);
    }
    int64_t t1 = od_now_us();
    p->us.partitions += t1 - t0;
    if (!x->c) {
        if (!(x->c = od_fetch_begin(f))) return od_fetch_db_failed(f, NULL);
        x->t0 = t1;
        /* No WAL flush wait at commit: the checkpoint (and cursor) commit in this same
         * transaction, so a commit lost to a server crash loses its checkpoint with it and the
         * job resumes from the previous one, fetching those pages again; WAL is replayed in
         * order, so a later commit never survives an earlier lost one. Nothing is lost. */
        if ((p->incremental &&
             od_db_cmd(x->c, "SET LOCAL synchronous_commit = off", 0, NULL) < 0) ||
            (p->delta && od_rollup_delta_begin(x->c, p->delta) < 0)) {
            PGconn *c = x->c;
            x->c = NULL;
            return od_fetch_db_failed(f, c);
        }
    }
    struct od_store_result sr;
    int rc = p->delta ? od_entries_store(x->c, &pg->b, f->job->id, p->delta, &sr)
                      : od_store_batch(x->c, &pg->b, f->job->id, &sr);
    if (rc < 0) {
        PGconn *c = x->c;
        x->c = NULL;
        return od_fetch_db_failed(f, c);
    }
    if (sr.max_updated[0] && (!p->max[0] || strcmp(sr.max_updated, p->max) > 0))
        snprintf(p->max, sizeof p->max, "%s", sr.max_updated);
    x->records += pg->records;
    x->total = pg->total;
    free(x->next);
    x->next = pg->next;
    pg->next = NULL;
    p->us.store += od_now_us() - t1;
    p->us.lookup += sr.lookup_us;
    p->us.write += sr.write_us;
    p->refs += sr.refs;
    p->refs_cached += sr.refs_cached;
    p->refs_unknown += sr.refs_unknown;
    return OD_JOB_OK;
}

static void log_timings(const struct pass *p, int64_t total_us)
{
#define MS(x) (long long)((x) / 1000)
    od_log_info("harvest %s: %lld records, %lld pages in %lld ms; fetch thread: http %lld ms, "
                "parse+validate %lld ms; store thread: waiting for pages %lld ms, partitions "
                "%lld ms, store %lld ms (lookup %lld, write %lld, rollups %lld), commit %lld ms; "
                "references: %lld checked, %lld from the cache, %lld unknown",
                p->res->name, (long long)p->done, (long long)p->us.pages, MS(total_us),
                MS(p->us.http), MS(p->us.parse), MS(p->us.wait), MS(p->us.partitions),
                MS(p->us.store), MS(p->us.lookup), MS(p->us.write), MS(p->us.rollup),
                MS(p->us.commit), (long long)p->refs, (long long)p->refs_cached,
                (long long)p->refs_unknown);
#undef MS
}

/* Page after page from p->url: a fetch thread (prefetch.h) fetches and validates the next
 * pages while this thread stores the current ones. p->url always names the first page not yet
 * committed. */
static enum od_job_result run_pass(struct od_fetch *f, struct pass *p)
{
    if (!p->url) return OD_JOB_OK;
    int64_t t0 = od_now_us();
    if (strcmp(p->res->name, "time_entries") == 0 && !p->delta) p->delta = od_rollup_delta_new();
    struct od_prefetch *q = od_prefetch_start(f, p->res, p->url, PREFETCH_PAGES);
    struct tx x = {0};
    enum od_job_result r = OD_JOB_OK;
    for (bool more = true; more && r == OD_JOB_OK;) {
        if (od_job_should_stop(f->ctx)) {
            r = tx_commit(f, p, &x); /* what is stored stays stored */
            if (r == OD_JOB_OK) r = OD_JOB_STOPPED;
            break;
        }
        if (x.c && tx_full(&x, p)) {
            r = tx_commit(f, p, &x);
            continue;
        }
        int64_t waited;
        struct od_page *pg =
            x.c ? od_prefetch_take_within(q, TX_GRACE_US, &waited) : od_prefetch_take(q, &waited);
        p->us.wait += waited;
        if (!pg) { /* nothing more right now: do not hold the transaction open waiting */
            r = tx_commit(f, p, &x);
            continue;
        }
        p->us.http += pg->http_us;
        p->us.parse += pg->parse_us;
        if (pg->r != OD_JOB_OK) { /* keep the good pages before it */
            r = tx_commit(f, p, &x);
            if (r == OD_JOB_OK) {
                r = pg->r;
                od_seterr("%s", pg->err);
            }
        } else {
            r = tx_page(f, p, &x, pg);
        }
        if (r == OD_JOB_OK) {
            p->us.pages++;
            more = x.next != NULL;
            if (!p->incremental) remember_ids(p, &pg->b);
            if (pg->b.ndead)
                od_log_warn("harvest %s: %zu bad record(s) sent to dead letters", p->res->name,
                            pg->b.ndead);
            if (!more) r = tx_commit(f, p, &x);
        }
        od_page_free(pg);
    }
    if (x.c) od_fetch_rollback(f, x.c);
    if (r != OD_JOB_OK && p->delta) { /* sums of rolled-back pages must not reach a later commit */
        od_rollup_delta_free(p->delta);
        p->delta = NULL;
    }
    if (r != OD_JOB_OK) od_refs_settle(false); /* whatever the rolled-back pages noted */
    free(x.next);
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
