/* entries — a page of time entries into rows, id index and rollups. See entries.h. */
#include "core/connectors/entries.h"
#include "core/connectors/refs.h"
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include "core/db/stmt.h"
#include "core/base/money.h"
#include "core/base/time.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum act { A_NEW, A_SKIP, A_SAME, A_MOVED };

struct te {
    int64_t id, upd_us;
    int32_t day, old_day; /* days since 1970-01-01 */
    size_t pos;           /* record order in the page */
    size_t off, len;      /* its COPY line in the batch */
    struct od_rollup_entry e;
    enum act act;
};

/* Column numbers in the COPY text (the order of the resource's field table). */
struct cols {
    int date, user, client, project, hours, rounded, billable, brate, crate, updated;
};

static bool is_null(const char *v, size_t n)
{
    return n == 2 && v[0] == '\\' && v[1] == 'N';
}

static int fixed_field(const char *v, size_t n, int64_t *out, bool *present)
{
    if (present) *present = !is_null(v, n);
    if (is_null(v, n)) {
        *out = 0;
        return present ? 0 : -1;
    }
    return od_fixed_parse_n(v, n, 2, out);
}

static int month_of(int32_t day)
{
    int y, m, d;
    od_civil_from_days(day, &y, &m, &d);
    return y * 12 + m - 1;
}

/* One COPY line into t; -1 when it does not read back (a bug upstream of here). */
static int read_line(const struct cols *k, const char *line, size_t len, struct te *t)
{
    /* Split the line once: start and length of its first MAX_COLS fields. */
    enum { MAX_COLS = 32 };
    const char *fs[MAX_COLS];
    size_t fl[MAX_COLS];
    int nf = 0;
    for (const char *p = line, *end = line + len; nf < MAX_COLS;) {
        const char *q = memchr(p, '\t', (size_t)(end - p));
        fs[nf] = p;
        fl[nf++] = (size_t)((q ? q : end) - p);
        if (!q) break;
        p = q + 1;
    }
    size_t n[11];
    const char *v[11];
    const int idx[11] = {0,          k->date,     k->user,  k->client, k->project, k->hours,
                         k->rounded, k->billable, k->brate, k->crate,  k->updated};
    for (int i = 0; i < 11; i++) {
        if (idx[i] < 0 || idx[i] >= nf) return -1;
        v[i] = fs[idx[i]];
        n[i] = fl[idx[i]];
    }
    t->id = strtoll(v[0], NULL, 10);
    int64_t day;
    t->day = od_date_parse(v[1], n[1], &day) == 0 ? (int32_t)day : INT32_MIN;
    t->e.user = strtoll(v[2], NULL, 10);
    t->e.client = strtoll(v[3], NULL, 10);
    t->e.project = strtoll(v[4], NULL, 10);
    t->e.billable = n[7] == 1 && v[7][0] == 't';
    if (t->day == INT32_MIN || fixed_field(v[5], n[5], &t->e.hours, NULL) < 0 ||
        fixed_field(v[6], n[6], &t->e.rounded, &t->e.has_rounded) < 0 ||
        fixed_field(v[8], n[8], &t->e.brate, &t->e.has_brate) < 0 ||
        fixed_field(v[9], n[9], &t->e.crate, &t->e.has_crate) < 0 ||
        od_time_parse_us(v[10], n[10], &t->upd_us) < 0)
        return -1;
    t->e.month = month_of(t->day);
    t->e.day = t->day;
    t->old_day = INT32_MIN;
    t->act = A_NEW;
    return 0;
}

static int cmp_id_version(const void *a, const void *b)
{
    const struct te *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    if (x->upd_us != y->upd_us) return x->upd_us < y->upd_us ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* The batch's rows, sorted by id, one per id (the newest). */
static int read_rows(struct od_batch *b, struct te **out, size_t *nout, int64_t *max_us)
{
    const struct od_resource *res = b->res;
    struct cols k = {
        od_field_index(res->fields, res->nfields, "spent_date"),
        od_field_index(res->fields, res->nfields, "user_id"),
        od_field_index(res->fields, res->nfields, "client_id"),
        od_field_index(res->fields, res->nfields, "project_id"),
        od_field_index(res->fields, res->nfields, "hours"),
        od_field_index(res->fields, res->nfields, "rounded_hours"),
        od_field_index(res->fields, res->nfields, "billable"),
        od_field_index(res->fields, res->nfields, "billable_rate"),
        od_field_index(res->fields, res->nfields, "cost_rate"),
        od_field_index(res->fields, res->nfields, "updated_at"),
    };
    struct te *t = od_xcalloc(b->nids ? b->nids : 1, sizeof *t);
    size_t n = 0;
    const char *s = b->copy.buf;
    *max_us = INT64_MIN;
    for (size_t off = 0; s && off < b->copy.len && n < b->nids;) {
        const char *nl = memchr(s + off, '\n', b->copy.len - off);
        size_t len = nl ? (size_t)(nl - (s + off)) : b->copy.len - off;
        if (read_line(&k, s + off, len, &t[n]) < 0) {
            free(t);
            return od_seterr("time entry %lld: the validated row does not read back",
                             (long long)b->ids[n]);
        }
        t[n].pos = n;
        t[n].off = off;
        t[n].len = len + 1;
        if (t[n].upd_us > *max_us) *max_us = t[n].upd_us;
        n++;
        off += len + 1;
    }
    qsort(t, n, sizeof *t, cmp_id_version);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && t[i + 1].id == t[i].id) continue; /* a newer version follows */
        t[u++] = t[i];
    }
    *out = t;
    *nout = u;
    return 0;
}

static struct te *find(struct te *t, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && t[lo].id == id ? &t[lo] : NULL;
}

/* The bigint[] literal of the ids in t[0..n) that want() keeps (all when NULL). Caller frees. */
static char *id_array(const struct te *t, size_t n, bool (*want)(const struct te *))
{
    int64_t *v = od_xmalloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!want || want(&t[i])) v[k++] = t[i].id;
    char *lit = od_db_bigint_array(v, k);
    free(v);
    return lit;
}

/* The current rows of ids in [lo, hi], at most lim of them. harvest_time_entries is partitioned
 * by month, so finding rows by id probes the id index of every partition; planning that takes
 * longer than running it, so the statement is prepared once per connection (core/db/stmt.h)
 * and run with a generic plan. */
#define ROW_COLS                                                                                   \
    "id, spent_date - DATE '1970-01-01', project_id, client_id, user_id, hours, rounded_hours, "   \
    "billable, billable_rate, cost_rate, deleted_at IS NULL, "                                     \
    "(extract(epoch FROM updated_at) * 1000000)::bigint"

static PGresult *range_rows(PGconn *c, const char *lo, const char *hi, const char *lim)
{
    if (od_db_cmd(c, "SET LOCAL plan_cache_mode = force_generic_plan", 0, NULL) < 0) return NULL;
    PGresult *r = od_stmt_exec(c,
                               "SELECT " ROW_COLS " FROM harvest_time_entries "
                               "WHERE id BETWEEN $1::bigint AND $2::bigint LIMIT $3::bigint",
                               3, (const char *const[]){lo, hi, lim});
    if (!r) {
        char *why = od_xstrdup(od_err());
        od_seterr("time-entry lookup: %s", why);
        free(why);
    }
    return r;
}

/* The current rows of the page's ids. Ids come roughly in creation order, so first one range
 * scan over [lowest, highest id]: on a first sync it finds nothing at once, and on a re-sync it
 * returns about the page's own rows. Only when the range holds many more rows than the page
 * (ids from far apart, as in an incremental sync) does it look the ids up one by one. */
static PGresult *current_rows(PGconn *c, const struct te *t, size_t n)
{
    char lo[24], hi[24], lim[24];
    snprintf(lo, sizeof lo, "%lld", (long long)t[0].id);
    snprintf(hi, sizeof hi, "%lld", (long long)t[n - 1].id);
    snprintf(lim, sizeof lim, "%zu", 4 * n + 1);
    PGresult *r = range_rows(c, lo, hi, lim);
    if (!r || (size_t)PQntuples(r) <= 4 * n) return r;
    PQclear(r);
    char *ids = id_array(t, n, NULL);
    r = od_db_exec(c, "SELECT " ROW_COLS " FROM harvest_time_entries WHERE id = ANY ($1::bigint[])",
                   1, (const char *const[]){ids});
    free(ids);
    return r;
}

/* Current rows of the page's ids: decide each row's fate and subtract replaced versions. */
static int lookup(PGconn *c, struct te *t, size_t n, struct od_rollup_delta *d)
{
    PGresult *r = current_rows(c, t, n);
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        struct te *x = find(t, n, strtoll(PQgetvalue(r, i, 0), NULL, 10));
        if (!x) continue; /* in the range, not on the page */
        int64_t old_upd = strtoll(PQgetvalue(r, i, 11), NULL, 10);
        if (x->upd_us < old_upd) {
            x->act = A_SKIP; /* the database holds a newer version */
            continue;
        }
        x->old_day = (int32_t)strtol(PQgetvalue(r, i, 1), NULL, 10);
        x->act = x->old_day == x->day ? A_SAME : A_MOVED;
        if (PQgetvalue(r, i, 10)[0] != 't') continue; /* soft-deleted: counted nowhere */
        struct od_rollup_entry o = {
            .project = strtoll(PQgetvalue(r, i, 2), NULL, 10),
            .client = strtoll(PQgetvalue(r, i, 3), NULL, 10),
            .user = strtoll(PQgetvalue(r, i, 4), NULL, 10),
            .month = month_of(x->old_day),
            .day = x->old_day,
            .billable = PQgetvalue(r, i, 7)[0] == 't',
            .has_rounded = !PQgetisnull(r, i, 6),
            .has_brate = !PQgetisnull(r, i, 8),
            .has_crate = !PQgetisnull(r, i, 9),
        };
        if (od_fixed_parse(PQgetvalue(r, i, 5), 2, &o.hours) < 0 ||
            (o.has_rounded && od_fixed_parse(PQgetvalue(r, i, 6), 2, &o.rounded) < 0) ||
            (o.has_brate && od_fixed_parse(PQgetvalue(r, i, 8), 2, &o.brate) < 0) ||
            (o.has_crate && od_fixed_parse(PQgetvalue(r, i, 9), 2, &o.crate) < 0)) {
            PQclear(r);
            return -1;
        }
        od_rollup_delta_add(d, &o, -1);
    }
    PQclear(r);
    return 0;
}

static bool is_moved(const struct te *t)
{
    return t->act == A_MOVED;
}

static void copy_sql(struct strbuf *sb, const struct od_resource *res, const char *table)
{
    sb_reset(sb);
    sb_addf(sb, "COPY %s (", table);
    for (int i = 0; i < res->nfields; i++)
        sb_addf(sb, "%s%s", i ? ", " : "", res->fields[i].column);
    sb_add(sb, ") FROM STDIN");
}

/* Delete moved rows' old versions, COPY new and moved rows, upsert the in-place ones. */
static int write_rows(PGconn *c, struct od_batch *b, struct te *t, size_t n, int64_t *written)
{
    const struct od_resource *res = b->res;
    size_t counts[4] = {0};
    for (size_t i = 0; i < n; i++)
        counts[t[i].act]++;
    struct strbuf data = STRBUF_INIT, sql = STRBUF_INIT, a2 = STRBUF_INIT;
    char *a1 = NULL;
    int rc = -1;
    char day[16];
    if (counts[A_MOVED]) {
        a1 = id_array(t, n, is_moved);
        sb_addch(&a2, '{');
        for (size_t i = 0; i < n; i++)
            if (t[i].act == A_MOVED) {
                od_date_format(t[i].old_day, day, sizeof day);
                sb_addf(&a2, "%s%s", a2.len > 1 ? "," : "", day);
            }
        sb_addch(&a2, '}');
        if (od_db_cmd(c,
                      "DELETE FROM harvest_time_entries o USING unnest($1::bigint[], $2::date[]) "
                      "AS k(id, d) WHERE o.id = k.id AND o.spent_date = k.d",
                      2, (const char *const[]){a1, sb_str(&a2)}) < 0)
            goto done;
    }
    for (int pass = 0; pass < 2; pass++) { /* 0: new + moved straight in; 1: in place, staged */
        sb_reset(&data);
        for (size_t i = 0; i < n; i++)
            if (pass ? t[i].act == A_SAME : t[i].act == A_NEW || t[i].act == A_MOVED)
                sb_addn(&data, b->copy.buf + t[i].off, t[i].len);
        if (!data.len) continue;
        if (pass == 1 &&
            (od_db_cmd(c, "SET LOCAL client_min_messages = warning", 0, NULL) < 0 ||
             od_db_cmd(c,
                       "CREATE TEMP TABLE IF NOT EXISTS od_stage_harvest_time_entries "
                       "(LIKE harvest_time_entries INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
                       0, NULL) < 0))
            goto done;
        copy_sql(&sql, res, pass ? "od_stage_harvest_time_entries" : "harvest_time_entries");
        if (od_copy_in(c, sb_str(&sql), data.buf, data.len) < 0) goto done;
    }
    *written = (int64_t)(counts[A_NEW] + counts[A_MOVED]);
    if (counts[A_SAME]) {
        sb_reset(&sql);
        sb_add(&sql, "INSERT INTO harvest_time_entries AS t (");
        for (int i = 0; i < res->nfields; i++)
            sb_addf(&sql, "%s, ", res->fields[i].column);
        sb_add(&sql, "synced_at) SELECT ");
        for (int i = 0; i < res->nfields; i++)
            sb_addf(&sql, "%s, ", res->fields[i].column);
        sb_add(&sql, "now() FROM od_stage_harvest_time_entries "
                     "ON CONFLICT (id, spent_date) DO UPDATE SET ");
        for (int i = 2; i < res->nfields; i++) /* id and spent_date are the key */
            sb_addf(&sql, "%s = excluded.%s, ", res->fields[i].column, res->fields[i].column);
        sb_add(&sql, "deleted_at = NULL, synced_at = excluded.synced_at "
                     "WHERE excluded.updated_at >= t.updated_at");
        PGresult *r = od_db_exec(c, sb_str(&sql), 0, NULL);
        if (!r) goto done;
        *written += strtoll(PQcmdTuples(r), NULL, 10);
        PQclear(r);
    }
    rc = 0;
done:
    sb_release(&data);
    sb_release(&sql);
    free(a1);
    sb_release(&a2);
    return rc;
}

/* The clients, projects and users the rows name exist here (else a catch-up sync is queued). */
static int check_refs(PGconn *c, const struct te *t, size_t n, struct od_store_result *out)
{
    int64_t *ids = od_xcalloc(n, sizeof *ids);
    struct od_refs_stats st = {0};
    int rc = 0;
    for (int k = 0; k < OD_REF_KINDS && rc == 0; k++) {
        for (size_t i = 0; i < n; i++)
            ids[i] = k == OD_REF_CLIENT    ? t[i].e.client
                     : k == OD_REF_PROJECT ? t[i].e.project
                                           : t[i].e.user;
        rc = od_refs_check(c, (enum od_ref_kind)k, ids, n, &st);
    }
    free(ids);
    out->refs = st.distinct;
    out->refs_cached = st.cached;
    out->refs_unknown = st.unknown;
    return rc;
}

int od_entries_store(PGconn *c, struct od_batch *b, int64_t job_id, struct od_rollup_delta *d,
                     struct od_store_result *out)
{
    memset(out, 0, sizeof *out);
    int64_t t0 = od_now_us();
    struct te *t = NULL;
    size_t n = 0;
    int64_t max_us;
    int rc = -1;
    if (read_rows(b, &t, &n, &max_us) < 0) goto done;
    if (n) od_time_format_us(max_us, out->max_updated, sizeof out->max_updated);
    if (n && check_refs(c, t, n, out) < 0) goto done;
    if (n && lookup(c, t, n, d) < 0) goto done;
    int64_t t1 = od_now_us();
    if (n && write_rows(c, b, t, n, &out->upserted) < 0) goto done;
    for (size_t i = 0; i < n; i++)
        if (t[i].act != A_SKIP) od_rollup_delta_add(d, &t[i].e, +1);
    out->lookup_us = t1 - t0;
    out->write_us = od_now_us() - t1;
    rc = od_store_dead_letters(c, b, job_id);
done:
    free(t);
    return rc;
}
