/* prefetch — fetching the pages of one Harvest listing a few pages ahead of storing them.
 *
 * od_prefetch_start() starts a thread that, page after page, GETs the URL (through the shared
 * rate limit, breaker and retries of od_fetch_request), parses the envelope, validates every
 * record into an od_batch (COPY text + dead letters) and follows links.next (same origin only).
 * The finished pages wait in a bounded queue of `depth` pages: while the caller stores pages in
 * its transaction, the next ones are being fetched, and the fetch thread waits when `depth`
 * pages are ready — memory stays at depth + 2 pages whatever the listing's length.
 *
 *   struct od_prefetch *q = od_prefetch_start(&f, res, first_url, depth);
 *   for (;;) {
 *       struct od_page *pg = od_prefetch_take(q, &waited_us);  // pages in listing order
 *       if (pg->r != OD_JOB_OK) -> od_seterr("%s", pg->err), give up
 *       store pg->b + checkpoint {next: pg->next} in ONE transaction; commit
 *       last = !pg->next; od_page_free(pg); if (last) break;
 *   }
 *   od_prefetch_stop(q);   // always: aborts a request in flight, joins, frees queued pages
 *
 * The checkpoint semantics are the caller's and unchanged: a page's rows, its checkpoint and
 * the cursor still commit together, in order; a prefetched page that was never stored is
 * simply fetched again on resume. The fetch thread stops when the job should stop
 * (od_job_should_stop) or when od_prefetch_stop() sets f->cancel; its error (r != OK) is the
 * last page it delivers. The thread's curl handle is cleaned up when it ends. */
#ifndef OD_CONNECTORS_PREFETCH_H
#define OD_CONNECTORS_PREFETCH_H
#include "core/connectors/fetch.h"
#include "core/connectors/store.h"
#include <stdint.h>

struct od_page {
    struct od_batch b;      /* validated rows and dead letters */
    char *next;             /* links.next (owned), NULL on the last page */
    int64_t records, total; /* records on the page; total_entries (-1 unknown) */
    enum od_job_result r;   /* not OK: the page could not be had (err says why) */
    char err[512];
    int64_t http_us, parse_us; /* request(s); JSON parse + validation */
};

struct od_prefetch;
struct od_prefetch *od_prefetch_start(struct od_fetch *f, const struct od_resource *res,
                                      const char *url, size_t depth);
/* The next page in listing order; blocks until it is there. *waited_us: how long. */
struct od_page *od_prefetch_take(struct od_prefetch *q, int64_t *waited_us);
/* The same, but NULL when no page is there within timeout_us. */
struct od_page *od_prefetch_take_within(struct od_prefetch *q, int64_t timeout_us,
                                        int64_t *waited_us);
void od_page_free(struct od_page *pg);
/* Stop the fetch thread, join it, free any page still queued. Clears f->cancel. */
void od_prefetch_stop(struct od_prefetch *q);

#endif
