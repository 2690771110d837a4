/* rollup — the profit_rollup_* tables, kept equal to harvest_time_entries by the sync itself.
 *
 * Four tables, one row per key, summing the live (deleted_at IS NULL) time entries:
 *   profit_rollup_project_month         (project_id, month) + client_id of its entries
 *   profit_rollup_client_month          (client_id, month)
 *   profit_rollup_person_month          (user_id, month)
 *   profit_rollup_project_person_month  (project_id, month, user_id)
 * month = first day of the month of spent_date. Columns (numeric, exact):
 *   entries                count of entries
 *   hours                  Σ hours
 *   billable_hours         Σ hours of billable entries
 *   revenue                Σ over billable entries of rounded_hours × billable_rate
 *                          (rounded_hours falls back to hours when absent; a NULL rate adds 0)
 *   cost                   Σ hours × cost_rate (NULL adds 0)
 *   missing_billable_rate  billable entries whose billable_rate is NULL
 *   missing_cost_rate      entries whose cost_rate is NULL
 * A key whose entries drop to 0 has no row.
 *
 * od_rollup_store_entries() stores a batch of time entries INSIDE the caller's transaction:
 * takes the time-entry writer lock (transaction advisory lock: writers of entries and rollups
 * are serialised, readers never wait), stages the rows, records -old/+new contributions of
 * every entry that changes, deletes the old row of an entry whose spent_date moved partition,
 * upserts, and applies the contributions to all four tables. Replays are no-ops.
 * od_rollup_soft_delete() marks entries gone upstream and subtracts them the same way.
 * od_rollup_rebuild() recomputes everything from raw rows and reports the differences. */
#ifndef OD_CONNECTORS_ROLLUP_H
#define OD_CONNECTORS_ROLLUP_H
#include "core/connectors/store.h"
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

int od_rollup_store_entries(PGconn *c, struct od_batch *b, int64_t job_id,
                            struct od_store_result *out);

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
#define OD_ROLLUP_TABLES 4

/* Compare every rollup table with a recomputation from raw rows; with fix, also replace the
 * tables' contents by the recomputation (in one transaction, under the writer lock).
 * diffs[] gets one entry per table. Returns the total of differing keys, -1 on error. */
int64_t od_rollup_rebuild(PGconn *c, bool fix, struct od_rollup_diff diffs[OD_ROLLUP_TABLES]);

/* The writer lock (call inside a transaction). */
int od_rollup_lock(PGconn *c);

#endif
