/* deadletters — listing, showing and discarding dead letters; the role check and audit rows
 * shared with the replay (deadletters_replay.c). See deadletters.h. */
#include "core/connectors/deadletters.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/security/auth.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS                                                                                    \
    "id, coalesce(job_id, 0), provider, resource, record_id, reason, octet_length(payload),"       \
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                   \
    " coalesce(to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"    \
    " resolution, resolved_by"

int od_dl_allowed(const struct od_dl_who *who, const char *action)
{
    return who && who->session ? od_auth_require(who->session, action) : 0;
}

int od_dl_audit(PGconn *c, const struct od_dl_who *who, const char *action, int64_t id,
                const char *outcome, const char *detail_json)
{
    char subject[48];
    snprintf(subject, sizeof subject, "dead_letter:%lld", (long long)id);
    int64_t uid = who && who->session ? who->session->user_id : 0;
    return od_audit(c, uid, who && who->actor ? who->actor : "unknown", action, subject,
                    who && who->source ? who->source : "local", outcome, detail_json);
}

static char *dup_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : od_xstrdup(PQgetvalue(r, row, col));
}

static void from_row(const PGresult *r, int i, struct od_deadletter *d)
{
    memset(d, 0, sizeof *d);
    d->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    d->job_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
    d->provider = od_xstrdup(PQgetvalue(r, i, 2));
    d->resource = od_xstrdup(PQgetvalue(r, i, 3));
    d->record_id = dup_or_null(r, i, 4);
    d->reason = od_xstrdup(PQgetvalue(r, i, 5));
    d->payload_bytes = strtoll(PQgetvalue(r, i, 6), NULL, 10);
    snprintf(d->created_at, sizeof d->created_at, "%s", PQgetvalue(r, i, 7));
    snprintf(d->resolved_at, sizeof d->resolved_at, "%s", PQgetvalue(r, i, 8));
    d->resolution = dup_or_null(r, i, 9);
    d->resolved_by = dup_or_null(r, i, 10);
}

void od_deadletter_clear(struct od_deadletter *d)
{
    free(d->provider);
    free(d->resource);
    free(d->record_id);
    free(d->reason);
    free(d->payload);
    free(d->resolution);
    free(d->resolved_by);
    memset(d, 0, sizeof *d);
}

int od_deadletters_list(PGconn *c, const struct od_dl_who *who, bool all, int limit,
                        struct od_deadletter_list *out)
{
    memset(out, 0, sizeof *out);
    if (od_dl_allowed(who, "deadletters.read") < 0) return -1;
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit < 1 ? 1 : limit > 100000 ? 100000 : limit);
    const char *p[2] = {all ? "t" : "f", lim};
    PGresult *r = od_db_exec(c,
                             "SELECT " COLUMNS " FROM sync_dead_letters"
                             " WHERE $1::boolean OR resolved_at IS NULL"
                             " ORDER BY created_at DESC, id DESC LIMIT $2::int",
                             2, p);
    if (!r) return -1;
    out->n = (size_t)PQntuples(r);
    out->items = od_xcalloc(out->n ? out->n : 1, sizeof *out->items);
    for (size_t i = 0; i < out->n; i++)
        from_row(r, (int)i, &out->items[i]);
    PQclear(r);
    r = od_db_exec(c,
                   "SELECT count(*) FILTER (WHERE resolved_at IS NULL),"
                   " count(*) FILTER (WHERE resolved_at IS NOT NULL) FROM sync_dead_letters",
                   0, NULL);
    if (!r) {
        od_deadletter_list_release(out);
        return -1;
    }
    out->open = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    out->resolved = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    return 0;
}

void od_deadletter_list_release(struct od_deadletter_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        od_deadletter_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

int od_deadletter_get(PGconn *c, const struct od_dl_who *who, int64_t id, struct od_deadletter *out)
{
    memset(out, 0, sizeof *out);
    if (od_dl_allowed(who, "deadletters.read") < 0) return -1;
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    const char *p[1] = {sid};
    PGresult *r = od_db_exec(
        c, "SELECT " COLUMNS ", payload FROM sync_dead_letters WHERE id = $1::bigint", 1, p);
    if (!r) return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return od_seterr("no dead letter %lld", (long long)id);
    }
    from_row(r, 0, out);
    out->payload = od_xstrdup(PQgetvalue(r, 0, 11));
    PQclear(r);
    return 0;
}

int od_deadletter_discard(PGconn *c, const struct od_dl_who *who, int64_t id)
{
    if (od_dl_allowed(who, "deadletters.discard") < 0) return -1;
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    const char *p[1] = {sid};
    if (od_db_begin(c) < 0) return -1;
    PGresult *r = od_db_exec(c,
                             "DELETE FROM sync_dead_letters WHERE id = $1::bigint RETURNING"
                             " provider, resource, record_id, reason, octet_length(payload),"
                             " resolved_at IS NOT NULL",
                             1, p);
    if (!r) {
        od_db_rollback(c);
        return -1;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        od_db_rollback(c);
        return od_seterr("no dead letter %lld", (long long)id);
    }
    /* What was thrown away stays findable: who, which record, why it had failed. */
    struct strbuf detail = STRBUF_INIT;
    sb_add(&detail, "{\"provider\":");
    od_json_quote(&detail, PQgetvalue(r, 0, 0));
    sb_add(&detail, ",\"resource\":");
    od_json_quote(&detail, PQgetvalue(r, 0, 1));
    sb_add(&detail, ",\"record_id\":");
    od_json_quote(&detail, PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2));
    sb_add(&detail, ",\"reason\":");
    od_json_quote(&detail, PQgetvalue(r, 0, 3));
    sb_addf(&detail, ",\"payload_bytes\":%s,\"was_resolved\":%s}", PQgetvalue(r, 0, 4),
            *PQgetvalue(r, 0, 5) == 't' ? "true" : "false");
    PQclear(r);
    int rc = od_dl_audit(c, who, "deadletter.discard", id, "ok", sb_str(&detail));
    sb_release(&detail);
    if (rc < 0 || od_db_commit(c) < 0) {
        od_db_rollback(c);
        return -1;
    }
    return 0;
}

int od_deadletters_open_ids(PGconn *c, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    PGresult *r = od_db_exec(
        c, "SELECT id FROM sync_dead_letters WHERE resolved_at IS NULL ORDER BY id", 0, NULL);
    if (!r) return -1;
    *n = (size_t)PQntuples(r);
    *ids = od_xcalloc(*n ? *n : 1, sizeof **ids);
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
    PQclear(r);
    return 0;
}

int od_deadletters_counts(PGconn *c, struct od_dl_count **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    PGresult *r = od_db_exec(c,
                             "SELECT provider, resource, count(*) FROM sync_dead_letters"
                             " WHERE resolved_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2",
                             0, NULL);
    if (!r) return -1;
    *n = (size_t)PQntuples(r);
    *out = od_xcalloc(*n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        snprintf((*out)[i].provider, sizeof(*out)[i].provider, "%s", PQgetvalue(r, (int)i, 0));
        snprintf((*out)[i].resource, sizeof(*out)[i].resource, "%s", PQgetvalue(r, (int)i, 1));
        (*out)[i].open = strtoll(PQgetvalue(r, (int)i, 2), NULL, 10);
    }
    PQclear(r);
    return 0;
}
