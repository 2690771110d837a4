/* fetch — what every connector handler shares: credentials, headers, the shared rate limit,
 * HTTP with the job's stop flag, status -> job result mapping, and the page transaction.
 *
 *   struct od_fetch f;
 *   if ((r = od_fetch_open(&f, ctx, "harvest")) != OD_JOB_OK) return r;
 *   struct od_http_resp resp = {0};
 *   r = od_fetch_request(&f, url, NULL, false, &resp);  // GET; OD_JOB_OK: 2xx body in resp.body
 *   ...
 *   PGconn *c = od_fetch_begin(&f);                     // pooled connection inside BEGIN
 *   ... store ...; od_job_checkpoint_save(ctx, c, ck);
 *   r = od_fetch_commit(&f, c);                         // COMMIT + release (RETRY/STOPPED on error)
 *   od_fetch_close(&f);
 *
 * Harvest requests carry Authorization: Bearer, Harvest-Account-Id and User-Agent; HubSpot
 * requests carry Authorization: Bearer. Tokens stay in these headers: never in a URL, argv or
 * a log line. A next-page URL from upstream is only followed when it has the configured base
 * URL's origin (the token must never go to another host).
 * Threads: one thread makes the requests (od_fetch_request; it owns rl_now and the headers);
 * another may meanwhile use the database half (begin/commit/conn) and set `cancel`, which
 * stops the requests like od_job_should_stop does. */
#ifndef OD_CONNECTORS_FETCH_H
#define OD_CONNECTORS_FETCH_H
#include "core/net/http.h"
#include "core/jobs/job.h"
#include <stdatomic.h>
#include <stdbool.h>

struct od_ratelimit;

struct od_fetch {
    struct od_job_ctx *ctx;
    const struct od_job *job;
    const struct od_job_env *env;
    const char *provider;
    const char *base_url; /* borrowed from the configuration */
    char *token, *account;
    struct od_ratelimit *rl, *rl_search, *rl_now;
    char *hdr[4];
    const char *headers[5];
    atomic_bool cancel; /* set by the page-storing thread: the fetch thread's requests stop */
};

enum od_job_result od_fetch_open(struct od_fetch *f, struct od_job_ctx *ctx, const char *provider);
void od_fetch_close(struct od_fetch *f);
/* GET (body NULL) or POST (JSON body). search: take from the search budget (HubSpot).
 * 2xx: OD_JOB_OK. Otherwise the job result with od_err() set: RETRY for transient trouble,
 * FAIL for a refused request (4xx), STOPPED when the job was told to stop. */
enum od_job_result od_fetch_request(struct od_fetch *f, const char *url, const char *body,
                                    bool search, struct od_http_resp *resp);
/* New string: the configured base URL (trailing slashes dropped) followed by path. Caller
 * frees. */
char *od_fetch_url(const struct od_fetch *f, const char *path);
/* True when url has the same scheme://host[:port] as the configured base URL. */
bool od_fetch_same_origin(const struct od_fetch *f, const char *url);

/* A pooled connection inside BEGIN, or NULL (od_err set) — the caller returns RETRY. */
PGconn *od_fetch_begin(struct od_fetch *f);
enum od_job_result od_fetch_commit(struct od_fetch *f, PGconn *c);
void od_fetch_rollback(struct od_fetch *f, PGconn *c);
/* A pooled connection outside a transaction (release with od_fetch_release). */
PGconn *od_fetch_conn(struct od_fetch *f);
void od_fetch_release(struct od_fetch *f, PGconn *c);
/* After a failed database step: STOPPED when the job lost its lease/was told to stop, else
 * RETRY. Rolls back and releases c when not NULL. */
enum od_job_result od_fetch_db_failed(struct od_fetch *f, PGconn *c);

/* Boolean member of the job's args ({"full":true}); false when absent. */
bool od_fetch_arg_bool(const struct od_fetch *f, const char *key);

#endif
