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

int od_rollup_store_entries(PGconn *c, struct od_batch *b, int64_t job_id,
                            struct od_store_result *out)
{
    const struct od_resource *res = b->res;
    if (od_rollup_lock(c) < 0 || ensure_delta(c) < 0 || od_store_stage(c, b, out) < 0) return -1;
    static const char *const steps[] = {
        /* the old version of every entry that this page replaces goes out of the rollups */
        "INSERT INTO od_te_delta SELECT -1, " CONTRIB(
            "o.") " FROM harvest_time_entries o "
                  "JOIN od_stage_harvest_time_entries s ON s.id = o.id "
                  "WHERE s.updated_at >= o.updated_at AND o.deleted_at IS NULL",
        /* the new version comes in, unless the database holds a newer one */
        "INSERT INTO od_te_delta SELECT 1, " CONTRIB(
            "s.") " FROM od_stage_harvest_time_entries s "
                  "WHERE NOT EXISTS (SELECT 1 FROM harvest_time_entries o WHERE o.id = s.id AND "
                  "o.updated_at > s.updated_at)",
        /* an entry whose spent_date changed moves partition: its old row goes */
        "DELETE FROM harvest_time_entries o USING od_stage_harvest_time_entries s "
        "WHERE o.id = s.id AND o.spent_date <> s.spent_date AND s.updated_at >= o.updated_at",
    };
    bool subtracted = false;
    for (size_t i = 0; i < OD_ARRAY_LEN(steps); i++) {
        PGresult *sr = od_db_exec(c, steps[i], 0, NULL);
        if (!sr) return -1;
        if (i == 0) subtracted = strtoll(PQcmdTuples(sr), NULL, 10) > 0;
        PQclear(sr);
    }
    struct strbuf sql = STRBUF_INIT;
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
    sb_release(&sql);
    if (!r) return -1;
    out->upserted = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (apply_delta(c, subtracted) < 0) return -1;
    return od_store_dead_letters(c, b, job_id);
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
