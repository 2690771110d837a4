/* rollup — the rollup tables' definitions, the writer lock, soft deletes and the rebuild/check
 * (SQL side). The sums per key kept in C by the sync are in rollup_delta.c. See rollup.h. */
#include "core/connectors/rollup.h"
#include "core/connectors/rollup_tables.h"
#include "core/db/db.h"
#include "core/base/time.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct od_rollup_table od_rollup_tables[OD_ROLLUP_TABLES] = {
    {"profit_rollup_project_month",
     {"project_id", "month", NULL},
     OD_RREF_PROJECT,
     OD_RREF_NONE,
     true,
     false,
     false},
    {"profit_rollup_client_month",
     {"client_id", "month", NULL},
     OD_RREF_CLIENT,
     OD_RREF_NONE,
     false,
     false,
     false},
    {"profit_rollup_person_month",
     {"user_id", "month", NULL},
     OD_RREF_USER,
     OD_RREF_NONE,
     false,
     false,
     false},
    {"profit_rollup_project_person_month",
     {"project_id", "month", "user_id"},
     OD_RREF_PROJECT,
     OD_RREF_USER,
     false,
     false,
     false},
    {"profit_rollup_client_day",
     {"client_id", "day", NULL},
     OD_RREF_CLIENT,
     OD_RREF_NONE,
     false,
     true,
     false},
    {"profit_rollup_project_day",
     {"project_id", "day", NULL},
     OD_RREF_PROJECT,
     OD_RREF_NONE,
     true,
     true,
     false},
    {"profit_rollup_person_day",
     {"user_id", "day", "client_id"},
     OD_RREF_USER,
     OD_RREF_CLIENT,
     false,
     true,
     false},
    {"profit_rollup_client_dekad",
     {"client_id", "dekad", NULL},
     OD_RREF_CLIENT,
     OD_RREF_NONE,
     false,
     true,
     true},
    {"profit_rollup_project_dekad",
     {"project_id", "dekad", NULL},
     OD_RREF_PROJECT,
     OD_RREF_NONE,
     true,
     true,
     true},
    {"profit_rollup_person_dekad",
     {"user_id", "dekad", "client_id"},
     OD_RREF_USER,
     OD_RREF_CLIENT,
     false,
     true,
     true},
};

const char *const od_rollup_measures[OD_ROLLUP_NMEASURES] = {"entries",
                                                             "hours",
                                                             "billable_hours",
                                                             "revenue",
                                                             "cost",
                                                             "missing_cost_rate",
                                                             "missing_billable_rate"};

/* The definition of every rollup column, over rows (sign, project_id, client_id, user_id,
 * month or day, hours, rounded_hours, billable, billable_rate, cost_rate). Used for the SQL
 * deltas and for the rebuild alike, so both always agree (rollup_delta.c computes the same in
 * integers). */
static const char agg_sql[] =
    "sum(sign)::bigint AS entries, sum(sign * hours) AS hours, "
    "sum(sign * CASE WHEN billable THEN coalesce(rounded_hours, hours) ELSE 0 END) AS "
    "billable_hours, "
    "sum(sign * CASE WHEN billable THEN coalesce(rounded_hours, hours) * coalesce(billable_rate, 0)"
    " ELSE 0 END) AS revenue, "
    "sum(sign * hours * coalesce(cost_rate, 0)) AS cost, "
    "sum(sign * (cost_rate IS NULL)::int)::bigint AS missing_cost_rate, "
    "sum(sign * (billable AND billable_rate IS NULL)::int)::bigint AS missing_billable_rate";

/* Contribution columns of a time-entry row aliased p (after the sign), as od_te_delta has them. */
#define CONTRIB(p)                                                                                 \
    p "project_id, " p "client_id, " p "user_id, date_trunc('month', " p "spent_date)::date, " p   \
      "spent_date, " DEKAD(p "spent_date") ", " p "hours, " p "rounded_hours, " p "billable, " p   \
                                           "billable_rate, " p "cost_rate"

/* The first day of a day's dekad (sql/0019), as od_rollup_dekad_of computes it. */
#define DEKAD(day)                                                                                 \
    "(date_trunc('month', " day ")::date + least((extract(day FROM " day ")::int - 1) / 10, 2) "   \
    "* 10)"

int32_t od_rollup_dekad_of(int32_t z)
{
    int y, m, d;
    od_civil_from_days(z, &y, &m, &d);
    return z - (d - 1) + (d > 20 ? 20 : d > 10 ? 10 : 0);
}

/* A month of a day-grained table is kept when it is listed (sql/0014). */
#define LISTED(day)                                                                                \
    "EXISTS (SELECT 1 FROM profit_rollup_daily_months dm WHERE dm.month = "                        \
    "date_trunc('month', " day ")::date)"

/* Live raw rows as contributions (sign 1) with the table's time column; day-grained tables see
 * only the listed months, or only [$1, $1 + 1 month) when month_param. */
static void raw_source(struct strbuf *sb, const struct od_rollup_table *t, bool month_param)
{
    sb_addf(sb,
            "(SELECT 1 AS sign, project_id, client_id, user_id, %s, hours, rounded_hours, "
            "billable, billable_rate, cost_rate FROM harvest_time_entries e WHERE deleted_at IS "
            "NULL",
            t->dekad   ? DEKAD("spent_date") " AS dekad"
            : t->daily ? "spent_date AS day"
                       : "date_trunc('month', spent_date)::date AS month");
    if (month_param)
        sb_add(sb, " AND spent_date >= $1::date AND spent_date < ($1::date + interval '1 "
                   "month')::date");
    else if (t->daily)
        sb_add(sb, " AND " LISTED("e.spent_date"));
    sb_add(sb, ") d");
}

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
                     "project_id bigint, client_id bigint, user_id bigint, month date, day date, "
                     "dekad date, "
                     "hours numeric, rounded_hours numeric, billable boolean, "
                     "billable_rate numeric, cost_rate numeric) ON COMMIT DELETE ROWS",
                     0, NULL);
}

void od_rollup_sql_keys(struct strbuf *sb, const struct od_rollup_table *t, const char *prefix)
{
    for (int k = 0; k < 3 && t->keys[k]; k++)
        sb_addf(sb, "%s%s%s", k ? ", " : "", prefix, t->keys[k]);
}

void od_rollup_sql_insert_head(struct strbuf *sb, const struct od_rollup_table *t)
{
    sb_addf(sb, "INSERT INTO %s AS r (", t->name);
    od_rollup_sql_keys(sb, t, "");
    if (t->has_client) sb_add(sb, ", client_id");
    for (size_t m = 0; m < OD_ROLLUP_NMEASURES; m++)
        sb_addf(sb, ", %s", od_rollup_measures[m]);
    sb_add(sb, ") ");
}

/* Add the contributions in od_te_delta to every table (day-grained ones: listed months only),
 * then (when something was subtracted) drop the keys that became empty. */
static int apply_delta(PGconn *c, bool subtracted)
{
    struct strbuf sql = STRBUF_INIT;
    int rc = 0;
    for (int i = 0; i < OD_ROLLUP_TABLES && rc == 0; i++) {
        const struct od_rollup_table *t = &od_rollup_tables[i];
        sb_reset(&sql);
        od_rollup_sql_insert_head(&sql, t);
        sb_add(&sql, "SELECT ");
        od_rollup_sql_keys(&sql, t, "");
        if (t->has_client) sb_add(&sql, ", max(client_id) FILTER (WHERE sign > 0)");
        sb_addf(&sql, ", %s FROM od_te_delta d%s GROUP BY ", agg_sql,
                t->daily ? " WHERE " LISTED("d.day") : "");
        od_rollup_sql_keys(&sql, t, "");
        sb_add(&sql, " ON CONFLICT (");
        od_rollup_sql_keys(&sql, t, "");
        sb_add(&sql, ") DO UPDATE SET ");
        if (t->has_client) sb_add(&sql, "client_id = coalesce(excluded.client_id, r.client_id), ");
        for (size_t m = 0; m < OD_ROLLUP_NMEASURES; m++)
            sb_addf(&sql, "%s%s = r.%s + excluded.%s", m ? ", " : "", od_rollup_measures[m],
                    od_rollup_measures[m], od_rollup_measures[m]);
        rc = od_db_cmd(c, sb_str(&sql), 0, NULL);
        if (rc < 0) break;
        if (!subtracted) continue;
        sb_reset(&sql);
        sb_addf(&sql, "DELETE FROM %s r USING (SELECT DISTINCT ", t->name);
        od_rollup_sql_keys(&sql, t, "");
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

int od_rollup_days_build(PGconn *c, const char *month)
{
    struct strbuf sql = STRBUF_INIT;
    int rc = 0;
    const char *p[1] = {month};
    for (int i = 0; i < OD_ROLLUP_TABLES && rc == 0; i++) {
        const struct od_rollup_table *t = &od_rollup_tables[i];
        if (!t->daily) continue;
        sb_reset(&sql);
        sb_addf(&sql,
                "DELETE FROM %s WHERE %s >= $1::date AND %s < ($1::date + interval '1 "
                "month')::date",
                t->name, t->keys[1], t->keys[1]);
        if ((rc = od_db_cmd(c, sb_str(&sql), 1, p)) < 0) break;
        sb_reset(&sql);
        od_rollup_sql_insert_head(&sql, t);
        sb_add(&sql, "SELECT ");
        od_rollup_sql_keys(&sql, t, "");
        if (t->has_client) sb_add(&sql, ", max(client_id)");
        sb_addf(&sql, ", %s FROM ", agg_sql);
        raw_source(&sql, t, true);
        sb_add(&sql, " GROUP BY ");
        od_rollup_sql_keys(&sql, t, "");
        sb_addf(&sql, " ORDER BY %s", t->keys[1]); /* a range of days: neighbouring pages */
        rc = od_db_cmd(c, sb_str(&sql), 1, p);
    }
    if (rc == 0)
        rc = od_db_cmd(c,
                       "INSERT INTO profit_rollup_daily_months (month) VALUES ($1::date) "
                       "ON CONFLICT (month) DO NOTHING",
                       1, p);
    sb_release(&sql);
    return rc;
}

/* Recompute table t into a temp table, count differing keys, optionally replace t. */
static int64_t rebuild_one(PGconn *c, const struct od_rollup_table *t, bool fix,
                           struct od_rollup_diff *d)
{
    struct strbuf sql = STRBUF_INIT;
    int64_t n = -1;
    memset(d, 0, sizeof *d);
    d->table = t->name;
    sb_addf(&sql, "CREATE TEMP TABLE od_fresh ON COMMIT DROP AS SELECT ");
    od_rollup_sql_keys(&sql, t, "");
    if (t->has_client) sb_add(&sql, ", max(client_id) AS client_id");
    sb_addf(&sql, ", %s FROM ", agg_sql);
    raw_source(&sql, t, false);
    sb_add(&sql, " GROUP BY ");
    od_rollup_sql_keys(&sql, t, "");
    if (od_db_cmd(c, sb_str(&sql), 0, NULL) < 0) goto done;
    sb_reset(&sql);
    sb_add(&sql, "SELECT count(*), coalesce(min(concat_ws(' ', ");
    od_rollup_sql_keys(&sql, t, "");
    sb_addf(&sql, ")), '') FROM od_fresh f FULL JOIN %s r USING (", t->name);
    od_rollup_sql_keys(&sql, t, "");
    sb_add(&sql, ") WHERE false");
    for (size_t m = 0; m < OD_ROLLUP_NMEASURES; m++)
        sb_addf(&sql, " OR f.%s IS DISTINCT FROM r.%s", od_rollup_measures[m],
                od_rollup_measures[m]);
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
        od_rollup_sql_insert_head(&sql, t);
        sb_add(&sql, "SELECT * FROM od_fresh");
        if (t->daily) sb_addf(&sql, " ORDER BY %s", t->keys[1]); /* neighbouring pages */
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
        const struct od_rollup_table *t = &od_rollup_tables[i];
        /* a repair also lists the months the policy asks for, from the fresh monthly rows,
         * before the first day-grained table is recomputed */
        if (fix && t->daily && !od_rollup_tables[i - 1].daily &&
            od_db_cmd(c,
                      "INSERT INTO profit_rollup_daily_months (month) SELECT r.month"
                      " FROM profit_rollup_project_month r, profit_rollup_daily_policy p"
                      " GROUP BY r.month, p.min_entries, p.min_entries_per_project"
                      " HAVING sum(r.entries) >= p.min_entries"
                      " AND sum(r.entries) >= p.min_entries_per_project * count(*)"
                      " ON CONFLICT (month) DO NOTHING",
                      0, NULL) < 0)
            goto fail;
        int64_t n = rebuild_one(c, t, fix, &diffs[i]);
        if (n < 0) goto fail;
        total += n;
    }
    if (od_db_commit(c) < 0) return -1;
    return total;
fail:
    od_db_rollback(c);
    return -1;
}
