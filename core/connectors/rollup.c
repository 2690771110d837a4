/* rollup — time entries with their rollups, soft deletes, rebuild/check. See rollup.h. */
#include "core/connectors/rollup.h"
#include "core/db.h"
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
    "sum(sign * CASE WHEN billable THEN hours ELSE 0 END) AS billable_hours, "
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
    /* The id index (sql/0007) is the writer's map of where each entry lives: repair it too. */
    if (fix && (od_db_cmd(c,
                          "INSERT INTO harvest_time_entry_index AS i (id, spent_date) "
                          "SELECT DISTINCT ON (id) id, spent_date FROM harvest_time_entries "
                          "ORDER BY id, updated_at DESC ON CONFLICT (id) DO UPDATE SET "
                          "spent_date = excluded.spent_date WHERE i.spent_date <> "
                          "excluded.spent_date",
                          0, NULL) < 0 ||
                od_db_cmd(c,
                          "DELETE FROM harvest_time_entry_index i WHERE NOT EXISTS (SELECT 1 "
                          "FROM harvest_time_entries o WHERE o.id = i.id AND o.spent_date = "
                          "i.spent_date)",
                          0, NULL) < 0))
        goto fail;
    if (od_db_commit(c) < 0) return -1;
    return total;
fail:
    od_db_rollback(c);
    return -1;
}

/* ---- deltas summed in C (the time-entry store) ------------------------------------------- */

struct contrib {
    int64_t key[3]; /* per table, filled by key_of() */
    int64_t project, client, user;
    int32_t month; /* year * 12 + month - 1 */
    int sign;
    int64_t hours, billable_hours, missing_cost, missing_brate; /* scale 2 / counts */
    __int128 revenue, cost;                                     /* scale 4 */
};

struct od_rollup_delta {
    struct contrib *v;
    size_t n, cap;
    bool subtracted;
};

struct od_rollup_delta *od_rollup_delta_new(void)
{
    return od_xcalloc(1, sizeof(struct od_rollup_delta));
}

void od_rollup_delta_free(struct od_rollup_delta *d)
{
    if (!d) return;
    free(d->v);
    free(d);
}

void od_rollup_delta_add(struct od_rollup_delta *d, const struct od_rollup_entry *e, int sign)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->v = od_xrealloc(d->v, d->cap * sizeof *d->v);
    }
    struct contrib *c = &d->v[d->n++];
    memset(c, 0, sizeof *c);
    c->project = e->project;
    c->client = e->client;
    c->user = e->user;
    c->month = e->month;
    c->sign = sign;
    c->hours = sign * e->hours;
    c->billable_hours = e->billable ? sign * e->hours : 0;
    int64_t rh = e->has_rounded ? e->rounded : e->hours;
    c->revenue = e->billable && e->has_brate ? (__int128)sign * rh * e->brate : 0;
    c->cost = e->has_crate ? (__int128)sign * e->hours * e->crate : 0;
    c->missing_cost = e->has_crate ? 0 : sign;
    c->missing_brate = e->billable && !e->has_brate ? sign : 0;
    if (sign < 0) d->subtracted = true;
}

static void key_of(struct contrib *c, int t)
{
    c->key[0] = t == 1 ? c->client : t == 2 ? c->user : c->project;
    c->key[1] = c->month;
    c->key[2] = t == 3 ? c->user : 0;
}

static int cmp_key(const void *a, const void *b)
{
    const struct contrib *x = a, *y = b;
    for (int k = 0; k < 3; k++)
        if (x->key[k] != y->key[k]) return x->key[k] < y->key[k] ? -1 : 1;
    return 0;
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
    sb_addf(sb, "%04d-%02d-01", m / 12, m % 12 + 1);
}

/* Sum one table's contributions per key into array literals; then upsert + drop empty keys. */
static int apply_table(PGconn *c, struct od_rollup_delta *d, int t, struct strbuf *sql)
{
    const struct rtab *tab = &tabs[t];
    struct strbuf a[A_N];
    for (int i = 0; i < A_N; i++) {
        a[i] = (struct strbuf)STRBUF_INIT;
        sb_addch(&a[i], '{');
    }
    for (size_t i = 0; i < d->n; i++)
        key_of(&d->v[i], t);
    qsort(d->v, d->n, sizeof *d->v, cmp_key);
    size_t groups = 0;
    for (size_t i = 0; i < d->n;) {
        size_t j = i;
        int64_t entries = 0, hours = 0, bh = 0, mc = 0, mb = 0, client = 0;
        __int128 rev = 0, cost = 0;
        for (; j < d->n && cmp_key(&d->v[i], &d->v[j]) == 0; j++) {
            const struct contrib *x = &d->v[j];
            entries += x->sign;
            hours += x->hours;
            bh += x->billable_hours;
            rev += x->revenue;
            cost += x->cost;
            mc += x->missing_cost;
            mb += x->missing_brate;
            if (x->sign > 0 && x->client > client) client = x->client;
        }
        const struct contrib *k = &d->v[i];
        i = j;
        if (!entries && !hours && !bh && !rev && !cost && !mc && !mb &&
            !(tab->has_client && client))
            continue; /* nets to nothing (a replay) */
        groups++;
        for (int x = 0; x < A_N; x++)
            if (a[x].len > 1) sb_addch(&a[x], ',');
        sb_addf(&a[A_K0], "%lld", (long long)k->key[0]);
        put_month(&a[A_MONTH], (int32_t)k->key[1]);
        sb_addf(&a[A_K2], "%lld", (long long)k->key[2]);
        if (client)
            sb_addf(&a[A_CLIENT], "%lld", (long long)client);
        else
            sb_add(&a[A_CLIENT], "NULL");
        sb_addf(&a[A_ENTRIES], "%lld", (long long)entries);
        put_fixed(&a[A_HOURS], hours, 2);
        put_fixed(&a[A_BHOURS], bh, 2);
        put_fixed(&a[A_REV], rev, 4);
        put_fixed(&a[A_COST], cost, 4);
        sb_addf(&a[A_MC], "%lld", (long long)mc);
        sb_addf(&a[A_MB], "%lld", (long long)mb);
    }
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
        for (size_t m = 0; m < OD_ARRAY_LEN(measures); m++)
            sb_addf(sql, "%s%s = r.%s + excluded.%s", m ? ", " : "", measures[m], measures[m],
                    measures[m]);
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

int od_rollup_delta_apply(PGconn *c, struct od_rollup_delta *d)
{
    struct strbuf sql = STRBUF_INIT;
    int rc = 0;
    for (int t = 0; t < OD_ROLLUP_TABLES && rc == 0 && d->n; t++)
        rc = apply_table(c, d, t, &sql);
    sb_release(&sql);
    d->n = 0;
    d->subtracted = false;
    return rc;
}
