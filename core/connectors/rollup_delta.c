/* rollup_delta — the sums of a writer's transaction per key of every rollup table, kept in C
 * and applied once before its commit; day-grained tables only for listed months, and months
 * that come to qualify are listed. See rollup.h. */
#include "core/connectors/rollup.h"
#include "core/connectors/rollup_tables.h"
#include "core/db/db.h"
#include "core/base/time.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One key of one rollup table and the sums of the contributions to it. */
struct cell {
    int64_t k0, k2; /* the table's key references (k2 0 for two-key tables) */
    int32_t t;      /* month (year * 12 + month - 1) or day (since 1970-01-01) */
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

/* A small set of months (year * 12 + month - 1), sorted. */
struct months {
    int32_t *v;
    size_t n, cap;
};

struct od_rollup_delta {
    struct cellmap m[OD_ROLLUP_TABLES];
    bool subtracted;
    struct months touched; /* months of every contribution since the last apply */
    struct months listed;  /* months keeping day rows, as od_rollup_delta_begin found them */
    bool loaded;           /* listed is known: day sums are kept for those months only */
    int32_t last_month;    /* the month last added to touched (a shortcut) */
};

static bool months_has(const struct months *s, int32_t m)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid] == m) return true;
        if (s->v[mid] < m)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void months_add(struct months *s, int32_t m)
{
    size_t i = 0;
    while (i < s->n && s->v[i] < m)
        i++;
    if (i < s->n && s->v[i] == m) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = od_xrealloc(s->v, s->cap * sizeof *s->v);
    }
    memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof *s->v);
    s->v[i] = m;
    s->n++;
}

struct od_rollup_delta *od_rollup_delta_new(void)
{
    struct od_rollup_delta *d = od_xcalloc(1, sizeof(struct od_rollup_delta));
    d->last_month = INT32_MIN;
    return d;
}

void od_rollup_delta_free(struct od_rollup_delta *d)
{
    if (!d) return;
    for (int t = 0; t < OD_ROLLUP_TABLES; t++) {
        free(d->m[t].v);
        free(d->m[t].slot);
    }
    free(d->touched.v);
    free(d->listed.v);
    free(d);
}

int od_rollup_delta_begin(PGconn *c, struct od_rollup_delta *d)
{
    if (od_rollup_lock(c) < 0) return -1;
    PGresult *r = od_db_exec(c,
                             "SELECT (extract(year FROM month) * 12 + extract(month FROM month)"
                             " - 1)::int FROM profit_rollup_daily_months ORDER BY 1",
                             0, NULL);
    if (!r) return -1;
    d->listed.n = 0;
    for (int i = 0; i < PQntuples(r); i++)
        months_add(&d->listed, (int32_t)strtol(PQgetvalue(r, i, 0), NULL, 10));
    PQclear(r);
    d->loaded = true;
    return 0;
}

size_t od_rollup_delta_keys(const struct od_rollup_delta *d)
{
    size_t n = 0;
    for (int t = 0; t < OD_ROLLUP_TABLES; t++)
        n += d->m[t].n;
    return n;
}

static size_t hash_of(int64_t k0, int32_t t, int64_t k2)
{
    uint64_t h = (uint64_t)k0 * 0x9E3779B97F4A7C15u ^ (uint64_t)t * 0xC2B2AE3D27D4EB4Fu ^
                 (uint64_t)k2 * 0x165667B19E3779F9u;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 29;
    return (size_t)h;
}

static void map_index(struct cellmap *m, size_t i)
{
    const struct cell *c = &m->v[i];
    size_t s = hash_of(c->k0, c->t, c->k2) & (m->cap - 1);
    while (m->slot[s])
        s = (s + 1) & (m->cap - 1);
    m->slot[s] = (uint32_t)(i + 1);
}

/* The cell of a key, added (zeroed) when new. */
static struct cell *cell_get(struct cellmap *m, int64_t k0, int32_t t, int64_t k2)
{
    if ((m->n + 1) * 10 > m->cap * 7) {
        free(m->slot);
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->slot = od_xcalloc(m->cap, sizeof *m->slot);
        for (size_t i = 0; i < m->n; i++)
            map_index(m, i);
    }
    size_t s = hash_of(k0, t, k2) & (m->cap - 1);
    for (; m->slot[s]; s = (s + 1) & (m->cap - 1)) {
        struct cell *c = &m->v[m->slot[s] - 1];
        if (c->k0 == k0 && c->t == t && c->k2 == k2) return c;
    }
    if (m->n == m->capv) {
        m->capv = m->capv ? m->capv * 2 : 512;
        m->v = od_xrealloc(m->v, m->capv * sizeof *m->v);
    }
    struct cell *c = &m->v[m->n];
    memset(c, 0, sizeof *c);
    c->k0 = k0;
    c->t = t;
    c->k2 = k2;
    m->slot[s] = (uint32_t)++m->n;
    return c;
}

static int64_t ref_of(const struct od_rollup_entry *e, enum od_rollup_ref r)
{
    return r == OD_RREF_PROJECT  ? e->project
           : r == OD_RREF_CLIENT ? e->client
           : r == OD_RREF_USER   ? e->user
                                 : 0;
}

void od_rollup_delta_add(struct od_rollup_delta *d, const struct od_rollup_entry *e, int sign)
{
    int64_t rh = e->has_rounded ? e->rounded : e->hours;
    int64_t hours = sign * e->hours, bh = e->billable ? sign * rh : 0;
    __int128 rev = e->billable && e->has_brate ? (__int128)sign * rh * e->brate : 0;
    __int128 cost = e->has_crate ? (__int128)sign * e->hours * e->crate : 0;
    int64_t mc = e->has_crate ? 0 : sign, mb = e->billable && !e->has_brate ? sign : 0;
    if (e->month != d->last_month) {
        months_add(&d->touched, e->month);
        d->last_month = e->month;
    }
    bool days = !d->loaded || months_has(&d->listed, e->month);
    int32_t dekad = days ? od_rollup_dekad_of(e->day) : 0;
    for (int t = 0; t < OD_ROLLUP_TABLES; t++) {
        const struct od_rollup_table *tab = &od_rollup_tables[t];
        if (tab->daily && !days) continue;
        int32_t when = tab->dekad ? dekad : tab->daily ? e->day : e->month;
        struct cell *c = cell_get(&d->m[t], ref_of(e, tab->k0), when, ref_of(e, tab->k2));
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

/* Key order of the tables' primary keys: (k0, month, k2) and (day, k0, k2). */
static int cmp_cell(const void *a, const void *b)
{
    const struct cell *x = *(const struct cell *const *)a, *y = *(const struct cell *const *)b;
    if (x->k0 != y->k0) return x->k0 < y->k0 ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->k2 > y->k2) - (x->k2 < y->k2);
}

static int cmp_cell_day(const void *a, const void *b)
{
    const struct cell *x = *(const struct cell *const *)a, *y = *(const struct cell *const *)b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return cmp_cell(a, b);
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

enum { A_K0, A_TIME, A_K2, A_CLIENT, A_ENTRIES, A_HOURS, A_BHOURS, A_REV, A_COST, A_MC, A_MB, A_N };

static void put_ymd(struct strbuf *sb, int y, int mo, int d)
{
    char buf[16];
    if (y < 0 || y > 9999) {
        sb_addf(sb, "%04d-%02d-%02d", y, mo, d); /* out of range: the server will say so */
        return;
    }
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + mo / 10);
    buf[6] = (char)('0' + mo % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    sb_addn(sb, buf, 10);
}

static void put_month(struct strbuf *sb, int32_t m)
{
    put_ymd(sb, m / 12, m % 12 + 1, 1);
}

static int32_t month_of_day(int32_t day)
{
    int y, m, d;
    od_civil_from_days(day, &y, &m, &d);
    return y * 12 + m - 1;
}

/* Table t's summed cells, in key order, into array literals; then upsert + drop empty keys.
 * Day-grained tables: only cells whose month is in only (NULL: all). */
static int apply_table(PGconn *c, struct od_rollup_delta *d, int t, const struct months *only,
                       struct strbuf *sql)
{
    const struct od_rollup_table *tab = &od_rollup_tables[t];
    struct cellmap *m = &d->m[t];
    struct cell **order = od_xcalloc(m->n ? m->n : 1, sizeof *order);
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++)
        if (!tab->daily || !only || months_has(only, month_of_day(m->v[i].t)))
            order[k++] = &m->v[i];
    /* key order: neighbouring index pages */
    qsort(order, k, sizeof *order, tab->daily ? cmp_cell_day : cmp_cell);
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
        if (tab->daily) {
            int y, mo, dd;
            od_civil_from_days(x->t, &y, &mo, &dd);
            put_ymd(&a[A_TIME], y, mo, dd);
        } else {
            put_month(&a[A_TIME], x->t);
        }
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
        /* $1 k0, $2 month or day, $3 k2 (3-key tables), $4 client, $5.. measures */
        sb_reset(sql);
        od_rollup_sql_insert_head(sql, tab);
        sb_add(sql, "SELECT k0, m");
        if (three) sb_add(sql, ", k2");
        if (tab->has_client) sb_add(sql, ", cl");
        sb_add(sql, ", e, h, bh, rv, co, mc, mb FROM unnest($1::bigint[], $2::date[], "
                    "$3::bigint[], $4::bigint[], $5::bigint[], $6::numeric[], $7::numeric[], "
                    "$8::numeric[], $9::numeric[], $10::bigint[], $11::bigint[]) "
                    "AS u(k0, m, k2, cl, e, h, bh, rv, co, mc, mb) ON CONFLICT (");
        od_rollup_sql_keys(sql, tab, "");
        sb_add(sql, ") DO UPDATE SET ");
        if (tab->has_client) sb_add(sql, "client_id = coalesce(excluded.client_id, r.client_id), ");
        for (size_t j = 0; j < OD_ROLLUP_NMEASURES; j++)
            sb_addf(sql, "%s%s = r.%s + excluded.%s", j ? ", " : "", od_rollup_measures[j],
                    od_rollup_measures[j], od_rollup_measures[j]);
        rc = od_db_cmd(c, sb_str(sql), A_N, p);
        if (rc == 0 && d->subtracted) {
            sb_reset(sql);
            sb_addf(sql,
                    "DELETE FROM %s r USING unnest($1::bigint[], $2::date[], $3::bigint[]) "
                    "AS u(k0, m, k2) WHERE r.entries = 0 AND r.%s = u.k0 AND r.%s = u.m",
                    tab->name, tab->keys[0], tab->keys[1]);
            if (three) sb_addf(sql, " AND r.%s = u.k2", tab->keys[2]);
            rc = od_db_cmd(c, sb_str(sql), 3, p);
        }
    }
    for (int i = 0; i < A_N; i++)
        sb_release(&a[i]);
    return rc;
}

/* The day-grained tables: which touched months are listed, which now qualify; add the day sums
 * of listed months, build (from raw rows) and list the months that qualify. A listed month
 * whose day sums this delta did not keep (listed since od_rollup_delta_begin: only when the
 * caller did not hold the lock throughout) is rebuilt from the raw rows as well. */
static int apply_days(PGconn *c, struct od_rollup_delta *d, struct strbuf *sql)
{
    struct strbuf arr = STRBUF_INIT;
    sb_addch(&arr, '{');
    for (size_t i = 0; i < d->touched.n; i++) {
        if (i) sb_addch(&arr, ',');
        put_month(&arr, d->touched.v[i]);
    }
    sb_addch(&arr, '}');
    const char *p[1] = {sb_str(&arr)};
    PGresult *r = od_db_exec(
        c,
        "SELECT (extract(year FROM m.month) * 12 + extract(month FROM m.month) - 1)::int,"
        " dm.month IS NOT NULL, coalesce(s.e >= p.min_entries"
        " AND s.e >= p.min_entries_per_project * s.n, false)"
        " FROM unnest($1::date[]) AS m(month)"
        " LEFT JOIN profit_rollup_daily_months dm ON dm.month = m.month"
        " LEFT JOIN (SELECT month, sum(entries) AS e, count(*) AS n FROM "
        "profit_rollup_project_month"
        " WHERE month = ANY ($1::date[]) GROUP BY month) s ON s.month = m.month"
        " LEFT JOIN profit_rollup_daily_policy p ON true",
        1, p);
    sb_release(&arr);
    if (!r) return -1;
    struct months add = {0}, build = {0};
    for (int i = 0; i < PQntuples(r); i++) {
        int32_t m = (int32_t)strtol(PQgetvalue(r, i, 0), NULL, 10);
        bool listed = PQgetvalue(r, i, 1)[0] == 't', qualifies = PQgetvalue(r, i, 2)[0] == 't';
        if (listed && (!d->loaded || months_has(&d->listed, m)))
            months_add(&add, m);
        else if (listed || qualifies)
            months_add(&build, m);
    }
    PQclear(r);
    int rc = 0;
    for (int t = 0; t < OD_ROLLUP_TABLES && rc == 0; t++)
        if (od_rollup_tables[t].daily && d->m[t].n && add.n) rc = apply_table(c, d, t, &add, sql);
    for (size_t i = 0; i < build.n && rc == 0; i++) {
        sb_reset(sql);
        put_month(sql, build.v[i]);
        rc = od_rollup_days_build(c, sb_str(sql));
        if (rc == 0 && d->loaded) months_add(&d->listed, build.v[i]);
    }
    free(add.v);
    free(build.v);
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
        if (!od_rollup_tables[t].daily && d->m[t].n) rc = apply_table(c, d, t, NULL, &sql);
    if (rc == 0 && d->touched.n) rc = apply_days(c, d, &sql);
    sb_release(&sql);
    for (int t = 0; t < OD_ROLLUP_TABLES; t++)
        map_clear(&d->m[t]);
    d->subtracted = false;
    d->touched.n = 0;
    d->last_month = INT32_MIN;
    return rc;
}
