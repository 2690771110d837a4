/* reader — query workers: run the console's reads off the UI thread and hand finished
 * snapshots back to it (DESIGN §2). The UI thread never waits on the database.
 *
 *   struct od_reader *q = od_reader_start(pool, 2, wake_fn, wake_arg);
 *   od_reader_submit(q, "profit:clients", read_fn, arg, free_arg, free_snapshot);  // any thread
 *   ... wake_fn(wake_arg) is called from a worker when a result is ready ...
 *   struct od_read_result r;
 *   while (od_reader_poll(q, &r)) { ...use r.snapshot...; od_read_result_release(&r); } // UI
 *   od_reader_stop(q);   // joins the threads; pending requests are dropped (args freed)
 *
 * read_fn runs on a worker thread with a pooled connection; it returns a heap snapshot (plain
 * C data the caller defines) or NULL after od_seterr(). Requests are keyed: submitting a key
 * that is still queued replaces the queued request (newest wins), so a burst of NOTIFYs costs
 * one read. Results carry the snapshot's free function so the UI can release it. */
#ifndef OD_READER_H
#define OD_READER_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct od_pool;
struct od_reader;

typedef void *(*od_read_fn)(PGconn *conn, void *arg);

struct od_read_result {
    char *key;      /* owned */
    void *snapshot; /* owned; NULL on error */
    void (*free_snapshot)(void *);
    char *error;        /* owned; NULL on success */
    int64_t elapsed_us; /* time the read took */
    uint64_t seq;       /* submission sequence number */
};

struct od_reader *od_reader_start(struct od_pool *pool, int threads, void (*wake)(void *),
                                  void *wake_arg);
/* arg is owned by the request from here on and released with free_arg (may be NULL).
 * free_snapshot releases what read returns. Returns the request's sequence number. */
uint64_t od_reader_submit(struct od_reader *q, const char *key, od_read_fn read, void *arg,
                          void (*free_arg)(void *), void (*free_snapshot)(void *));
bool od_reader_poll(struct od_reader *q, struct od_read_result *out);
void od_read_result_release(struct od_read_result *r);
/* Requests queued or running (for a "loading" indicator). */
int od_reader_busy(struct od_reader *q, const char *key);
void od_reader_stop(struct od_reader *q);

#endif
