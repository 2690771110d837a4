/* rollup_tables — what the two halves of the rollup writer share (internal to core/connectors):
 * rollup.c (soft deletes, rebuild, the writer lock) and rollup_delta.c (sums per key in C,
 * applied once per transaction). See rollup.h for the tables and their definitions.
 *
 * Each table: its name, its key columns in the order k0, time, k2 (time is "month" or "day";
 * k2 NULL for two-key tables), which entry reference each key takes, whether it carries the
 * project's client_id as a non-key column, and whether it is day-grained (its rows exist only
 * for the months listed in profit_rollup_daily_months, sql/0014), by day or by dekad (sql/0019).
 */
#ifndef OD_CONNECTORS_ROLLUP_TABLES_H
#define OD_CONNECTORS_ROLLUP_TABLES_H
#include "core/base/util.h"
#include <libpq-fe.h>
#include <stdbool.h>

enum od_rollup_ref { OD_RREF_NONE, OD_RREF_PROJECT, OD_RREF_CLIENT, OD_RREF_USER };

struct od_rollup_table {
    const char *name;
    const char *keys[3];
    enum od_rollup_ref k0, k2;
    bool has_client;
    bool daily; /* day-grained: rows for listed months only; time column "day" or "dekad" */
    bool dekad; /* daily, by dekad (days 1-10, 11-20, 21-end; the block's first day) */
};

extern const struct od_rollup_table od_rollup_tables[]; /* OD_ROLLUP_TABLES (rollup.h) */
#define OD_ROLLUP_NMEASURES 7
/* entries, hours, billable_hours, revenue, cost, missing_cost_rate, missing_billable_rate */
extern const char *const od_rollup_measures[OD_ROLLUP_NMEASURES];

/* "k0, time[, k2]" with each column name after prefix. */
void od_rollup_sql_keys(struct strbuf *sb, const struct od_rollup_table *t, const char *prefix);
/* "INSERT INTO name AS r (keys[, client_id], measures...) " */
void od_rollup_sql_insert_head(struct strbuf *sb, const struct od_rollup_table *t);

/* Inside a writer's transaction (lock held): recompute the day rows of the month beginning on
 * `month` ("YYYY-MM-01") from the raw rows and list the month in profit_rollup_daily_months. */
int od_rollup_days_build(PGconn *c, const char *month);

/* The first day of the dekad of day z (days since 1970-01-01): the 1st, 11th or 21st. */
int32_t od_rollup_dekad_of(int32_t z);

#endif
