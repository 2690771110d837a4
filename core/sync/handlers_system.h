/* handlers_system — job handlers of provider "system" that need no upstream service, for the
 * runtime's own tests, demos and benchmarks. They are rows of the handler table
 * (core/sync/handlers.c):
 *   system/noop   completes at once.
 *   system/sleep  args {"pages":N,"ms":M}: N pages of M ms each (default 1 page, 100 ms). After
 *                 each page it saves the checkpoint {"page":k,"starts":[...]} in a transaction
 *                 and reports progress k/N; it stops between pages when asked. "starts" lists
 *                 the page every run began at, so a resumed run is visible ([0,3]: started at
 *                 0, resumed at 3).
 *   system/fail   args {"permanent":bool,"message":"..."}: fails every time (OD_JOB_FAIL when
 *                 permanent, else OD_JOB_RETRY) with that message.
 * and the runtime's own maintenance jobs:
 *   system/evaluate      args {"links":bool}: with links, od_links_auto() first (so
 *                 unlinked_client sees fresh links), then od_exceptions_evaluate(). The last job
 *                 of every sync plan (core/sync/syncplan.h) and the scheduler's periodic pass.
 *                 OD_JOB_RETRY when a rule or the linking failed.
 *   system/rollup_check  nightly (core/sync/scheduler.c): od_rollup_rebuild(check only)
 *                 compares every rollup table (the monthly ones, and the listed months' day
 *                 rows) with the raw time entries, logs every differing table, then evaluates
 *                 the rules, so the reconcile_mismatch rule (which compares the last three
 *                 months of profit_rollup_project_month with profit_entry_facts itself) opens
 *                 its exception at once. Any difference, including ones outside that rule's
 *                 window or table, makes the job dead (OD_JOB_FAIL) with the tables and an
 *                 example key in its error, which the sync_failed rule reports at the next
 *                 evaluation. Nothing is repaired: `opsdeck rollup rebuild` does that. */
#ifndef OD_SYNC_HANDLERS_SYSTEM_H
#define OD_SYNC_HANDLERS_SYSTEM_H
#include "core/jobs/job.h"

enum od_job_result od_handler_system_noop(struct od_job_ctx *ctx);
enum od_job_result od_handler_system_sleep(struct od_job_ctx *ctx);
enum od_job_result od_handler_system_fail(struct od_job_ctx *ctx);
enum od_job_result od_handler_system_evaluate(struct od_job_ctx *ctx);
enum od_job_result od_handler_system_rollup_check(struct od_job_ctx *ctx);

#endif
