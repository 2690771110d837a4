/* links_bulk — client ↔ company and project ↔ deal links in bulk, as CSV (core/domain/links.h
 * holds the one-at-a-time edits and the automatic matching).
 *
 *   struct strbuf csv = STRBUF_INIT;
 *   od_links_export_csv(pool, &csv);                 // header + one row per link row
 *   struct od_links_import res;
 *   int rc = od_links_import_csv(pool, "links.csv", data, len, false, "cli:ann", &res);
 *   // rc 0: applied (res.changed), 1: bad rows, nothing applied (res.errors), -1: od_err
 *   od_links_import_release(&res);
 *
 * Format (RFC 4180 subset): the header line exactly `kind,harvest_id,hubspot_id`, then one row per
 * link: kind `client_company` (Harvest client, HubSpot company) or `project_deal` (Harvest
 * project, HubSpot deal), positive integer ids, hubspot_id empty = "no company/deal, by hand".
 * Lines end in LF or CRLF; a field may be wrapped in double quotes; a UTF-8 byte order mark
 * before the header is ignored.
 *
 * Import is strict and all-or-nothing: valid UTF-8, the exact header, 3 fields per row, known
 * kinds, ids that exist in the database (live Harvest client/project; HubSpot company/deal not
 * deleted — a row equal to the current link is accepted as it is), no (kind, harvest_id) twice,
 * at most OD_LINKS_IMPORT_MAX_BYTES and OD_LINKS_IMPORT_MAX_ROWS. Every bad row gives one line
 * "LABEL:LINE: reason" in res.errors (ordered by line) and nothing is applied. A good file is
 * applied in one transaction (serialised with automatic matching): a row that differs from the
 * current link becomes a manual link (method manual, version + 1), which automatic matching
 * never touches; a row equal to the current link is left as it is (an automatic link stays
 * automatic), so export then import changes nothing. One audit_log row (link.import) and a
 * NOTIFY opsdeck_links per applied import. dry_run validates and counts, then rolls back. */
#ifndef OD_LINKS_BULK_H
#define OD_LINKS_BULK_H
#include "core/base/util.h"
#include <stdbool.h>
#include <stddef.h>

struct od_pool;

#define OD_LINKS_IMPORT_MAX_BYTES (10 * 1024 * 1024)
#define OD_LINKS_IMPORT_MAX_ROWS 100000
#define OD_LINKS_CSV_HEADER "kind,harvest_id,hubspot_id"

struct od_links_import {
    int rows;             /* data rows read */
    int changed_clients;  /* client links created or changed (or that would be: dry run) */
    int changed_projects; /* project links created or changed */
    int unchanged;        /* rows equal to the current link */
    int bad;              /* bad rows (one error line each) */
    struct strbuf errors; /* "LABEL:LINE: reason\n" per bad row, in line order */
};

/* Append the CSV (header, client_company rows by id, then project_deal rows) to out. */
int od_links_export_csv(struct od_pool *pool, struct strbuf *out);
/* label names the file in messages (sanitize it before: it is printed as given). 0 applied
 * (or valid, for a dry run), 1 bad rows (nothing applied), -1 with od_err (database). */
int od_links_import_csv(struct od_pool *pool, const char *label, const char *data, size_t len,
                        bool dry_run, const char *actor, struct od_links_import *res);
void od_links_import_release(struct od_links_import *res);

#endif
