/* entries — storing one page of Harvest time entries: the raw rows and the four profit
 * rollups (core/connectors/rollup.h).
 *
 * od_entries_store() runs INSIDE the caller's transaction, which took the time-entry writer lock
 * (od_rollup_lock) first; a transaction may hold several pages, each seeing the ones before it:
 *   1. the batch's valid rows are read back from its COPY text into C values (id, spent_date,
 *      references, fixed-point hours and rates, updated_at in microseconds) and deduplicated by
 *      id (newest updated_at wins; on a tie the later record, like the upstream order);
 *   2. ONE statement reads the current rows of the page's ids (rollup columns, updated_at,
 *      deleted_at): ids come roughly in creation order, so it scans the id range [lowest,
 *      highest] of the page in every partition's id index (prepared once per connection, as
 *      planning over all partitions costs more than running it), and looks the ids up one by
 *      one only when that range holds far more rows than the page;
 *   3. each row is new (no current row), ignored (the database holds a newer version), or
 *      replaces the current row: the old contribution (when live) is subtracted, the new one
 *      added; when spent_date moved, the old row (old partition) is deleted;
 *   4. new and moved rows are COPYed straight into harvest_time_entries (no stage); rows
 *      replaced in place go through the temporary stage and INSERT ... ON CONFLICT DO UPDATE
 *      (clearing deleted_at);
 *   5. the rollup contributions (-old, +new) are summed into d, which the caller applies
 *      (od_rollup_delta_apply) in the same transaction before it commits;
 *   6. bad records go to dead letters.
 * Replays are no-ops: an equal updated_at subtracts and adds the same contribution.
 * out->max_updated is the page's max updated_at (UTC ISO, microseconds), out->upserted the rows
 * written, and lookup_us / write_us where the time went. */
#ifndef OD_CONNECTORS_ENTRIES_H
#define OD_CONNECTORS_ENTRIES_H
#include "core/connectors/rollup.h"
#include "core/connectors/store.h"
#include <libpq-fe.h>
#include <stdint.h>

int od_entries_store(PGconn *c, struct od_batch *b, int64_t job_id, struct od_rollup_delta *d,
                     struct od_store_result *out);

#endif
