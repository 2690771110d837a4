/* reader — see reader.h. One mutex guards the request queue and the result queue; worker
 * threads take the oldest request, run it with a pooled connection, append the result and
 * call wake(). */
#include "core/db/reader.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/base/thread.h"
#include "core/base/util.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct req {
    struct req *next;
    char *key;
    od_read_fn read;
    void *arg;
    void (*free_arg)(void *);
    void (*free_snapshot)(void *);
    uint64_t seq;
};

struct res {
    struct res *next;
    struct od_read_result r;
};

struct od_reader {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct od_pool *pool;
    void (*wake)(void *);
    void *wake_arg;
    struct req *head, *tail;   /* pending */
    struct res *rhead, *rtail; /* finished */
    char **running;            /* key each thread is running, or NULL */
    int nthreads;
    pthread_t *threads;
    uint64_t seq;
    int stopping;
};

struct thread_arg {
    struct od_reader *q;
    int index;
};

static void req_free(struct req *r)
{
    if (r->free_arg && r->arg) r->free_arg(r->arg);
    free(r->key);
    free(r);
}

static void *worker_main(void *p)
{
    struct thread_arg *ta = p;
    struct od_reader *q = ta->q;
    char name[16];
    snprintf(name, sizeof(name), "query-%d", ta->index);
    od_log_set_thread(name);
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->cond, &q->lock);
        if (q->stopping) break;
        struct req *r = q->head;
        q->head = r->next;
        if (!q->head) q->tail = NULL;
        q->running[ta->index] = r->key;
        pthread_mutex_unlock(&q->lock);

        struct res *out = od_xcalloc(1, sizeof(*out));
        int64_t t0 = od_now_us();
        PGconn *c = od_pool_acquire(q->pool, 10000);
        if (c) {
            out->r.snapshot = r->read(c, r->arg);
            if (!out->r.snapshot) out->r.error = od_xstrdup(od_err());
            od_pool_release(q->pool, c);
        } else {
            out->r.error = od_xstrdup(od_err());
        }
        out->r.elapsed_us = od_now_us() - t0;
        out->r.key = od_xstrdup(r->key);
        out->r.free_snapshot = r->free_snapshot;
        out->r.seq = r->seq;

        pthread_mutex_lock(&q->lock);
        q->running[ta->index] = NULL;
        req_free(r);
        if (q->rtail)
            q->rtail->next = out;
        else
            q->rhead = out;
        q->rtail = out;
        pthread_mutex_unlock(&q->lock);
        if (q->wake) q->wake(q->wake_arg);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    free(ta);
    return NULL;
}

struct od_reader *od_reader_start(struct od_pool *pool, int threads, void (*wake)(void *),
                                  void *wake_arg)
{
    struct od_reader *q = od_xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
    q->pool = pool;
    q->wake = wake;
    q->wake_arg = wake_arg;
    q->nthreads = threads < 1 ? 1 : threads;
    q->threads = od_xcalloc((size_t)q->nthreads, sizeof(pthread_t));
    q->running = od_xcalloc((size_t)q->nthreads, sizeof(char *));
    for (int i = 0; i < q->nthreads; i++) {
        struct thread_arg *ta = od_xmalloc(sizeof(*ta));
        ta->q = q;
        ta->index = i;
        od_thread_start(&q->threads[i], worker_main, ta);
    }
    return q;
}

uint64_t od_reader_submit(struct od_reader *q, const char *key, od_read_fn read, void *arg,
                          void (*free_arg)(void *), void (*free_snapshot)(void *))
{
    struct req *r = od_xcalloc(1, sizeof(*r));
    r->key = od_xstrdup(key);
    r->read = read;
    r->arg = arg;
    r->free_arg = free_arg;
    r->free_snapshot = free_snapshot;
    pthread_mutex_lock(&q->lock);
    r->seq = ++q->seq;
    /* newest wins: drop a queued request with the same key */
    for (struct req **pp = &q->head, *prev = NULL; *pp; prev = *pp, pp = &(*pp)->next) {
        if (strcmp((*pp)->key, key) == 0) {
            struct req *old = *pp;
            *pp = old->next;
            if (q->tail == old) q->tail = prev;
            req_free(old);
            break;
        }
    }
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    uint64_t seq = r->seq;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return seq;
}

bool od_reader_poll(struct od_reader *q, struct od_read_result *out)
{
    pthread_mutex_lock(&q->lock);
    struct res *r = q->rhead;
    if (r) {
        q->rhead = r->next;
        if (!q->rhead) q->rtail = NULL;
    }
    pthread_mutex_unlock(&q->lock);
    if (!r) return false;
    *out = r->r;
    free(r);
    return true;
}

void od_read_result_release(struct od_read_result *r)
{
    if (r->snapshot && r->free_snapshot) r->free_snapshot(r->snapshot);
    free(r->key);
    free(r->error);
    memset(r, 0, sizeof(*r));
}

int od_reader_busy(struct od_reader *q, const char *key)
{
    int n = 0;
    pthread_mutex_lock(&q->lock);
    for (struct req *r = q->head; r; r = r->next)
        n += !key || strcmp(r->key, key) == 0;
    for (int i = 0; i < q->nthreads; i++)
        n += q->running[i] && (!key || strcmp(q->running[i], key) == 0);
    pthread_mutex_unlock(&q->lock);
    return n;
}

void od_reader_stop(struct od_reader *q)
{
    if (!q) return;
    pthread_mutex_lock(&q->lock);
    q->stopping = 1;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    for (int i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    while (q->head) {
        struct req *r = q->head;
        q->head = r->next;
        req_free(r);
    }
    struct od_read_result res;
    while (od_reader_poll(q, &res))
        od_read_result_release(&res);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    free(q->threads);
    free(q->running);
    free(q);
}
