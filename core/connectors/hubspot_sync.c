/* hubspot_sync — HubSpot job handlers. See hubspot_sync.h. */
#include "core/connectors/hubspot_sync.h"
#include "core/base/config.h"
#include "core/connectors/fetch.h"
#include "core/connectors/hubspot_parse.h"
#include "core/base/json.h"
#include "core/connectors/store.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/base/time.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_LIMIT 100
#define SEARCH_LIMIT 200
#define SEARCH_CAP 10000

/* Where a listing stands; this is also the checkpoint. */
struct hpos {
    bool search;                          /* incremental search (else list) */
    bool archived;                        /* list: the archived=true pass */
    char after[OD_HUBSPOT_AFTER_MAX + 1]; /* "" = first page; checked before it is kept */
    long long from_ms;                    /* search: hs_lastmodifieddate GTE */
    long in_query;                        /* search: results paged through in the current query */
    char max[40];                         /* max updated_at stored so far */
};

struct hrun {
    struct od_fetch f;
    const struct od_resource *res;
    struct hpos pos;
    bool incremental, with_archived, reconcile;
    int64_t done, *seen;
    size_t nseen, capseen;
};

static char *pos_json(const struct hpos *p, bool done)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "search", p->search);
    cJSON_AddBoolToObject(o, "archived", p->archived);
    cJSON_AddStringToObject(o, "after", p->after);
    od_json_add_i64(o, "from_ms", p->from_ms);
    od_json_add_i64(o, "in_query", p->in_query);
    cJSON_AddStringToObject(o, "max", p->max);
    cJSON_AddBoolToObject(o, "done", done);
    return od_json_print(o);
}

/* Returns 1 when the checkpoint says the run already finished, 0 when loaded or absent. */
static int pos_load(struct hpos *p, const char *ck, bool *loaded)
{
    *loaded = false;
    struct od_json *doc = ck ? od_json_parse(ck, strlen(ck)) : NULL;
    const struct od_jv *root = doc ? od_json_root(doc) : NULL;
    const struct od_jv *v;
    int finished = 0;
    if (root && (v = od_jv_get(root, "after")) && v->type == OD_JV_STRING) {
        *loaded = true;
        finished = od_jv_get(root, "done") && od_jv_get(root, "done")->type == OD_JV_TRUE;
        p->search = (v = od_jv_get(root, "search")) && v->type == OD_JV_TRUE;
        p->archived = (v = od_jv_get(root, "archived")) && v->type == OD_JV_TRUE;
        snprintf(p->after, sizeof p->after, "%s", od_jv_string(od_jv_get(root, "after")));
        const char *n = od_jv_number(od_jv_get(root, "from_ms"));
        p->from_ms = n ? strtoll(n, NULL, 10) : 0;
        n = od_jv_number(od_jv_get(root, "in_query"));
        p->in_query = n ? strtol(n, NULL, 10) : 0;
        const char *m = od_jv_string(od_jv_get(root, "max"));
        snprintf(p->max, sizeof p->max, "%s", m ? m : "");
    }
    od_json_free(doc);
    return finished;
}

/* ISO 8601 (validated) or epoch-ms digits to epoch ms; -1 when neither. */
static long long to_ms(const char *s)
{
    int64_t ms;
    if (!s) return -1;
    if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s) && strlen(s) > 10)
        return strtoll(s, NULL, 10);
    if (!od_valid_ts(s) || od_time_parse_ms(s, strlen(s), &ms) < 0) return -1;
    return ms;
}

/* {"propertyName":"hs_lastmodifieddate", key:value}: a search's filter or sort. */
static cJSON *on_modified(const char *key, const char *value)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "propertyName", "hs_lastmodifieddate");
    cJSON_AddStringToObject(o, key, value);
    return o;
}

static char *search_body(const struct hrun *h)
{
    char from[24];
    snprintf(from, sizeof from, "%lld", h->pos.from_ms);
    cJSON *body = cJSON_CreateObject(), *filter = on_modified("operator", "GTE");
    cJSON_AddStringToObject(filter, "value", from);
    cJSON *group = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(group, "filters"), filter);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "filterGroups"), group);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "sorts"),
                         on_modified("direction", "ASCENDING"));
    cJSON *props = cJSON_AddArrayToObject(body, "properties");
    for (const char *p = od_hubspot_properties(h->res); *p;) {
        size_t n = strcspn(p, ",");
        char *name = od_xstrndup(p, n);
        cJSON_AddItemToArray(props, cJSON_CreateString(name));
        free(name);
        p += n + (p[n] == ',');
    }
    cJSON_AddNumberToObject(body, "limit", SEARCH_LIMIT);
    if (h->pos.after[0]) cJSON_AddStringToObject(body, "after", h->pos.after);
    return od_json_print(body);
}

static char *list_url(const struct hrun *h)
{
    const char *props = od_hubspot_properties(h->res);
    char *b = od_fetch_url(&h->f, h->res->path);
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s?limit=%d%s%s&archived=%s", b, LIST_LIMIT, *props ? "&properties=" : "", props,
            h->pos.archived ? "true" : "false");
    if (h->pos.after[0]) {
        sb_add(&sb, "&after=");
        od_hubspot_after_encode(&sb, h->pos.after);
    }
    free(b);
    return sb_detach(&sb);
}

/* Deal -> company pairs for the deals of a batch, replacing what is stored for them. */
static enum od_job_result fetch_assoc(struct hrun *h, const int64_t *ids, size_t n,
                                      struct od_assoc **pairs, size_t *npairs)
{
    *pairs = NULL;
    *npairs = 0;
    if (!n) return OD_JOB_OK;
    cJSON *doc = cJSON_CreateObject(), *inputs = cJSON_AddArrayToObject(doc, "inputs");
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)ids[i]);
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "id", id);
        cJSON_AddItemToArray(inputs, in);
    }
    char *body = od_json_print(doc);
    char *url = od_fetch_url(&h->f, "/crm/v4/associations/deals/companies/batch/read");
    struct od_http_resp resp = {0};
    enum od_job_result r = od_fetch_request(&h->f, url, body, false, &resp);
    if (r == OD_JOB_OK && od_hubspot_assoc_parse(resp.body.buf ? resp.body.buf : "", resp.body.len,
                                                 pairs, npairs) < 0)
        r = OD_JOB_RETRY;
    od_http_resp_release(&resp);
    free(url);
    free(body);
    return r;
}

/* Replace the stored associations of deals ids[0..n) with pairs (one row per association
 * type; the rows travel as one JSON parameter). */
static int store_assoc(PGconn *c, const int64_t *ids, size_t n, const struct od_assoc *pairs,
                       size_t np)
{
    char *a = od_db_bigint_array(ids, n);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < np; i++) {
        const struct od_assoc *p = &pairs[i];
        cJSON *o = cJSON_CreateObject();
        od_json_add_i64(o, "d", p->deal_id);
        od_json_add_i64(o, "c", p->company_id);
        od_json_add_i64(o, "t", p->type_id);
        od_json_add_str(o, "k", p->category);
        od_json_add_str(o, "l", p->has_label ? p->label : NULL);
        cJSON_AddItemToArray(arr, o);
    }
    char *rows = od_json_print(arr);
    int rc = od_db_cmd(c, "DELETE FROM hubspot_deal_companies WHERE deal_id = ANY($1::bigint[])", 1,
                       (const char *const[]){a});
    if (rc == 0)
        rc = od_db_cmd(c,
                       "INSERT INTO hubspot_deal_companies (deal_id, company_id, category, type_id,"
                       " label) SELECT d, c, k, t, l FROM jsonb_to_recordset($1::jsonb)"
                       " AS x(d bigint, c bigint, t integer, k text, l text)"
                       " ON CONFLICT DO NOTHING",
                       1, (const char *const[]){rows});
    free(a);
    free(rows);
    return rc;
}

/* Store a page (+ associations for live deals) and the position after it, in one transaction.
 * archived: the page came from the archived list (its deals' companies do not matter, and its
 * times do not move the cursor: search covers live records only). */
static enum od_job_result store_page(struct hrun *h, struct od_batch *b, bool last, bool archived)
{
    struct od_assoc *pairs = NULL;
    size_t np = 0;
    bool deals = strcmp(h->res->name, "deals") == 0 && !archived;
    enum od_job_result r = deals ? fetch_assoc(h, b->ids, b->nids, &pairs, &np) : OD_JOB_OK;
    if (r != OD_JOB_OK) return r;
    PGconn *c = od_fetch_begin(&h->f);
    struct od_store_result sr;
    if (!c || od_store_batch(c, b, h->f.job->id, &sr) < 0 ||
        (deals && store_assoc(c, b->ids, b->nids, pairs, np) < 0)) {
        free(pairs);
        return od_fetch_db_failed(&h->f, c);
    }
    free(pairs);
    if (!archived && sr.max_updated[0] && strcmp(sr.max_updated, h->pos.max) > 0)
        snprintf(h->pos.max, sizeof h->pos.max, "%s", sr.max_updated);
    if (h->incremental) {
        char *ck = pos_json(&h->pos, last);
        int rc = (last ? od_cursor_put(c, "hubspot", h->f.account, h->res->name, h->pos.max) : 0);
        if (rc == 0) rc = od_job_checkpoint_save(h->f.ctx, c, ck);
        free(ck);
        if (rc < 0) return od_fetch_db_failed(&h->f, c);
    }
    return od_fetch_commit(&h->f, c);
}

/* Fetch and parse the page at h->pos (re-fetching a garbled page twice). */
static enum od_job_result fetch_page(struct hrun *h, struct od_http_resp *resp,
                                     struct od_hubspot_page *pg)
{
    enum od_job_result r = OD_JOB_OK;
    for (int tries = 0; tries < 3; tries++) {
        char *body = h->pos.search ? search_body(h) : NULL;
        char *url = h->pos.search ? od_xasprintf("%s/search", h->res->path) : list_url(h);
        char *full = h->pos.search ? od_fetch_url(&h->f, url) : NULL;
        r = od_fetch_request(&h->f, full ? full : url, body, h->pos.search, resp);
        free(body);
        free(url);
        free(full);
        if (r != OD_JOB_OK) return r;
        if (od_hubspot_page_parse(h->res, resp->body.buf ? resp->body.buf : "", resp->body.len,
                                  pg) == 0)
            return OD_JOB_OK;
        od_log_warn("hubspot %s: %s", h->res->name, od_err());
        r = OD_JOB_RETRY;
    }
    return r;
}

/* After a page: where the next one is; false when the listing is over. */
static bool advance(struct hrun *h, const struct od_hubspot_page *pg)
{
    if (h->pos.search) {
        h->pos.in_query += (long)pg->records->count;
        if (!pg->after && h->with_archived) { /* then the archived list: search skips those */
            h->pos.search = false;
            h->pos.archived = true;
            h->pos.after[0] = '\0';
            h->pos.in_query = 0;
            return true;
        }
        if (!pg->after) return false;
        if (h->pos.in_query + SEARCH_LIMIT > SEARCH_CAP) {
            /* Next page would cross the cap: search again from the last modification seen. */
            const struct od_jv *last = NULL;
            for (const struct od_jv *r = od_jv_first(pg->records); r; r = od_jv_next(r))
                last = r;
            long long ms = to_ms(od_jv_string(od_jv_path(last, "properties.hs_lastmodifieddate")));
            if (ms < 0) ms = to_ms(od_jv_string(od_jv_get(last, "updatedAt")));
            if (ms <= h->pos.from_ms) {
                od_log_error("hubspot %s: more than %d records share one hs_lastmodifieddate; "
                             "the rest waits for a full sync",
                             h->res->name, SEARCH_CAP);
                return false;
            }
            h->pos.from_ms = ms;
            h->pos.in_query = 0;
            h->pos.after[0] = '\0';
            return true;
        }
        snprintf(h->pos.after, sizeof h->pos.after, "%s", pg->after);
        return true;
    }
    if (pg->after) {
        snprintf(h->pos.after, sizeof h->pos.after, "%s", pg->after);
        return true;
    }
    if (h->with_archived && !h->pos.archived) {
        h->pos.archived = true;
        h->pos.after[0] = '\0';
        return true;
    }
    return false;
}

static enum od_job_result run_listing(struct hrun *h)
{
    struct od_batch b;
    od_batch_init(&b, h->res);
    enum od_job_result r = OD_JOB_OK;
    for (bool more = true; more && r == OD_JOB_OK;) {
        if (od_job_should_stop(h->f.ctx)) {
            r = OD_JOB_STOPPED;
            break;
        }
        struct od_http_resp resp = {0};
        struct od_hubspot_page pg = {0};
        r = fetch_page(h, &resp, &pg);
        if (r == OD_JOB_OK && pg.after && od_hubspot_after_check(h->res, pg.after) < 0) {
            od_log_error("%s", od_err()); /* a cursor this odd is a bug upstream: stop, loudly */
            r = OD_JOB_FAIL;
        }
        if (r == OD_JOB_OK) {
            od_batch_reset(&b);
            od_batch_add_page(&b, pg.doc, pg.records);
            struct hpos before = h->pos;
            more = advance(h, &pg);
            r = store_page(h, &b, !more, before.archived && !before.search);
            if (r != OD_JOB_OK) {
                h->pos = before;
            } else {
                if (h->reconcile) {
                    if (h->nseen + b.nids > h->capseen) {
                        h->capseen = (h->nseen + b.nids) * 2;
                        h->seen = od_xrealloc(h->seen, h->capseen * sizeof *h->seen);
                    }
                    memcpy(h->seen + h->nseen, b.ids, b.nids * sizeof *b.ids);
                    h->nseen += b.nids;
                }
                h->done += (int64_t)pg.records->count;
                od_job_progress(h->f.ctx, h->done, pg.total);
                if (b.ndead)
                    od_log_warn("hubspot %s: %zu bad record(s) sent to dead letters", h->res->name,
                                b.ndead);
            }
        }
        od_hubspot_page_release(&pg);
        od_http_resp_release(&resp);
    }
    od_batch_release(&b);
    return r;
}

/* A sync of one resource: resume, else search from the cursor, else a full list; then (with
 * with_archived) the archived list. */
static enum od_job_result sync_resource(struct od_job_ctx *ctx, const char *name, bool can_search,
                                        bool with_archived)
{
    struct hrun h = {.res = od_hubspot_resource(name), .incremental = true};
    enum od_job_result r = od_fetch_open(&h.f, ctx, "hubspot");
    if (r != OD_JOB_OK) goto out;
    bool loaded;
    if (pos_load(&h.pos, od_job_checkpoint_get(ctx), &loaded))
        goto out; /* finished before the runtime recorded it */
    h.with_archived = with_archived;
    if (!loaded && can_search && !od_fetch_arg_bool(&h.f, "full")) {
        char *since = NULL;
        int64_t ms = 0;
        PGconn *c = od_fetch_conn(&h.f);
        int rc = c ? od_cursor_since(c, "hubspot", h.f.account, name, h.f.env->cfg->sync.overlap_s,
                                     &since, &ms)
                   : -1;
        od_fetch_release(&h.f, c);
        if (rc < 0) {
            r = OD_JOB_RETRY;
            goto out;
        }
        h.pos.search = since != NULL;
        h.pos.from_ms = ms;
        free(since);
    }
    r = run_listing(&h);
out:
    od_fetch_close(&h.f);
    return r;
}

enum od_job_result od_hubspot_owners(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "owners", false, true);
}

enum od_job_result od_hubspot_companies(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "companies", true, true);
}

enum od_job_result od_hubspot_deals(struct od_job_ctx *ctx)
{
    return sync_resource(ctx, "deals", true, true);
}

enum od_job_result od_hubspot_deal_companies(struct od_job_ctx *ctx)
{
    struct hrun h = {.res = od_hubspot_resource("deals")};
    enum od_job_result r = od_fetch_open(&h.f, ctx, "hubspot");
    PGconn *c = r == OD_JOB_OK ? od_fetch_conn(&h.f) : NULL;
    PGresult *res = c ? od_db_exec(c,
                                   "SELECT id FROM hubspot_deals WHERE deleted_at IS NULL "
                                   "ORDER BY id",
                                   0, NULL)
                      : NULL;
    od_fetch_release(&h.f, c);
    if (r == OD_JOB_OK && !res) r = OD_JOB_RETRY;
    int n = res ? PQntuples(res) : 0;
    int64_t ids[LIST_LIMIT];
    for (int i = 0; i < n && r == OD_JOB_OK; i += LIST_LIMIT) {
        size_t k = 0;
        for (; k < LIST_LIMIT && i + (int)k < n; k++)
            ids[k] = strtoll(PQgetvalue(res, i + (int)k, 0), NULL, 10);
        struct od_assoc *pairs;
        size_t np;
        if (od_job_should_stop(ctx)) r = OD_JOB_STOPPED;
        if (r == OD_JOB_OK) r = fetch_assoc(&h, ids, k, &pairs, &np);
        if (r != OD_JOB_OK) break;
        c = od_fetch_begin(&h.f);
        if (!c || store_assoc(c, ids, k, pairs, np) < 0)
            r = od_fetch_db_failed(&h.f, c);
        else
            r = od_fetch_commit(&h.f, c);
        free(pairs);
        od_job_progress(ctx, i + (int64_t)k, n);
    }
    PQclear(res);
    od_fetch_close(&h.f);
    return r;
}

/* Full re-list (archived too); what was not seen and not written meanwhile is soft-deleted. */
static enum od_job_result reconcile_one(struct od_job_ctx *ctx, const char *name, const char *since)
{
    struct hrun h = {.res = od_hubspot_resource(name), .reconcile = true, .with_archived = true};
    enum od_job_result r = od_fetch_open(&h.f, ctx, "hubspot");
    if (r == OD_JOB_OK) r = run_listing(&h);
    if (r == OD_JOB_OK) {
        PGconn *c = od_fetch_begin(&h.f);
        int64_t deleted = 0;
        if (!c || od_store_seen(c, h.seen, h.nseen) < 0 ||
            od_store_soft_delete(c, h.res, since, &deleted) < 0)
            r = od_fetch_db_failed(&h.f, c);
        else
            r = od_fetch_commit(&h.f, c);
        if (r == OD_JOB_OK && deleted)
            od_log_info("hubspot reconcile: %lld %s gone upstream, soft-deleted",
                        (long long)deleted, name);
    }
    free(h.seen);
    od_fetch_close(&h.f);
    return r;
}

enum od_job_result od_hubspot_reconcile(struct od_job_ctx *ctx)
{
    const struct od_job_env *env = od_job_env(ctx);
    PGconn *c = od_pool_acquire(env->pool, 10000);
    PGresult *res = c ? od_db_exec(c, "SELECT now()::text", 0, NULL) : NULL;
    if (c) od_pool_release(env->pool, c);
    if (!res) return OD_JOB_RETRY;
    char since[64];
    snprintf(since, sizeof since, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    enum od_job_result r = reconcile_one(ctx, "companies", since);
    if (r == OD_JOB_OK) r = reconcile_one(ctx, "deals", since);
    return r;
}
