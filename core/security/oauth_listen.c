/* oauth_listen — catch one OAuth redirect on 127.0.0.1:PORT with libmicrohttpd (for a browser
 * on the same machine, or one reached through `ssh -L PORT:127.0.0.1:PORT`). The raw request
 * URI is captured before libmicrohttpd decodes it, joined to redirect_uri's scheme and host,
 * and handed back for the same strict parse as a pasted URL. See oauth.h. */
#include "core/security/oauth.h"
#include "core/base/util.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char page_ok[] =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>opsdeck</title></head>"
    "<body><h1>opsdeck is connected.</h1><p>You can close this tab and go back to the "
    "terminal.</p></body></html>";
static const char page_404[] = "<!doctype html><html><body>Not found</body></html>";

struct listen_ctx {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const char *path; /* borrowed: redirect_uri's path */
    size_t path_len;
    char *raw; /* the captured request URI */
    int done;  /* the answer for it has been sent */
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    return od_xstrdup(uri);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req,
                         enum MHD_RequestTerminationCode why)
{
    struct listen_ctx *ctx = cls;
    pthread_mutex_lock(&ctx->mu);
    if (ctx->raw && *req == ctx->raw) {
        ctx->done = 1;
        pthread_cond_signal(&ctx->cv);
        *req = NULL; /* ownership moved to ctx */
    }
    pthread_mutex_unlock(&ctx->mu);
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req)
{
    struct listen_ctx *ctx = cls;
    if (strcmp(method, "GET") != 0 || strlen(url) != ctx->path_len ||
        memcmp(url, ctx->path, ctx->path_len) != 0)
        return reply(con, MHD_HTTP_NOT_FOUND, page_404);
    pthread_mutex_lock(&ctx->mu);
    if (!ctx->raw) ctx->raw = *req; /* first matching request wins */
    pthread_mutex_unlock(&ctx->mu);
    return reply(con, MHD_HTTP_OK, page_ok);
}

int od_oauth_listen(int port, const char *redirect_uri, int timeout_s, char **url)
{
    struct listen_ctx ctx = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    const char *scheme_end = strstr(redirect_uri, "://");
    *url = NULL;
    if (!scheme_end) return od_seterr("hubspot.redirect_uri is not an absolute URL");
    const char *path = strchr(scheme_end + 3, '/');
    size_t origin_len = path ? (size_t)(path - redirect_uri) : strlen(redirect_uri);
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
    while (!ctx.done)
        if (pthread_cond_timedwait(&ctx.cv, &ctx.mu, &deadline) != 0) break;
    int done = ctx.done;
    pthread_mutex_unlock(&ctx.mu);
    MHD_stop_daemon(d);
    if (!done) {
        free(ctx.raw);
        return od_seterr("no redirect arrived on 127.0.0.1:%d within %d seconds", port, timeout_s);
    }
    *url = od_xasprintf("%.*s%s", (int)origin_len, redirect_uri, ctx.raw);
    free(ctx.raw);
    return 0;
}
