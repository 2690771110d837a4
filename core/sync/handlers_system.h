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
 *                 permanent, else OD_JOB_RETRY) with that message. */
#ifndef OD_SYNC_HANDLERS_SYSTEM_H
#define OD_SYNC_HANDLERS_SYSTEM_H
#include "core/sync/job.h"

enum od_job_result od_handler_system_noop(struct od_job_ctx *ctx);
enum od_job_result od_handler_system_sleep(struct od_job_ctx *ctx);
enum od_job_result od_handler_system_fail(struct od_job_ctx *ctx);

#endif
