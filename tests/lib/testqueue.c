/* testqueue — see testqueue.h. */
#include "tests/lib/testqueue.h"
#include <stdlib.h>
#include "core/base/util.h"
#include "core/jobs/queue.h"

long testqueue_burn(PGconn *c, const char *holder, int batch, int64_t *got, int *errors)
{
    struct od_job *jobs = od_xcalloc((size_t)batch, sizeof(*jobs));
    int64_t *ids = od_xcalloc((size_t)batch, sizeof(*ids));
    long done = 0;
    for (;;) {
        int n = c ? od_queue_claim(c, holder, batch, NULL, jobs) : -1;
        if (n <= 0) {
            *errors += n < 0;
            break;
        }
        for (int i = 0; i < n; i++) {
            ids[i] = jobs[i].id;
            if (got) got[done + i] = jobs[i].id;
            od_job_clear(&jobs[i]);
        }
        if (od_queue_complete(c, holder, ids, (size_t)n) != n) (*errors)++;
        done += n;
    }
    free(jobs);
    free(ids);
    return done;
}
