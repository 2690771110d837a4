/* rollup — time entries with their rollups, soft deletes, rebuild/check. See rollup.h. */
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rtab {
    const char *name;
    const char *keys[3];
    bool has_client;
};

static const struct rtab tabs[OD_ROLLUP_TABLES] = {
    {"profit_rollup_project_month", {"project_id", "month", NULL}, true},
    {"profit_rollup_client_month", {"client_id", "month", NULL}, false},
    {"profit_rollup_person_month", {"user_id", "month", NULL}, false},
    {"profit_rollup_project_person_month", {"project_id", "month", "user_id"}, false},
};

/* The definition of every rollup column, over rows (sign, project_id, client_id, user_id,
 * month, hours, rounded_hours, billable, billable_rate, cost_rate). Used for the deltas and
 * for the rebuild alike, so both always agree. */
static const char agg_sql[] =
    "sum(sign)::bigint AS entries, sum(sign * hours) AS hours, "
    "sum(sign * CASE WHEN billable THEN coalesce(rounded_hours, hours) ELSE 0 END) AS "
    "billable_hours, "
    "sum(sign * CASE WHEN billable THEN coalesce(rounded_hours, hours) * coalesce(billable_rate, 0)"
    " ELSE 0 END) AS revenue, "
    "sum(sign * hours * coalesce(cost_rate, 0)) AS cost, "
    "sum(sign * (cost_rate IS NULL)::int)::bigint AS missing_cost_rate, "
    "sum(sign * (billable AND billable_rate IS NULL)::int)::bigint AS missing_billable_rate";
static const char *const measures[] = {"entries",
                                       "hours",
                                       "billable_hours",
                                       "revenue",
                                       "cost",
                                       "missing_cost_rate",
                                       "missing_billable_rate"};

/* Contribution columns of a time-entry row aliased p (after the sign). */
#define CONTRIB(p)                                                                                 \
    p "project_id, " p "client_id, " p "user_id, date_trunc('month', " p "spent_date)::date, " p   \
      "hours, " p "rounded_hours, " p "billable, " p "billable_rate, " p "cost_rate"

static const char raw_source[] =
    "(SELECT 1 AS sign, project_id, client_id, user_id, date_trunc('month', spent_date)::date "
    "AS month, hours, rounded_hours, billable, billable_rate, cost_rate "
    "FROM harvest_time_entries WHERE deleted_at IS NULL) d";

int od_rollup_lock(PGconn *c)
{
    return od_db_cmd(c, "SELECT pg_advisory_xact_lock(hashtext('opsdeck.harvest_time_entries'))", 0,
                     NULL);
}

static int ensure_delta(PGconn *c)
{
    if (od_db_cmd(c, "SET LOCAL client_min_messages = warning", 0, NULL) < 0) return -1;
    return od_db_cmd(c,
                     "CREATE TEMP TABLE IF NOT EXISTS od_te_delta (sign int NOT NULL, "
                     "project_id bigint, client_id bigint, user_id bigint, month date, "
                     "hours numeric, rounded_hours numeric, billable boolean, "
                     "billable_rate numeric, cost_rate numeric) ON COMMIT DELETE ROWS",
                     0, NULL);
}

static void keys_list(struct strbuf *sb, const struct rtab *t, const char *prefix)
{
    for (int k = 0; k < 3 && t->keys[k]; k++)
        sb_addf(sb, "%s%s%s", k ? ", " : "", prefix, t->keys[k]);
}

static void insert_head(struct strbuf *sb, const struct rtab *t)
{
    sb_addf(sb, "INSERT INTO %s AS r (", t->name);
    keys_list(sb, t, "");
    if (t->has_client) sb_add(sb, ", client_id");
    for (size_t m = 0; m < OD_ARRAY_LEN(measures); m++)
        sb_addf(sb, ", %s", measures[m]);
    sb_add(sb, ") ");
}

/* Add the contributions in od_te_delta to every table, then (when something was subtracted)
 * drop the keys that became empty. */
static int apply_delta(PGconn *c, bool subtracted)
{
    struct strbuf sql = STRBUF_INIT;
    int rc = 0;
    for (int i = 0; i < OD_ROLLUP_TABLES && rc == 0; i++) {
        const struct rtab *t = &tabs[i];
        sb_reset(&sql);
        insert_head(&sql, t);
        sb_add(&sql, "SELECT ");
        keys_list(&sql, t, "");
        if (t->has_client) sb_add(&sql, ", max(client_id) FILTER (WHERE sign > 0)");
        sb_addf(&sql, ", %s FROM od_te_delta GROUP BY ", agg_sql);
        keys_list(&sql, t, "");
        sb_add(&sql, " ON CONFLICT (");
        keys_list(&sql, t, "");
        sb_add(&sql, ") DO UPDATE SET ");
        if (t->has_client) sb_add(&sql, "client_id = coalesce(excluded.client_id, r.client_id), ");
        for (size_t m = 0; m < OD_ARRAY_LEN(measures); m++)
            sb_addf(&sql, "%s%s = r.%s + excluded.%s", m ? ", " : "", measures[m], measures[m],
                    measures[m]);
        rc = od_db_cmd(c, sb_str(&sql), 0, NULL);
        if (rc < 0) break;
        if (!subtracted) continue;
        sb_reset(&sql);
        sb_addf(&sql, "DELETE FROM %s r USING (SELECT DISTINCT ", t->name);
        keys_list(&sql, t, "");
        sb_add(&sql, " FROM od_te_delta) d WHERE r.entries = 0");
        for (int k = 0; k < 3 && t->keys[k]; k++)
            sb_addf(&sql, " AND r.%s = d.%s", t->keys[k], t->keys[k]);
        rc = od_db_cmd(c, sb_str(&sql), 0, NULL);
    }
    sb_release(&sql);
    return rc;
}

int od_rollup_soft_delete(PGconn *c, const char *from, const char *to, const char *since,
                          const int64_t *seen, size_t nseen, int64_t *deleted)
{
    *deleted = 0;
    if (od_rollup_lock(c) < 0 || ensure_delta(c) < 0) return -1;
    if (od_store_seen(c, seen, nseen) < 0) return -1;
    PGresult *r =
        od_db_exec(c,
                   "WITH d AS (UPDATE harvest_time_entries t SET deleted_at = now() "
                   "WHERE spent_date BETWEEN $1::date AND $2::date AND deleted_at IS NULL "
                   "AND synced_at < $3::timestamptz AND NOT EXISTS (SELECT 1 FROM od_seen s WHERE "
                   "s.id = t.id) "
                   "RETURNING t.*) INSERT INTO od_te_delta SELECT -1, " CONTRIB("d.") " FROM d",
                   3, (const char *const[]){from, to, since});
    if (!r) return -1;
    *deleted = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return *deleted ? apply_delta(c, true) : 0;
}

/* Recompute table t into a temp table, count differing keys, optionally replace t. */
static int64_t rebuild_one(PGconn *c, const struct rtab *t, bool fix, struct od_rollup_diff *d)
{
    struct strbuf sql = STRBUF_INIT;
    int64_t n = -1;
    memset(d, 0, sizeof *d);
    d->table = t->name;
    sb_addf(&sql, "CREATE TEMP TABLE od_fresh ON COMMIT DROP AS SELECT ");
    keys_list(&sql, t, "");
    if (t->has_client) sb_add(&sql, ", max(client_id) AS client_id");
    sb_addf(&sql, ", %s FROM %s GROUP BY ", agg_sql, raw_source);
    keys_list(&sql, t, "");
    if (od_db_cmd(c, sb_str(&sql), 0, NULL) < 0) goto done;
    sb_reset(&sql);
    sb_add(&sql, "SELECT count(*), coalesce(min(concat_ws(' ', ");
    keys_list(&sql, t, "");
    sb_addf(&sql, ")), '') FROM od_fresh f FULL JOIN %s r USING (", t->name);
    keys_list(&sql, t, "");
    sb_add(&sql, ") WHERE false");
    for (size_t m = 0; m < OD_ARRAY_LEN(measures); m++)
        sb_addf(&sql, " OR f.%s IS DISTINCT FROM r.%s", measures[m], measures[m]);
    if (t->has_client) sb_add(&sql, " OR f.client_id IS DISTINCT FROM r.client_id");
    PGresult *r = od_db_exec(c, sb_str(&sql), 0, NULL);
    if (!r) goto done;
    n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(d->example, sizeof d->example, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    d->differing = n;
    if (fix && n > 0) {
        sb_reset(&sql);
        sb_addf(&sql, "DELETE FROM %s", t->name);
        if (od_db_cmd(c, sb_str(&sql), 0, NULL) < 0) {
            n = -1;
            goto done;
        }
        sb_reset(&sql);
        insert_head(&sql, t);
        sb_add(&sql, "SELECT * FROM od_fresh");
        if (od_db_cmd(c, sb_str(&sql), 0, NULL) < 0) {
            n = -1;
            goto done;
        }
    }
    if (od_db_cmd(c, "DROP TABLE od_fresh", 0, NULL) < 0) n = -1;
done:
    sb_release(&sql);
    return n;
}

int64_t od_rollup_rebuild(PGconn *c, bool fix, struct od_rollup_diff diffs[OD_ROLLUP_TABLES])
{
    int64_t total = 0;
    if (od_db_begin(c) < 0) return -1;
    /* The check must see one consistent state: the writer lock keeps syncs out meanwhile. */
    if (od_rollup_lock(c) < 0) goto fail;
    for (int i = 0; i < OD_ROLLUP_TABLES; i++) {
        int64_t n = rebuild_one(c, &tabs[i], fix, &diffs[i]);
        if (n < 0) goto fail;
        total += n;
    }
    if (od_db_commit(c) < 0) return -1;
    return total;
fail:
    od_db_rollback(c);
    return -1;
}

/* ---- deltas summed in C (the time-entry store) ------------------------------------------- */

/* One key of one rollup table and the sums of the contributions to it. */
struct cell {
    int64_t k0, k2; /* project | client | user; user in the 3-key table, else 0 */
    int32_t month;  /* year * 12 + month - 1 */
    int64_t entries, hours, billable_hours, missing_cost, missing_brate, client;
    __int128 revenue, cost; /* scale 4 */
};

/* The cells of one table, densely in v[0..n), found through an open-addressing index of
 * slot numbers + 1 (0: empty; linear probing; cap a power of two, kept under 70% full). */
struct cellmap {
    struct cell *v;
    size_t n, capv;
    uint32_t *slot;
    size_t cap;
};

struct od_rollup_delta {
    struct cellmap m[OD_ROLLUP_TABLES];
    bool subtracted;
};

struct od_rollup_delta *od_rollup_delta_new(void)
{
    return od_xcalloc(1, sizeof(struct od_rollup_delta));
}

void od_rollup_delta_free(struct od_rollup_delta *d)
{
    if (!d) return;
    for (int t = 0; t < OD_ROLLUP_TABLES; t++) {
        free(d->m[t].v);
        free(d->m[t].slot);
    }
    free(d);
}

size_t od_rollup_delta_keys(const struct od_rollup_delta *d)
{
    size_t n = 0;
    for (int t = 0; t < OD_ROLLUP_TABLES; t++)
        n += d->m[t].n;
    return n;
}

static size_t hash_of(int64_t k0, int32_t month, int64_t k2)
{
    uint64_t h = (uint64_t)k0 * 0x9E3779B97F4A7C15u ^ (uint64_t)month * 0xC2B2AE3D27D4EB4Fu ^
                 (uint64_t)k2 * 0x165667B19E3779F9u;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 29;
    return (size_t)h;
}

static void map_index(struct cellmap *m, size_t i)
{
    const struct cell *c = &m->v[i];
    size_t s = hash_of(c->k0, c->month, c->k2) & (m->cap - 1);
    while (m->slot[s])
        s = (s + 1) & (m->cap - 1);
    m->slot[s] = (uint32_t)(i + 1);
}

/* The cell of a key, added (zeroed) when new. */
static struct cell *cell_get(struct cellmap *m, int64_t k0, int32_t month, int64_t k2)
{
    if ((m->n + 1) * 10 > m->cap * 7) {
        free(m->slot);
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->slot = od_xcalloc(m->cap, sizeof *m->slot);
        for (size_t i = 0; i < m->n; i++)
            map_index(m, i);
    }
    size_t s = hash_of(k0, month, k2) & (m->cap - 1);
    for (; m->slot[s]; s = (s + 1) & (m->cap - 1)) {
        struct cell *c = &m->v[m->slot[s] - 1];
        if (c->k0 == k0 && c->month == month && c->k2 == k2) return c;
    }
    if (m->n == m->capv) {
        m->capv = m->capv ? m->capv * 2 : 512;
        m->v = od_xrealloc(m->v, m->capv * sizeof *m->v);
    }
    struct cell *c = &m->v[m->n];
    memset(c, 0, sizeof *c);
    c->k0 = k0;
    c->month = month;
    c->k2 = k2;
    m->slot[s] = (uint32_t)++m->n;
    return c;
}

void od_rollup_delta_add(struct od_rollup_delta *d, const struct od_rollup_entry *e, int sign)
{
    int64_t rh = e->has_rounded ? e->rounded : e->hours;
    int64_t hours = sign * e->hours, bh = e->billable ? sign * rh : 0;
    __int128 rev = e->billable && e->has_brate ? (__int128)sign * rh * e->brate : 0;
    __int128 cost = e->has_crate ? (__int128)sign * e->hours * e->crate : 0;
    int64_t mc = e->has_crate ? 0 : sign, mb = e->billable && !e->has_brate ? sign : 0;
    for (int t = 0; t < OD_ROLLUP_TABLES; t++) {
        int64_t k0 = t == 1 ? e->client : t == 2 ? e->user : e->project;
        struct cell *c = cell_get(&d->m[t], k0, e->month, t == 3 ? e->user : 0);
        c->entries += sign;
        c->hours += hours;
        c->billable_hours += bh;
        c->revenue += rev;
        c->cost += cost;
        c->missing_cost += mc;
        c->missing_brate += mb;
        if (sign > 0 && e->client > c->client) c->client = e->client;
    }
    if (sign < 0) d->subtracted = true;
}

static int cmp_cell(const void *a, const void *b)
{
    const struct cell *x = *(const struct cell *const *)a, *y = *(const struct cell *const *)b;
    if (x->k0 != y->k0) return x->k0 < y->k0 ? -1 : 1;
    if (x->month != y->month) return x->month < y->month ? -1 : 1;
    return (x->k2 > y->k2) - (x->k2 < y->k2);
}

/* Exact decimal text of v at scale (v may exceed int64). */
static void put_fixed(struct strbuf *sb, __int128 v, int scale)
{
    char tmp[64];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        if (n == scale && scale > 0) tmp[n++] = '.';
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u || n <= scale);
    if (neg) tmp[n++] = '-';
    while (n)
        sb_addch(sb, tmp[--n]);
}

enum {
    A_K0,
    A_MONTH,
    A_K2,
    A_CLIENT,
    A_ENTRIES,
    A_HOURS,
    A_BHOURS,
    A_REV,
    A_COST,
    A_MC,
    A_MB,
    A_N
};

static void put_month(struct strbuf *sb, int32_t m)
{
    char buf[16];
    int y = m / 12, mo = m % 12 + 1;
    if (y < 0 || y > 9999) {
        sb_addf(sb, "%04d-%02d-01", y, mo); /* out of range: the server will say so */
        return;
    }
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + mo / 10);
    buf[6] = (char)('0' + mo % 10);
    memcpy(buf + 7, "-01", 3);
    sb_addn(sb, buf, 10);
}

/* Table t's summed cells, in key order, into array literals; then upsert + drop empty keys. */
static int apply_table(PGconn *c, struct od_rollup_delta *d, int t, struct strbuf *sql)
{
    const struct rtab *tab = &tabs[t];
    struct cellmap *m = &d->m[t];
    struct cell **order = od_xcalloc(m->n ? m->n : 1, sizeof *order);
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++)
        order[k++] = &m->v[i];
    qsort(order, k, sizeof *order, cmp_cell); /* key order: neighbouring index pages */
    struct strbuf a[A_N];
    for (int i = 0; i < A_N; i++) {
        a[i] = (struct strbuf)STRBUF_INIT;
        sb_addch(&a[i], '{');
    }
    size_t groups = 0;
    for (size_t i = 0; i < k; i++) {
        const struct cell *x = order[i];
        if (!x->entries && !x->hours && !x->billable_hours && !x->revenue && !x->cost &&
            !x->missing_cost && !x->missing_brate && !(tab->has_client && x->client))
            continue; /* nets to nothing (a replay) */
        groups++;
        for (int j = 0; j < A_N; j++)
            if (a[j].len > 1) sb_addch(&a[j], ',');
        sb_addi64(&a[A_K0], x->k0);
        put_month(&a[A_MONTH], x->month);
        sb_addi64(&a[A_K2], x->k2);
        if (x->client)
            sb_addi64(&a[A_CLIENT], x->client);
        else
            sb_add(&a[A_CLIENT], "NULL");
        sb_addi64(&a[A_ENTRIES], x->entries);
        put_fixed(&a[A_HOURS], x->hours, 2);
        put_fixed(&a[A_BHOURS], x->billable_hours, 2);
        put_fixed(&a[A_REV], x->revenue, 4);
        put_fixed(&a[A_COST], x->cost, 4);
        sb_addi64(&a[A_MC], x->missing_cost);
        sb_addi64(&a[A_MB], x->missing_brate);
    }
    free(order);
    int rc = 0;
    if (groups) {
        const char *p[A_N];
        for (int i = 0; i < A_N; i++) {
            sb_addch(&a[i], '}');
            p[i] = sb_str(&a[i]);
        }
        bool three = tab->keys[2] != NULL;
        /* $1 key, $2 month, $3 user (3-key table), $4 client, $5.. measures */
        sb_reset(sql);
        insert_head(sql, tab);
        sb_add(sql, "SELECT k0, m");
        if (three) sb_add(sql, ", k2");
        if (tab->has_client) sb_add(sql, ", cl");
        sb_add(sql, ", e, h, bh, rv, co, mc, mb FROM unnest($1::bigint[], $2::date[], "
                    "$3::bigint[], $4::bigint[], $5::bigint[], $6::numeric[], $7::numeric[], "
                    "$8::numeric[], $9::numeric[], $10::bigint[], $11::bigint[]) "
                    "AS u(k0, m, k2, cl, e, h, bh, rv, co, mc, mb) ON CONFLICT (");
        keys_list(sql, tab, "");
        sb_add(sql, ") DO UPDATE SET ");
        if (tab->has_client) sb_add(sql, "client_id = coalesce(excluded.client_id, r.client_id), ");
        for (size_t j = 0; j < OD_ARRAY_LEN(measures); j++)
            sb_addf(sql, "%s%s = r.%s + excluded.%s", j ? ", " : "", measures[j], measures[j],
                    measures[j]);
        rc = od_db_cmd(c, sb_str(sql), A_N, p);
        if (rc == 0 && d->subtracted) {
            sb_reset(sql);
            sb_addf(sql,
                    "DELETE FROM %s r USING unnest($1::bigint[], $2::date[], $3::bigint[]) "
                    "AS u(k0, m, k2) WHERE r.entries = 0 AND r.%s = u.k0 AND r.month = u.m",
                    tab->name, tab->keys[0]);
            if (three) sb_addf(sql, " AND r.%s = u.k2", tab->keys[2]);
            rc = od_db_cmd(c, sb_str(sql), 3, p);
        }
    }
    for (int i = 0; i < A_N; i++)
        sb_release(&a[i]);
    return rc;
}

/* Empty a map; one grown beyond a usual transaction gives its memory back. */
static void map_clear(struct cellmap *m)
{
    if (m->capv > 16384) {
        free(m->v);
        free(m->slot);
        memset(m, 0, sizeof *m);
        return;
    }
    if (m->slot) memset(m->slot, 0, m->cap * sizeof *m->slot);
    m->n = 0;
}

int od_rollup_delta_apply(PGconn *c, struct od_rollup_delta *d)
{
    struct strbuf sql = STRBUF_INIT;
    int rc = 0;
    for (int t = 0; t < OD_ROLLUP_TABLES && rc == 0; t++)
        if (d->m[t].n) rc = apply_table(c, d, t, &sql);
    sb_release(&sql);
    for (int t = 0; t < OD_ROLLUP_TABLES; t++)
        map_clear(&d->m[t]);
    d->subtracted = false;
    return rc;
}
