/* hubspot_sync — job handlers for the HubSpot CRM (provider "hubspot"):
 *   owners          full list (archived=false, then archived=true)
 *   pipelines       deal pipelines and stages (hubspot_pipelines.c): what "won" means
 *   companies       first run / {"full":true}: full list; then incremental search; either
 *                   way followed by the archived list (archived=true, every page), which
 *                   marks archived records: search never returns them, and archiving does
 *                   not move hs_lastmodifieddate, so this is how they leave the numbers;
 *                   the list is HubSpot's recycle bin (archived in the last ~90 days), a
 *                   small fraction of the records, so paging through it each run is cheap
 *   deals           same; every live deal page also reads its deal -> company associations
 *                   (v4 batch read, with association types: Primary = HUBSPOT_DEFINED 5)
 *                   into the same transaction
 *   deal_companies  associations of every stored deal, 100 ids per call
 *   reconcile       full re-list of companies and deals: rows not seen are soft-deleted,
 *                   archived deals are marked archived
 * Lists use limit=100 and `after`. The incremental search is POST .../search filtered on
 * hs_lastmodifieddate GTE (cursor − sync.overlap_s, epoch ms), sorted ascending, 200 per page,
 * on the search budget (5/s); it never pages into the 10,000-result cap: before that it starts
 * a new search from the last hs_lastmodifieddate seen (upserts absorb the repeats). Each page
 * commits with its checkpoint; the last one also moves the cursor. Every property is a string:
 * amount is parsed as money, dates as ISO 8601 (core/connectors/hubspot_parse.h). */
#ifndef OD_CONNECTORS_HUBSPOT_SYNC_H
#define OD_CONNECTORS_HUBSPOT_SYNC_H
#include "core/jobs/job.h"

enum od_job_result od_hubspot_owners(struct od_job_ctx *ctx);
enum od_job_result od_hubspot_pipelines(struct od_job_ctx *ctx);
enum od_job_result od_hubspot_companies(struct od_job_ctx *ctx);
enum od_job_result od_hubspot_deals(struct od_job_ctx *ctx);
enum od_job_result od_hubspot_deal_companies(struct od_job_ctx *ctx);
enum od_job_result od_hubspot_reconcile(struct od_job_ctx *ctx);

#endif
