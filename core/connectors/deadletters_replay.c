/* deadletters_replay — store a dead-lettered record after all (see deadletters.h and
 * docs/runbook.md "Dead letters").
 *
 * 1. Where the record comes from: upstream first (GET <resource path>/<record id> with the
 *    sync's credential, headers and shared rate limit — core/connectors/fetch.h), because the
 *    stored payload is the version that failed and the fix, if any, was made upstream. HubSpot
 *    objects not found are asked for again with archived=true (archived deals are synced too).
 *    404: the record is gone upstream — nothing is stored from a stale copy. Any other failure
 *    to ask (no answer, 5xx after retries, credential refused or missing, a record id that is
 *    not a plain number): AUTO falls back to the stored payload, UPSTREAM refuses.
 * 2. Today's parser: the record goes through the resource's field table exactly as a page of
 *    the sync would (od_batch_add_page); still invalid -> refused with the reason.
 * 3. The sync's store, in ONE transaction: time entries through od_entries_store under the
 *    writer lock with their rollup deltas applied before the commit (partitions ensured first);
 *    other resources through od_store_batch (a HubSpot deal also queues hubspot/deal_companies
 *    so its company link follows); every open dead letter of the record marked replayed; the
 *    audit row. Cursors are not touched: a replay is outside the incremental order. */
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/connectors/deadletters.h"
#include "core/connectors/entries.h"
#include "core/connectors/fetch.h"
#include "core/connectors/harvest_parse.h"
#include "core/connectors/hubspot_parse.h"
#include "core/connectors/refs.h"
#include "core/connectors/rollup.h"
#include "core/connectors/store.h"
#include "core/db/db.h"
#include "core/jobs/jobctx.h"
#include "core/jobs/queue.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum got { GOT_BODY, GOT_GONE, GOT_CANNOT };

static const struct od_resource *resource_of(const char *provider, const char *name)
{
    if (strcmp(provider, "harvest") == 0) return od_harvest_resource(name);
    if (strcmp(provider, "hubspot") == 0) return od_hubspot_resource(name);
    return NULL;
}

static bool plain_id(const char *s)
{
    size_t n = s ? strspn(s, "0123456789") : 0;
    return n > 0 && n <= 20 && s[n] == '\0';
}

static char *record_url(const struct od_fetch *f, const struct od_resource *res, const char *id,
                        bool archived)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n = strlen(f->base_url);
    while (n && f->base_url[n - 1] == '/')
        n--;
    sb_addf(&sb, "%.*s%s/%s", (int)n, f->base_url, res->path, id);
    if (strcmp(res->provider, "hubspot") == 0) {
        const char *props = od_hubspot_properties(res);
        sb_addf(&sb, "?archived=%s%s%s", archived ? "true" : "false", *props ? "&properties=" : "",
                props);
    }
    return sb_detach(&sb);
}

/* The record as upstream has it now. why: what went wrong when not GOT_BODY. */
static enum got fetch_record(const struct od_replay_env *env, const struct od_resource *res,
                             const char *id, char **body, char *why, size_t n)
{
    *body = NULL;
    if (!plain_id(id)) {
        snprintf(why, n, "the dead letter has no plain record id to ask upstream for");
        return GOT_CANNOT;
    }
    char args[] = "{}";
    struct od_job job = {.args_json = args, .attempts = 1, .max_attempts = 1};
    snprintf(job.provider, sizeof job.provider, "%s", res->provider);
    snprintf(job.resource, sizeof job.resource, "replay");
    /* The job env's vault is only read (od_tokens_get takes it const all the way down). */
    struct od_job_env jenv = {env->cfg, env->pool, (struct od_vault *)env->vault, "replay"};
    struct od_job_ctx *ctx = od_jobctx_new(&job, &jenv, NULL);
    struct od_fetch f;
    enum got g = GOT_CANNOT;
    if (od_fetch_open(&f, ctx, res->provider) != OD_JOB_OK) {
        snprintf(why, n, "%s", od_err());
    } else {
        bool hubspot = strcmp(res->provider, "hubspot") == 0;
        for (int archived = 0; archived <= (hubspot ? 1 : 0); archived++) {
            char *url = record_url(&f, res, id, archived);
            struct od_http_resp resp;
            memset(&resp, 0, sizeof resp);
            enum od_job_result r = od_fetch_request(&f, url, NULL, false, &resp);
            free(url);
            if (r == OD_JOB_OK) {
                *body = sb_detach(&resp.body);
                g = GOT_BODY;
            } else {
                g = resp.status == 404 ? GOT_GONE : GOT_CANNOT;
                snprintf(why, n, "%s", od_err());
            }
            od_http_resp_release(&resp);
            if (g != GOT_GONE) break;
        }
    }
    od_fetch_close(&f);
    od_jobctx_free(ctx);
    return g;
}

/* Validate one record with today's parser into b. 0, or -1 with the reason in why. */
static int validate(const struct od_resource *res, const char *body, const char *record_id,
                    struct od_batch *b, char *why, size_t n)
{
    struct strbuf arr = STRBUF_INIT;
    sb_addch(&arr, '[');
    sb_add(&arr, body);
    sb_addch(&arr, ']');
    struct od_json *doc = od_json_parse(arr.buf, arr.len); /* borrows the text: keep arr */
    if (!doc) {
        sb_release(&arr);
        snprintf(why, n, "not a JSON record: %s", od_err());
        return -1;
    }
    od_batch_add_page(b, doc, od_json_root(doc));
    od_json_free(doc);
    sb_release(&arr);
    int rc = -1;
    if (b->ndead)
        snprintf(why, n, "still invalid: %s", b->dead[0].reason);
    else if (b->rows != 1)
        snprintf(why, n, "expected one record, found %lld", (long long)b->rows);
    else if (plain_id(record_id) && b->ids[0] != strtoll(record_id, NULL, 10))
        snprintf(why, n, "upstream answered with record %lld, not %s", (long long)b->ids[0],
                 record_id);
    else
        rc = 0;
    (void)res;
    return rc;
}

static int mark_replayed(PGconn *c, const struct od_dl_who *who, const struct od_deadletter *d,
                         int64_t *resolved)
{
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)d->id);
    const char *p[5] = {sid, d->provider, d->resource, d->record_id, who->actor};
    PGresult *r = od_db_exec(c,
                             "UPDATE sync_dead_letters SET resolved_at = now(), resolution = "
                             "'replayed', resolved_by = $5 WHERE resolved_at IS NULL AND (id = "
                             "$1::bigint OR (provider = $2 AND resource = $3 AND record_id = $4))",
                             5, p);
    if (!r) return -1;
    *resolved = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}

static void detail_json(struct strbuf *sb, const struct od_deadletter *d, const char *from,
                        const struct od_replay_result *out, const char *note)
{
    sb_add(sb, "{\"provider\":");
    od_json_quote(sb, d->provider);
    sb_add(sb, ",\"resource\":");
    od_json_quote(sb, d->resource);
    sb_add(sb, ",\"record_id\":");
    od_json_quote(sb, d->record_id);
    sb_add(sb, ",\"from\":");
    od_json_quote(sb, *from ? from : NULL);
    sb_addf(sb, ",\"upserted\":%lld,\"resolved\":%lld,\"note\":", (long long)out->upserted,
            (long long)out->resolved);
    od_json_quote(sb, note && *note ? note : NULL);
    sb_addch(sb, '}');
}

/* The store step: one transaction. */
static int store(PGconn *c, const struct od_dl_who *who, const struct od_deadletter *d,
                 struct od_batch *b, const char *note, struct od_replay_result *out)
{
    bool entries = strcmp(d->resource, "time_entries") == 0 && strcmp(d->provider, "harvest") == 0;
    if (entries && od_store_ensure_partitions(c, b->min_date, b->max_date) < 0) return -1;
    if (od_db_begin(c) < 0) return -1;
    struct od_store_result sr;
    memset(&sr, 0, sizeof sr);
    struct od_rollup_delta *delta = entries ? od_rollup_delta_new() : NULL;
    int rc = entries ? (od_rollup_lock(c) < 0 || od_entries_store(c, b, 0, delta, &sr) < 0 ||
                        od_rollup_delta_apply(c, delta) < 0)
                           ? -1
                           : 0
                     : od_store_batch(c, b, 0, &sr);
    od_rollup_delta_free(delta);
    if (rc == 0 && strcmp(d->provider, "hubspot") == 0 && strcmp(d->resource, "deals") == 0) {
        struct od_job_spec spec = {.provider = "hubspot",
                                   .resource = "deal_companies",
                                   .unique_key = "sync:hubspot:deal_companies",
                                   .priority = 30};
        int64_t jid;
        rc = od_queue_enqueue(c, &spec, &jid) < 0 ? -1 : 0;
    }
    out->upserted = sr.upserted;
    if (rc == 0) rc = mark_replayed(c, who, d, &out->resolved);
    if (rc == 0) {
        struct strbuf det = STRBUF_INIT;
        detail_json(&det, d, out->from, out, note);
        rc = od_dl_audit(c, who, "deadletter.replay", d->id, "ok", sb_str(&det));
        sb_release(&det);
    }
    if (rc == 0) rc = od_db_commit(c);
    if (rc < 0) od_db_rollback(c);
    if (entries) od_refs_settle(rc == 0);
    return rc;
}

static int refuse(PGconn *c, const struct od_dl_who *who, const struct od_deadletter *d,
                  struct od_replay_result *out, const char *fmt, ...) OD_PRINTF(5, 6);
static int refuse(PGconn *c, const struct od_dl_who *who, const struct od_deadletter *d,
                  struct od_replay_result *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    if (c && d && d->provider) { /* the attempt is part of the trail too */
        struct strbuf det = STRBUF_INIT;
        detail_json(&det, d, out->from, out, out->message);
        od_dl_audit(c, who, "deadletter.replay", d->id, "refused", sb_str(&det));
        sb_release(&det);
    }
    return od_seterr("%s", out->message);
}

int od_deadletter_replay(const struct od_replay_env *env, const struct od_dl_who *who, int64_t id,
                         enum od_replay_from from, struct od_replay_result *out)
{
    memset(out, 0, sizeof *out);
    if (od_dl_allowed(who, "deadletters.replay") < 0) {
        snprintf(out->message, sizeof out->message, "%s", od_err());
        return -1;
    }
    PGconn *c = od_pool_acquire(env->pool, 10000);
    if (!c) return refuse(NULL, who, NULL, out, "%s", od_err());
    struct od_deadletter d;
    struct od_dl_who internal = {NULL, who->actor, who->source}; /* permission checked above */
    int rc = -1;
    if (od_deadletter_get(c, &internal, id, &d) < 0) {
        rc = refuse(NULL, who, NULL, out, "%s", od_err());
        od_pool_release(env->pool, c);
        return rc;
    }
    const struct od_resource *res = resource_of(d.provider, d.resource);
    char *body = NULL, why[400] = "", note[480] = "";
    struct od_batch b;
    bool batch = false;
    if (*d.resolved_at) {
        rc = refuse(NULL, who, &d, out, "dead letter %lld was already %s at %s by %s",
                    (long long)id, d.resolution ? d.resolution : "resolved", d.resolved_at,
                    d.resolved_by ? d.resolved_by : "someone");
        goto done;
    }
    if (!res) {
        rc = refuse(c, who, &d, out, "%s/%s records cannot be replayed by this version", d.provider,
                    d.resource);
        goto done;
    }
    if (from != OD_REPLAY_STORED) {
        enum got g = fetch_record(env, res, d.record_id, &body, why, sizeof why);
        if (g == GOT_GONE) {
            rc = refuse(c, who, &d, out,
                        "%s %s %s no longer exists upstream (HTTP 404): nothing to store; "
                        "discard the dead letter",
                        d.provider, d.resource, d.record_id ? d.record_id : "?");
            goto done;
        }
        if (g == GOT_CANNOT && from == OD_REPLAY_UPSTREAM) {
            rc = refuse(c, who, &d, out, "cannot ask upstream: %s", why);
            goto done;
        }
        if (g == GOT_CANNOT)
            snprintf(note, sizeof note, "upstream could not be asked (%s); used the stored payload",
                     why);
    }
    snprintf(out->from, sizeof out->from, "%s", body ? "upstream" : "stored");
    od_batch_init(&b, res);
    batch = true;
    if (validate(res, body ? body : d.payload, d.record_id, &b, why, sizeof why) < 0) {
        rc =
            refuse(c, who, &d, out, "%s (%s%s%s)", why,
                   body ? "as upstream has it now" : "the stored payload", *note ? "; " : "", note);
        goto done;
    }
    if (store(c, who, &d, &b, note, out) < 0) {
        rc = refuse(c, who, &d, out, "could not store it: %s", od_err());
        goto done;
    }
    out->stored = true;
    snprintf(out->message, sizeof out->message,
             "stored %s %s %s from the %s%s; %lld dead letter%s marked replayed%s%s", d.provider,
             d.resource, d.record_id ? d.record_id : "",
             body ? "upstream record" : "stored payload",
             out->upserted ? "" : " (the database already had a newer version)",
             (long long)out->resolved, out->resolved == 1 ? "" : "s", *note ? "; " : "", note);
    rc = 0;
done:
    if (batch) od_batch_release(&b);
    free(body);
    od_deadletter_clear(&d);
    od_pool_release(env->pool, c);
    return rc;
}
