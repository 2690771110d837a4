/* prefetch — a fetch thread one page ahead of the store. See prefetch.h. */
#include "core/connectors/prefetch.h"
#include "core/connectors/harvest_parse.h"
#include "core/base/log.h"
#include "core/base/thread.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct od_prefetch {
    struct od_fetch *f;
    const struct od_resource *res;
    char *url; /* the first page; the thread takes it */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct od_page **ring; /* fetched, not yet taken: ring[(head + i) % depth], i < count */
    size_t depth, head, count;
    bool quit; /* the store side is done: deliver nothing more */
};

void od_page_free(struct od_page *pg)
{
    if (!pg) return;
    od_batch_release(&pg->b);
    free(pg->next);
    free(pg);
}

/* GET url, parse and validate it into pg. A cut or garbled page is weather too: fetch it again
 * (then leave it to the job's retry). */
static void fetch_page(struct od_fetch *f, const struct od_resource *res, const char *url,
                       struct od_page *pg)
{
    struct od_http_resp resp = {0};
    struct od_harvest_page hp = {0};
    od_batch_init(&pg->b, res);
    pg->total = -1;
    for (int tries = 0; tries < 3; tries++) {
        int64_t t0 = od_now_us();
        od_http_resp_release(&resp);
        memset(&resp, 0, sizeof resp);
        pg->r = od_fetch_request(f, url, NULL, false, &resp);
        int64_t t1 = od_now_us();
        pg->http_us += t1 - t0;
        if (pg->r != OD_JOB_OK) break;
        int rc = od_harvest_page_parse(res, resp.body.buf ? resp.body.buf : "", resp.body.len, &hp);
        pg->parse_us += od_now_us() - t1;
        if (rc == 0) break;
        od_log_warn("harvest %s: %s", res->name, od_err());
        pg->r = OD_JOB_RETRY;
    }
    if (pg->r == OD_JOB_OK && hp.next && !od_fetch_same_origin(f, hp.next)) {
        od_seterr("Harvest %s: links.next points to another host; refusing to follow it",
                  res->name);
        pg->r = OD_JOB_FAIL;
    }
    if (pg->r == OD_JOB_OK) {
        int64_t t0 = od_now_us();
        od_batch_add_page(&pg->b, hp.doc, hp.records);
        od_batch_trim(&pg->b); /* it may wait in the queue: keep only what the store reads */
        pg->parse_us += od_now_us() - t0;
        pg->next = hp.next ? od_xstrdup(hp.next) : NULL;
        pg->records = (int64_t)hp.records->count;
        pg->total = hp.total_entries;
    } else {
        snprintf(pg->err, sizeof pg->err, "%s", od_err());
    }
    od_harvest_page_release(&hp);
    od_http_resp_release(&resp);
}

static void *fetch_main(void *arg)
{
    struct od_prefetch *q = arg;
    char *url = q->url;
    q->url = NULL;
    while (url) {
        struct od_page *pg = od_xcalloc(1, sizeof *pg);
        fetch_page(q->f, q->res, url, pg);
        free(url);
        url = pg->r == OD_JOB_OK && pg->next ? od_xstrdup(pg->next) : NULL;
        pthread_mutex_lock(&q->lock);
        while (q->count == q->depth && !q->quit)
            pthread_cond_wait(&q->cond, &q->lock);
        bool quit = q->quit;
        if (!quit) {
            q->ring[(q->head + q->count++) % q->depth] = pg;
            pthread_cond_broadcast(&q->cond);
        }
        pthread_mutex_unlock(&q->lock);
        if (quit) {
            od_page_free(pg);
            break;
        }
    }
    free(url);
    od_http_thread_cleanup();
    return NULL;
}

struct od_prefetch *od_prefetch_start(struct od_fetch *f, const struct od_resource *res,
                                      const char *url, size_t depth)
{
    struct od_prefetch *q = od_xcalloc(1, sizeof *q);
    q->depth = depth ? depth : 1;
    q->ring = od_xcalloc(q->depth, sizeof *q->ring);
    q->f = f;
    q->res = res;
    q->url = od_xstrdup(url);
    pthread_mutex_init(&q->lock, NULL);
    od_cond_init_monotonic(&q->cond);
    od_thread_start(&q->thread, fetch_main, q);
    return q;
}

struct od_page *od_prefetch_take_within(struct od_prefetch *q, int64_t timeout_us,
                                        int64_t *waited_us)
{
    int64_t t0 = od_now_us();
    struct timespec until;
    if (timeout_us >= 0) od_deadline_ms(&until, (timeout_us + 999) / 1000);
    struct od_page *pg = NULL;
    pthread_mutex_lock(&q->lock);
    while (!q->count)
        if (timeout_us < 0)
            pthread_cond_wait(&q->cond, &q->lock);
        else if (pthread_cond_timedwait(&q->cond, &q->lock, &until) != 0 && !q->count)
            break;
    if (q->count) {
        pg = q->ring[q->head];
        q->head = (q->head + 1) % q->depth;
        q->count--;
        pthread_cond_broadcast(&q->cond);
    }
    pthread_mutex_unlock(&q->lock);
    if (waited_us) *waited_us = od_now_us() - t0;
    return pg;
}

struct od_page *od_prefetch_take(struct od_prefetch *q, int64_t *waited_us)
{
    return od_prefetch_take_within(q, -1, waited_us);
}

void od_prefetch_stop(struct od_prefetch *q)
{
    if (!q) return;
    pthread_mutex_lock(&q->lock);
    q->quit = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    atomic_store(&q->f->cancel, true); /* a request in flight or a rate-limit wait ends */
    pthread_join(q->thread, NULL);
    atomic_store(&q->f->cancel, false);
    for (size_t i = 0; i < q->count; i++)
        od_page_free(q->ring[(q->head + i) % q->depth]);
    free(q->ring);
    free(q->url);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    free(q);
}
