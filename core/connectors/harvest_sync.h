/* harvest_sync — job handlers for Harvest v2 (provider "harvest"):
 *   clients, projects, users, tasks, time_entries   incremental by updated_since
 *   reconcile                                        re-list and soft-delete what is gone
 *
 * Incremental run: updated_since = stored cursor − sync.overlap_s (none on the first run or
 * with args {"full":true}); per_page = harvest.per_page; links.next is followed (same origin
 * only) until null. Each page is stored in ONE transaction together with its checkpoint
 * {"next":URL,"max":ISO} and, on the last page, the cursor = max updated_at seen. A restarted
 * job resumes from the checkpoint's next URL. Bad records go to sync_dead_letters and the page
 * still commits.
 *
 * Reconcile: lists clients, projects, users and tasks in full and the time entries of the last
 * sync.reconcile_days (from/to on spent_date), stores them like a sync, then soft-deletes
 * (deleted_at) every row of those lists/that window not seen and not written since the
 * reconcile began; rollups follow in the same transaction. It does not resume mid-way. */
#ifndef OD_CONNECTORS_HARVEST_SYNC_H
#define OD_CONNECTORS_HARVEST_SYNC_H
#include "core/jobs/job.h"

enum od_job_result od_harvest_clients(struct od_job_ctx *ctx);
enum od_job_result od_harvest_projects(struct od_job_ctx *ctx);
enum od_job_result od_harvest_users(struct od_job_ctx *ctx);
enum od_job_result od_harvest_tasks(struct od_job_ctx *ctx);
enum od_job_result od_harvest_time_entries(struct od_job_ctx *ctx);
enum od_job_result od_harvest_reconcile(struct od_job_ctx *ctx);

#endif
