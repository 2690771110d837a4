/* handlers — opsdeck's job handler table: every provider's resources and the system jobs.
 * Handed to the job runtime by whoever starts workers (od_worker_opts.handlers) and used by the
 * sync plans to know what this version can run. */
#ifndef OD_SYNC_HANDLERS_H
#define OD_SYNC_HANDLERS_H
#include "core/jobs/job.h"

extern const struct od_job_handler od_sync_handlers[]; /* NULL-terminated */

#endif
