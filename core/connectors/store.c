/* store — validated pages into staged, idempotent upserts. See store.h. */
#include "core/connectors/store.h"
#include "core/db/db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void od_batch_init(struct od_batch *b, const struct od_resource *res)
{
    memset(b, 0, sizeof *b);
    b->res = res;
}

void od_batch_reset(struct od_batch *b)
{
    for (size_t i = 0; i < b->ndead; i++) {
        free(b->dead[i].record_id);
        free(b->dead[i].reason);
        free(b->dead[i].payload);
    }
    b->ndead = 0;
    b->nids = 0;
    b->rows = 0;
    b->min_date[0] = b->max_date[0] = '\0';
    sb_reset(&b->copy);
}

void od_batch_release(struct od_batch *b)
{
    od_batch_reset(b);
    free(b->dead);
    free(b->ids);
    sb_release(&b->copy);
    od_row_release(&b->row);
    sb_release(&b->reason);
    memset(b, 0, sizeof *b);
}

void od_batch_trim(struct od_batch *b)
{
    od_row_release(&b->row);
    sb_release(&b->reason);
    if (b->copy.buf && b->copy.cap > b->copy.len + 1) {
        b->copy.buf = od_xrealloc(b->copy.buf, b->copy.len + 1);
        b->copy.cap = b->copy.len + 1;
    }
    if (b->ids && b->capids > b->nids) {
        b->capids = b->nids ? b->nids : 1;
        b->ids = od_xrealloc(b->ids, b->capids * sizeof *b->ids);
    }
}

static void add_dead(struct od_batch *b, const struct od_json *doc, const struct od_jv *rec)
{
    if (b->ndead == b->capdead) {
        b->capdead = b->capdead ? b->capdead * 2 : 16;
        b->dead = od_xrealloc(b->dead, b->capdead * sizeof *b->dead);
    }
    size_t len;
    const char *raw = od_jv_raw(doc, rec, &len);
    const struct od_jv *id = od_jv_get(rec, "id");
    struct od_dead *d = &b->dead[b->ndead++];
    d->record_id = id && id->text ? od_xstrdup(id->text) : NULL;
    d->reason = od_xstrdup(sb_str(&b->reason));
    d->payload = od_xstrndup(raw, len);
}

void od_batch_add_page(struct od_batch *b, const struct od_json *doc, const struct od_jv *records)
{
    const struct od_resource *res = b->res;
    int date_col = od_field_index(res->fields, res->nfields, "spent_date");
    for (const struct od_jv *r = od_jv_first(records); r; r = od_jv_next(r)) {
        sb_reset(&b->reason);
        if (od_row_extract(&b->row, doc, r, res->fields, res->nfields, &b->reason) < 0) {
            add_dead(b, doc, r);
            continue;
        }
        od_row_copy_line(&b->row, &b->copy);
        b->rows++;
        if (b->nids == b->capids) {
            b->capids = b->capids ? b->capids * 2 : 256;
            b->ids = od_xrealloc(b->ids, b->capids * sizeof *b->ids);
        }
        b->ids[b->nids++] = strtoll(od_row_val(&b->row, 0), NULL, 10);
        if (date_col >= 0) {
            const char *d = od_row_val(&b->row, date_col);
            if (!b->min_date[0] || strcmp(d, b->min_date) < 0)
                snprintf(b->min_date, sizeof b->min_date, "%s", d);
            if (!b->max_date[0] || strcmp(d, b->max_date) > 0)
                snprintf(b->max_date, sizeof b->max_date, "%s", d);
        }
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

bool od_batch_has_duplicates(const struct od_batch *b)
{
    if (b->nids < 2) return false;
    int64_t *s = od_xmalloc(b->nids * sizeof *s);
    memcpy(s, b->ids, b->nids * sizeof *s);
    qsort(s, b->nids, sizeof *s, cmp_i64);
    bool dup = false;
    for (size_t i = 1; i < b->nids && !dup; i++)
        dup = s[i] == s[i - 1];
    free(s);
    return dup;
}

int od_copy_in(PGconn *c, const char *copy_sql, const char *data, size_t len)
{
    PGresult *r = PQexec(c, copy_sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        od_seterr("COPY failed to start: %s", PQerrorMessage(c));
        PQclear(r);
        return -1;
    }
    PQclear(r);
    int ok = 1;
    for (size_t off = 0; off < len && ok == 1;) {
        size_t n = len - off > (1u << 20) ? (1u << 20) : len - off;
        ok = PQputCopyData(c, data + off, (int)n);
        off += n;
    }
    if (PQputCopyEnd(c, ok == 1 ? NULL : "client error") != 1 || ok != 1) {
        od_seterr("COPY failed: %s", PQerrorMessage(c));
        while ((r = PQgetResult(c)))
            PQclear(r);
        return -1;
    }
    int rc = 0;
    while ((r = PQgetResult(c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0)
            rc = od_seterr("COPY failed: %s", PQresultErrorMessage(r));
        PQclear(r);
    }
    return rc;
}

static void column_list(struct strbuf *sb, const struct od_resource *res, const char *prefix)
{
    for (int i = 0; i < res->nfields; i++)
        sb_addf(sb, "%s%s%s", i ? ", " : "", prefix, res->fields[i].column);
}

int od_store_stage(PGconn *c, struct od_batch *b, struct od_store_result *out)
{
    const struct od_resource *res = b->res;
    struct strbuf sql = STRBUF_INIT;
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (od_db_cmd(c, "SET LOCAL client_min_messages = warning", 0, NULL) < 0) goto done;
    sb_addf(&sql,
            "CREATE TEMP TABLE IF NOT EXISTS od_stage_%s (LIKE %s INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS",
            res->table, res->table);
    if (od_db_cmd(c, sb_str(&sql), 0, NULL) < 0) goto done;
    sb_reset(&sql);
    sb_addf(&sql, "COPY od_stage_%s (", res->table);
    column_list(&sql, res, "");
    sb_add(&sql, ") FROM STDIN");
    if (od_copy_in(c, sb_str(&sql), b->copy.buf ? b->copy.buf : "", b->copy.len) < 0) goto done;
    if (od_batch_has_duplicates(b)) {
        sb_reset(&sql);
        sb_addf(
            &sql,
            "DELETE FROM od_stage_%s a USING od_stage_%s s WHERE a.id = s.id AND "
            "(a.updated_at < s.updated_at OR (a.updated_at = s.updated_at AND a.ctid < s.ctid))",
            res->table, res->table);
        if (od_db_cmd(c, sb_str(&sql), 0, NULL) < 0) goto done;
    }
    sb_reset(&sql);
    sb_addf(&sql,
            "SELECT to_char(max(updated_at) AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM od_stage_%s",
            res->table);
    PGresult *r = od_db_exec(c, sb_str(&sql), 0, NULL);
    if (!r) goto done;
    snprintf(out->max_updated, sizeof out->max_updated, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    rc = 0;
done:
    sb_release(&sql);
    return rc;
}

/* A record re-delivered unchanged (overlap, full re-sync) is not filed twice. */
int od_store_dead_letters(PGconn *c, const struct od_batch *b, int64_t job_id)
{
    char job[24];
    snprintf(job, sizeof job, "%lld", (long long)job_id);
    for (size_t i = 0; i < b->ndead; i++) {
        const struct od_dead *d = &b->dead[i];
        const char *p[] = {b->res->provider,        b->res->name, d->record_id,
                           job_id > 0 ? job : NULL, d->reason,    d->payload};
        if (od_db_cmd(c,
                      "INSERT INTO sync_dead_letters (provider, resource, record_id, job_id, "
                      "reason, payload) SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, "
                      "$6::text WHERE NOT EXISTS ("
                      "SELECT 1 FROM sync_dead_letters WHERE provider = $1 AND resource = $2 "
                      "AND record_id IS NOT DISTINCT FROM $3 AND payload = $6 "
                      "AND resolved_at IS NULL)",
                      6, p) < 0)
            return -1;
    }
    return 0;
}

int od_store_batch(PGconn *c, struct od_batch *b, int64_t job_id, struct od_store_result *out)
{
    const struct od_resource *res = b->res;
    if (od_store_stage(c, b, out) < 0) return -1;
    struct strbuf sql = STRBUF_INIT;
    sb_addf(&sql, "INSERT INTO %s AS t (", res->table);
    column_list(&sql, res, "");
    sb_add(&sql, ", synced_at) SELECT ");
    column_list(&sql, res, "");
    sb_addf(&sql, ", now() FROM od_stage_%s ON CONFLICT (id) DO UPDATE SET ", res->table);
    for (int i = 1; i < res->nfields; i++)
        sb_addf(&sql, "%s = excluded.%s, ", res->fields[i].column, res->fields[i].column);
    if (!res->no_deleted_at) sb_add(&sql, "deleted_at = NULL, ");
    sb_add(&sql, "synced_at = excluded.synced_at WHERE excluded.updated_at >= t.updated_at");
    PGresult *r = od_db_exec(c, sb_str(&sql), 0, NULL);
    sb_release(&sql);
    if (!r) return -1;
    out->upserted = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return od_store_dead_letters(c, b, job_id);
}

int od_store_ensure_partitions(PGconn *c, const char *min_date, const char *max_date)
{
    if (!min_date || !*min_date) return 0;
    return od_db_cmd(c, "SELECT opsdeck_ensure_partitions($1::date, $2::date)", 2,
                     (const char *const[]){min_date, max_date});
}

int od_store_partitions_missing(PGconn *c, const char *min_date, const char *max_date)
{
    if (!min_date || !*min_date) return 0;
    /* Catalog lookups only: no lock on harvest_time_entries. Names as opsdeck_ensure_partition
     * (sql/0001_init.sql) makes them. */
    PGresult *r =
        od_db_exec(c,
                   "SELECT count(*) FROM generate_series(date_trunc('month', $1::date), $2::date, "
                   "interval '1 month') AS m WHERE to_regclass(format('harvest_time_entries_%s', "
                   "to_char(m, 'YYYY_MM'))) IS NULL",
                   2, (const char *const[]){min_date, max_date});
    if (!r) return -1;
    int n = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n > 0;
}

int od_cursor_put(PGconn *c, const char *provider, const char *account, const char *resource,
                  const char *iso)
{
    if (!iso || !*iso) return 0;
    return od_db_cmd(c,
                     "INSERT INTO sync_cursors AS s (provider, account_id, resource, cursor) "
                     "VALUES ($1, $2, $3, $4) ON CONFLICT (provider, account_id, resource) DO "
                     "UPDATE SET cursor = CASE WHEN s.cursor IS NULL OR "
                     "excluded.cursor::timestamptz > s.cursor::timestamptz THEN excluded.cursor "
                     "ELSE s.cursor END, updated_at = now()",
                     4, (const char *const[]){provider, account, resource, iso});
}

int od_cursor_since(PGconn *c, const char *provider, const char *account, const char *resource,
                    int overlap_s, char **iso, int64_t *ms)
{
    char ov[16];
    snprintf(ov, sizeof ov, "%d", overlap_s);
    *iso = NULL;
    *ms = 0;
    PGresult *r = od_db_exec(
        c,
        "SELECT to_char((cursor::timestamptz - $4::int * interval '1 second') AT TIME ZONE "
        "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), floor(extract(epoch FROM cursor::timestamptz "
        "- $4::int * interval '1 second') * 1000)::bigint FROM sync_cursors "
        "WHERE provider = $1 AND account_id = $2 AND resource = $3 AND cursor IS NOT NULL",
        4, (const char *const[]){provider, account, resource, ov});
    if (!r) return -1;
    if (PQntuples(r) == 1) {
        *iso = od_xstrdup(PQgetvalue(r, 0, 0));
        *ms = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return 0;
}

int od_store_seen(PGconn *c, const int64_t *seen, size_t n)
{
    if (od_db_cmd(c, "SET LOCAL client_min_messages = warning", 0, NULL) < 0 ||
        od_db_cmd(c,
                  "CREATE TEMP TABLE IF NOT EXISTS od_seen (id bigint NOT NULL) "
                  "ON COMMIT DELETE ROWS",
                  0, NULL) < 0 ||
        od_db_cmd(c, "TRUNCATE od_seen", 0, NULL) < 0)
        return -1;
    struct strbuf data = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        sb_addf(&data, "%lld\n", (long long)seen[i]);
    int rc = od_copy_in(c, "COPY od_seen (id) FROM STDIN", data.buf ? data.buf : "", data.len);
    sb_release(&data);
    if (rc == 0) rc = od_db_cmd(c, "ANALYZE od_seen", 0, NULL);
    return rc;
}

int od_store_soft_delete(PGconn *c, const struct od_resource *res, const char *since,
                         int64_t *deleted)
{
    struct strbuf sql = STRBUF_INIT;
    *deleted = 0;
    if (res->no_deleted_at) return 0;
    sb_addf(&sql,
            "UPDATE %s t SET deleted_at = now() WHERE deleted_at IS NULL AND synced_at < "
            "$1::timestamptz AND NOT EXISTS (SELECT 1 FROM od_seen s WHERE s.id = t.id)",
            res->table);
    PGresult *r = od_db_exec(c, sb_str(&sql), 1, (const char *const[]){since});
    sb_release(&sql);
    if (!r) return -1;
    *deleted = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}
