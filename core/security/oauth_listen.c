/* oauth_listen — catch the OAuth redirect on 127.0.0.1:PORT with libmicrohttpd (for a browser
 * on the same machine, or one reached through `ssh -L PORT:127.0.0.1:PORT`). The raw request
 * URI is captured before libmicrohttpd decodes it, joined to redirect_uri's scheme and host,
 * and parsed as strictly as a pasted URL. Any local process can reach the port, so a request
 * without this flow's state is answered 400 and ignored; the one with it ends the flow, and
 * the browser hears "connected" only once its code was exchanged. See oauth.h.
 *
 * Threads: libmicrohttpd's single internal thread runs the handlers one at a time (so the
 * flow and on_code are never used concurrently); the caller's thread only waits for the
 * verdict, which is final once the response carrying it was sent (or the daemon stopped). */
#include "core/base/log.h"
#include "core/security/oauth.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_HEAD                                                                                  \
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>opsdeck</title></head><body>"
static const char page_ok[] = PAGE_HEAD "<h1>opsdeck is connected.</h1><p>You can close this tab "
                                        "and go back to the terminal.</p></body></html>";
static const char page_failed[] =
    PAGE_HEAD "<h1>opsdeck could not connect.</h1><p>The terminal says why; run the command "
              "again there.</p></body></html>";
static const char page_ignored[] =
    PAGE_HEAD "<h1>Not the redirect opsdeck is waiting for.</h1><p>This request does not carry "
              "the state of the sign-in in progress; it was ignored.</p></body></html>";
static const char page_finished[] =
    PAGE_HEAD "<h1>This sign-in is already finished.</h1></body></html>";
static const char page_404[] = "<!doctype html><html><body>Not found</body></html>";

enum verdict { WAITING, SUCCEEDED, FAILED };

struct listen_ctx {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const char *redirect_uri; /* borrowed */
    size_t origin_len;        /* scheme://host[:port] of redirect_uri */
    const char *path;         /* borrowed: redirect_uri's path */
    size_t path_len;
    struct od_oauth_flow *flow; /* borrowed; used on the daemon thread only */
    od_oauth_code_fn on_code;
    void *arg;
    enum verdict verdict;
    void *final_req; /* the request whose answer carries the verdict */
    int sent;        /* ... and that answer has gone out */
    char err[512];
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls, (void)con;
    return od_xstrdup(uri);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req,
                         enum MHD_RequestTerminationCode why)
{
    struct listen_ctx *ctx = cls;
    (void)con, (void)why;
    pthread_mutex_lock(&ctx->mu);
    if (*req && *req == ctx->final_req) {
        ctx->sent = 1;
        pthread_cond_signal(&ctx->cv);
    }
    pthread_mutex_unlock(&ctx->mu);
    if (*req) od_wipe(*req, strlen(*req)); /* a URI with a code in it */
    free(*req);
    *req = NULL;
}

static enum MHD_Result reply(struct MHD_Connection *con, unsigned status, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    enum MHD_Result ret = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* The redirect of this flow: its error, or its code through on_code. 0 or -1 + od_err. */
static int finish(struct listen_ctx *ctx, const char *url)
{
    char *code = NULL, *state = NULL;
    int rc = -1;
    if (od_oauth_parse_redirect(url, ctx->redirect_uri, &code, &state) == 0 &&
        od_oauth_flow_check_state(ctx->flow, state) == 0)
        rc = ctx->on_code(ctx->arg, code);
    od_secret_free(code);
    od_secret_free(state);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req)
{
    struct listen_ctx *ctx = cls;
    (void)version, (void)upload, (void)upload_size;
    if (strcmp(method, "GET") != 0 || strlen(url) != ctx->path_len ||
        memcmp(url, ctx->path, ctx->path_len) != 0 || !*req)
        return reply(con, MHD_HTTP_NOT_FOUND, page_404);
    if (ctx->verdict != WAITING) return reply(con, MHD_HTTP_GONE, page_finished);

    char *full =
        od_xasprintf("%.*s%s", (int)ctx->origin_len, ctx->redirect_uri, (const char *)*req);
    char *state = od_oauth_redirect_state(full, ctx->redirect_uri);
    enum MHD_Result ret;
    if (!od_oauth_flow_state_matches(ctx->flow, state)) {
        od_log_warn("OAuth listener: ignored a request to the callback without the state of "
                    "this sign-in (answered 400, still waiting)");
        ret = reply(con, MHD_HTTP_BAD_REQUEST, page_ignored);
    } else {
        int rc = finish(ctx, full);
        pthread_mutex_lock(&ctx->mu);
        ctx->verdict = rc == 0 ? SUCCEEDED : FAILED;
        if (rc != 0) snprintf(ctx->err, sizeof ctx->err, "%s", od_err());
        ctx->final_req = *req;
        pthread_mutex_unlock(&ctx->mu);
        ret = rc == 0 ? reply(con, MHD_HTTP_OK, page_ok)
                      : reply(con, MHD_HTTP_BAD_REQUEST, page_failed);
    }
    od_secret_free(state);
    od_wipe(full, strlen(full));
    free(full);
    return ret;
}

int od_oauth_listen(int port, const char *redirect_uri, struct od_oauth_flow *f, int timeout_s,
                    od_oauth_code_fn on_code, void *arg)
{
    struct listen_ctx ctx = {.mu = PTHREAD_MUTEX_INITIALIZER,
                             .cv = PTHREAD_COND_INITIALIZER,
                             .redirect_uri = redirect_uri,
                             .flow = f,
                             .on_code = on_code,
                             .arg = arg};
    const char *scheme_end = strstr(redirect_uri, "://");
    if (!scheme_end) return od_seterr("hubspot.redirect_uri is not an absolute URL");
    const char *path = strchr(scheme_end + 3, '/');
    ctx.origin_len = path ? (size_t)(path - redirect_uri) : strlen(redirect_uri);
    ctx.path = path ? path : "/";
    ctx.path_len = strcspn(ctx.path, "?#");

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, on_request, &ctx,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, &ctx,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &ctx, MHD_OPTION_CONNECTION_LIMIT, 8u,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) return od_seterr("cannot listen on 127.0.0.1:%d (port in use?)", port);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_s;
    pthread_mutex_lock(&ctx.mu);
    while (!ctx.sent)
        if (pthread_cond_timedwait(&ctx.cv, &ctx.mu, &deadline) != 0) break;
    pthread_mutex_unlock(&ctx.mu);
    MHD_stop_daemon(d); /* joins the daemon thread: the verdict below is final */
    if (ctx.verdict == SUCCEEDED) return 0;
    if (ctx.verdict == FAILED) return od_seterr("%s", ctx.err);
    return od_seterr("no redirect for this sign-in arrived on 127.0.0.1:%d within %d seconds", port,
                     timeout_s);
}
