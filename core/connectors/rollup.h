/* rollup — the profit_rollup_* tables, kept equal to harvest_time_entries by the sync itself.
 *
 * Ten tables, one row per key, summing the live (deleted_at IS NULL) time entries:
 *   profit_rollup_project_month         (project_id, month) + client_id of its entries
 *   profit_rollup_client_month          (client_id, month)
 *   profit_rollup_person_month          (user_id, month)
 *   profit_rollup_project_person_month  (project_id, month, user_id)
 *   profit_rollup_client_day            (day, client_id)             \  only for the months
 *   profit_rollup_project_day           (day, project_id) + client_id } listed in
 *   profit_rollup_person_day            (day, user_id, client_id)    /  profit_rollup_daily_months
 *   profit_rollup_client_dekad          (dekad, client_id)               \  the same, by
 *   profit_rollup_project_dekad         (dekad, project_id) + client_id   } dekad (sql/0019)
 *   profit_rollup_person_dekad          (dekad, user_id, client_id)      /
 * month = first day of the month of spent_date, day = spent_date, dekad = the first day of its
 * ten-day block (the 1st, 11th or 21st; the last block runs to the month's end). Columns
 * (numeric, exact):
 *   entries                count of entries
 *   hours                  Σ hours (time tracked)
 *   billable_hours         Σ over billable entries of rounded_hours (time billed; hours when
 *                          rounded_hours is absent), so revenue ÷ billable_hours is the rate
 *   revenue                Σ over billable entries of rounded_hours × billable_rate
 *                          (rounded_hours falls back to hours when absent; a NULL rate adds 0)
 *   cost                   Σ hours × cost_rate (NULL adds 0)
 *   missing_billable_rate  billable entries whose billable_rate is NULL
 *   missing_cost_rate      entries whose cost_rate is NULL
 * A key whose entries drop to 0 has no row.
 *
 * Day rows (sql/0014) serve reports whose range starts or ends inside a month. They are kept
 * only for dense months (profit_rollup_daily_policy: enough entries, several per project and
 * day), because with sparse entries a day row costs about a row per entry and reads no faster
 * than the raw rows. Dekad rows (sql/0019) let such an edge read a whole ten-day block as one
 * row per key. A month is listed, and its day and dekad rows built from the raw rows, by the
 * transaction whose entries make it qualify (or by the rebuild); listed months stay listed.
 *
 * The time-entry store (core/connectors/entries.h) sums the -old/+new contributions of every
 * page of a transaction in C, per key, with an od_rollup_delta (exact: scale-2 integers,
 * scale-4 products in 128 bits; rollup_delta.c); the writer applies them before its commit
 * with one unnest(array params) upsert per table, then deletes keys whose entries fell to 0,
 * then lists months that now qualify. Writers of entries and rollups are serialised by
 * od_rollup_lock (a transaction advisory lock; readers never wait).
 * od_rollup_soft_delete() marks entries gone upstream and subtracts them (SQL deltas).
 * od_rollup_rebuild() recomputes everything from raw rows and reports the differences. */
#ifndef OD_CONNECTORS_ROLLUP_H
#define OD_CONNECTORS_ROLLUP_H
#include "core/connectors/store.h"
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

/* What one time entry contributes: references, day, month and fixed-point values (scale 2). */
struct od_rollup_entry {
    int64_t project, client, user;
    int32_t month; /* year * 12 + month - 1 of spent_date */
    int32_t day;   /* spent_date as days since 1970-01-01 */
    int64_t hours, rounded, brate, crate;
    bool has_rounded, has_brate, has_crate, billable;
};
struct od_rollup_delta;
struct od_rollup_delta *od_rollup_delta_new(void);
void od_rollup_delta_free(struct od_rollup_delta *d);
/* Start of a writer's transaction: take the writer lock and note which months keep day rows,
 * so only their day sums are kept in C (without this call every day is summed, and the apply
 * sorts it out: correct, only slower). */
int od_rollup_delta_begin(PGconn *c, struct od_rollup_delta *d);
/* sign +1: the entry comes in; -1: its old version goes out. Summed per key of each table
 * (a hash map), so a delta holds one cell per key touched, however many entries pass. */
void od_rollup_delta_add(struct od_rollup_delta *d, const struct od_rollup_entry *e, int sign);
/* Keys held, over all tables (the writer ends its transaction before this grows large). */
size_t od_rollup_delta_keys(const struct od_rollup_delta *d);
/* Inside the writer's transaction: add the summed deltas to the tables (day-grained ones for
 * listed months), drop keys whose entries fell to 0, list the months that now qualify (their
 * day rows built from the raw rows, which include this transaction's). Empties d. */
int od_rollup_delta_apply(PGconn *c, struct od_rollup_delta *d);

/* Inside a transaction: soft-delete live entries with spent_date in [from, to] that were not
 * written since `since` (a timestamptz) and whose id is not in seen[0..nseen). *deleted gets
 * the count. Rollups follow. */
int od_rollup_soft_delete(PGconn *c, const char *from, const char *to, const char *since,
                          const int64_t *seen, size_t nseen, int64_t *deleted);

struct od_rollup_diff {
    const char *table; /* static name */
    int64_t differing; /* keys whose row differs, is missing or is extra */
    char example[256]; /* one differing key, for the message */
};
#define OD_ROLLUP_TABLES 10

/* Compare every rollup table with a recomputation from raw rows (day-grained tables: the
 * listed months); with fix, first list the months the policy asks for, then replace the tables'
 * contents by the recomputation (in one transaction, under the writer lock).
 * diffs[] gets one entry per table. Returns the total of differing keys, -1 on error. */
int64_t od_rollup_rebuild(PGconn *c, bool fix, struct od_rollup_diff diffs[OD_ROLLUP_TABLES]);

/* The writer lock (call inside a transaction). */
int od_rollup_lock(PGconn *c);

#endif
