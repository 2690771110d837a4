/* jobctx — the runtime side of core/jobs/job.h: one od_job_ctx per running job.
 *
 * Made by the worker (core/jobs/worker.c) around a claimed job, handed to the handler, read by the
 * heartbeat thread (od_jobctx_beat) and freed after the job's outcome is recorded:
 *   struct od_job_ctx *ctx = od_jobctx_new(&job, &env, &stop_flag);
 *   enum od_job_result r = handler->run(ctx);
 *   od_jobctx_flush(ctx);                    // last progress NOTIFY
 *   od_jobctx_free(ctx);
 * Progress NOTIFYs go out on channel opsdeck_jobs, at most one per OD_JOBCTX_NOTIFY_MS per
 * job, on a briefly borrowed pool connection (skipped, not waited for, when none is free).
 * Thread-safe between the job's thread and the heartbeat thread. */
#ifndef OD_JOBCTX_H
#define OD_JOBCTX_H
#include "core/jobs/queue.h"
#include "core/jobs/job.h"
#include <stdatomic.h>
#include <stdbool.h>

#define OD_JOBCTX_NOTIFY_MS 100

/* job and env are borrowed and must outlive the ctx; env->worker_id is the job's holder.
 * stop (may be NULL) is the process-wide "finish the page and leave" flag. */
struct od_job_ctx *od_jobctx_new(const struct od_job *job, const struct od_job_env *env,
                                 const atomic_bool *stop);
void od_jobctx_free(struct od_job_ctx *ctx);
/* The job was found cancelled/rescued (heartbeat or checkpoint save): the handler is asked
 * to stop at its next page boundary and the outcome is not recorded over the new state. */
void od_jobctx_set_lost(struct od_job_ctx *ctx);
bool od_jobctx_lost(struct od_job_ctx *ctx);
/* Snapshot for the heartbeat. */
void od_jobctx_beat(struct od_job_ctx *ctx, struct od_job_beat *out);
/* od_job_retry_not_before()'s delay (0 none), for the worker's retry schedule. */
int64_t od_jobctx_retry_hint(struct od_job_ctx *ctx);
/* Send the latest progress now if a throttled update is pending. */
void od_jobctx_flush(struct od_job_ctx *ctx);

/* JSON payload {"id":..,"state":..,"done":..,"total":..} into buf; exposed for tests. */
void od_jobctx_payload(char *buf, size_t n, int64_t id, const char *state, int64_t done,
                       int64_t total);
#endif
