/* store — turning a fetched page into rows, and rows into the database.
 *
 * A batch collects one page: every record is validated against the resource's field table
 * (core/connectors/fields.h); good rows become COPY text, bad ones become dead letters
 * (record id, reason, the record's raw JSON). od_store_batch() then, INSIDE the caller's
 * transaction: copies the rows into a temporary stage table, upserts them with
 *   INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE excluded.updated_at >= t.updated_at
 * (idempotent; older versions are ignored; a row that comes back clears deleted_at), writes
 * the dead letters, and reports the page's max updated_at. Time entries go through
 * core/connectors/rollup.h instead, which also moves partitions and rollups.
 *
 *   struct od_batch b; od_batch_init(&b, res);
 *   od_batch_add_page(&b, doc, records);
 *   BEGIN; od_store_batch(conn, &b, job_id, &result); checkpoint; COMMIT;
 *   od_batch_release(&b);
 *
 * Cursors (sync_cursors) only move forward, and only inside the transaction that stored the
 * rows they cover. All SQL is parameterised; identifiers come from the constant tables. */
#ifndef OD_CONNECTORS_STORE_H
#define OD_CONNECTORS_STORE_H
#include "core/connectors/fields.h"
#include <libpq-fe.h>
#include <stdint.h>

struct od_dead {
    char *record_id; /* may be NULL */
    char *reason;
    char *payload;
};

struct od_batch {
    const struct od_resource *res;
    struct strbuf copy; /* COPY text of the good rows */
    int64_t rows;
    int64_t *ids; /* ids of the good rows, in page order */
    size_t nids, capids;
    struct od_dead *dead;
    size_t ndead, capdead;
    char min_date[16], max_date[16]; /* spent_date range (time entries), "" when none */
    struct od_row row;
    struct strbuf reason;
};

struct od_store_result {
    int64_t upserted;     /* rows inserted or changed */
    char max_updated[40]; /* max updated_at of the page as UTC ISO text, "" when empty */
    int64_t lookup_us, write_us, rollup_us;  /* time entries: where the store's time went */
    int64_t refs, refs_cached, refs_unknown; /* time entries: distinct references checked */
};

void od_batch_init(struct od_batch *b, const struct od_resource *res);
void od_batch_reset(struct od_batch *b);
void od_batch_release(struct od_batch *b);
/* Give back what validation no longer needs (scratch row, spare capacity): for a batch that
 * waits in a queue. It can still be stored, appended to and released. */
void od_batch_trim(struct od_batch *b);
/* Validate every element of records into b. */
void od_batch_add_page(struct od_batch *b, const struct od_json *doc, const struct od_jv *records);
/* True when some id appears twice in the batch. */
bool od_batch_has_duplicates(const struct od_batch *b);

/* Inside an open transaction: stage + upsert + dead letters. */
int od_store_batch(PGconn *c, struct od_batch *b, int64_t job_id, struct od_store_result *out);
/* Inside an open transaction: COPY b's rows into the temporary stage of its table (created on
 * first use per connection, emptied at commit), deduplicated by id (newest updated_at wins),
 * and read the max updated_at. Used by od_store_batch and the time-entry store. */
int od_store_stage(PGconn *c, struct od_batch *b, struct od_store_result *out);
int od_store_dead_letters(PGconn *c, const struct od_batch *b, int64_t job_id);
/* COPY data (text format) with the given COPY ... FROM STDIN statement. */
int od_copy_in(PGconn *c, const char *copy_sql, const char *data, size_t len);

/* Inside a transaction: the temporary table od_seen(id) holds exactly seen[0..n). */
int od_store_seen(PGconn *c, const int64_t *seen, size_t n);
/* Inside a transaction: soft-delete rows of res's table not written since `since` and not in
 * od_seen (fill it first with od_store_seen). *deleted gets the count. */
int od_store_soft_delete(PGconn *c, const struct od_resource *res, const char *since,
                         int64_t *deleted);

/* Partitions for every month in [min_date, max_date] (own statement; call before BEGIN). */
int od_store_ensure_partitions(PGconn *c, const char *min_date, const char *max_date);
/* 1 when some month in [min_date, max_date] has no partition yet, 0 when all do, -1 on error.
 * Reads the catalog only (no lock on the table), so it may run inside a writing transaction. */
int od_store_partitions_missing(PGconn *c, const char *min_date, const char *max_date);

/* The cursor minus overlap_s as Harvest's updated_since ("2026-03-01T10:00:00Z") and as epoch
 * milliseconds (HubSpot search); *iso NULL when there is no cursor. */
int od_cursor_since(PGconn *c, const char *provider, const char *account, const char *resource,
                    int overlap_s, char **iso, int64_t *ms);
/* Inside the page's transaction: move the cursor forward to iso (never back). */
int od_cursor_put(PGconn *c, const char *provider, const char *account, const char *resource,
                  const char *iso);

#endif
