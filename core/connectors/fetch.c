/* fetch — shared connector plumbing. See fetch.h. */
#include "core/connectors/fetch.h"
#include "core/base/time.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/connectors/tokens.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/net/ratelimit.h"
#include "core/base/sanitize.h"
#include "core/base/url.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool stop_cb(void *arg)
{
    struct od_fetch *f = arg;
    return atomic_load(&f->cancel) || (f->ctx && od_job_should_stop(f->ctx));
}

static int before_send(void *arg)
{
    struct od_fetch *f = arg;
    return od_ratelimit_acquire(f->rl_now, stop_cb, f);
}

static void on_rate_limited(void *arg, int64_t wait_ms)
{
    struct od_fetch *f = arg;
    od_ratelimit_penalize(f->rl_now, wait_ms);
}

enum od_job_result od_fetch_open(struct od_fetch *f, struct od_job_ctx *ctx, const char *provider)
{
    memset(f, 0, sizeof *f);
    atomic_init(&f->cancel, false);
    f->ctx = ctx;
    f->job = od_job_get(ctx);
    f->env = od_job_env(ctx);
    f->provider = provider;
    const struct od_config *cfg = f->env->cfg;
    bool harvest = strcmp(provider, "harvest") == 0;
    f->base_url = harvest ? cfg->harvest.base_url : cfg->hubspot.base_url;
    if (!f->base_url || !*f->base_url) {
        od_seterr("%s.base_url is not configured", provider);
        return OD_JOB_FAIL;
    }
    if (od_url_check_transport(f->base_url) < 0) { /* validated at load; the token is at stake */
        char why[256];
        snprintf(why, sizeof why, "%s", od_err());
        od_seterr("%s.base_url: %s", provider, why);
        return OD_JOB_FAIL;
    }
    if (od_tokens_get(f->env, provider, &f->token, &f->account) < 0) return OD_JOB_FAIL;
    f->hdr[0] = od_xasprintf("Authorization: Bearer %s", f->token);
    int n = 1;
    if (harvest) {
        f->hdr[n++] = od_xasprintf("Harvest-Account-Id: %s", f->account);
        f->hdr[n++] =
            od_xasprintf("User-Agent: %s", cfg->harvest.user_agent && *cfg->harvest.user_agent
                                               ? cfg->harvest.user_agent
                                               : "opsdeck (ops@example.com)");
    }
    for (int i = 0; i < n; i++)
        f->headers[i] = f->hdr[i];
    f->rl = od_ratelimit_get(f->env->pool, provider, f->account);
    if (!harvest) f->rl_search = od_ratelimit_get(f->env->pool, "hubspot-search", f->account);
    return OD_JOB_OK;
}

void od_fetch_close(struct od_fetch *f)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(f->hdr); i++) {
        if (f->hdr[i]) od_wipe(f->hdr[i], strlen(f->hdr[i]));
        free(f->hdr[i]);
    }
    od_tokens_free(f->token);
    free(f->account);
    memset(f, 0, sizeof *f);
}

char *od_fetch_url(const struct od_fetch *f, const char *path)
{
    size_t n = strlen(f->base_url);
    while (n && f->base_url[n - 1] == '/')
        n--;
    return od_xasprintf("%.*s%s", (int)n, f->base_url, path);
}

bool od_fetch_same_origin(const struct od_fetch *f, const char *url)
{
    const char *b = f->base_url, *s = strstr(b, "://");
    if (!s || !url) return false;
    size_t n = (size_t)(s + 3 - b);
    n += strcspn(s + 3, "/?#");
    return strncmp(url, b, n) == 0 && (url[n] == '/' || url[n] == '?' || url[n] == '\0');
}

/* A 429 from HubSpot's daily quota ("policyName":"DAILY") does not clear within minutes: the
 * job's next try is put after the reset (Retry-After when given, else an hour from now, as
 * the quota resets at midnight in the account's time zone) and its error says so. */
static void daily_limit(struct od_fetch *f, const struct od_http_resp *resp)
{
    struct od_json *doc = resp->body.len ? od_json_parse(resp->body.buf, resp->body.len) : NULL;
    const char *policy = doc ? od_jv_string(od_jv_get(od_json_root(doc), "policyName")) : NULL;
    bool daily = policy && strcmp(policy, "DAILY") == 0;
    od_json_free(doc);
    if (!daily || !f->ctx) return;
    int64_t delay = resp->retry_after_ms >= 0 ? resp->retry_after_ms : 3600 * 1000;
    if (delay > OD_JOB_RETRY_HINT_MAX_MS) delay = OD_JOB_RETRY_HINT_MAX_MS;
    od_job_retry_not_before(f->ctx, delay);
    char at[40];
    od_time_format_ms(od_wall_ms() + delay, at, sizeof at);
    od_seterr("%s daily API limit reached (429, policy DAILY): next try after %s (%s; the limit "
              "resets at midnight in the account's time zone)",
              f->provider, at,
              resp->retry_after_ms >= 0 ? "its Retry-After" : "no Retry-After given: in an hour");
}

enum od_job_result od_fetch_request(struct od_fetch *f, const char *url, const char *body,
                                    bool search, struct od_http_resp *resp)
{
    f->rl_now = search && f->rl_search ? f->rl_search : f->rl;
    struct od_http_req req = {
        .method = body ? "POST" : "GET",
        .url = url,
        .headers = f->headers,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .cfg = f->env->cfg,
        .provider = f->provider,
        .timeout_s = f->env->cfg->sync.http_timeout_s,
        .before_send = before_send,
        .on_rate_limited = on_rate_limited,
        .should_stop = stop_cb,
        .arg = f,
        .max_body = f->env->cfg->http.max_body_bytes,
        .retry_after_cap_s = f->env->cfg->http.retry_after_cap_s,
    };
    enum od_http_rc hrc = od_http_request(&req, resp);
    char *fresh = NULL;
    if (hrc == OD_HTTP_OK && resp->status == 401 &&
        od_tokens_refresh(f->env, f->provider, f->token, &fresh) == 0) {
        /* An OAuth access token expired mid-run: once more with the refreshed one. */
        od_wipe(f->hdr[0], strlen(f->hdr[0]));
        free(f->hdr[0]);
        od_tokens_free(f->token);
        f->token = fresh;
        f->hdr[0] = od_xasprintf("Authorization: Bearer %s", f->token);
        f->headers[0] = f->hdr[0];
        hrc = od_http_request(&req, resp);
    }
    switch (hrc) {
    case OD_HTTP_OK:
        break;
    case OD_HTTP_TRANSIENT:
        if (resp->status == 429) daily_limit(f, resp);
        return OD_JOB_RETRY;
    case OD_HTTP_STOPPED:
        return OD_JOB_STOPPED;
    case OD_HTTP_ERROR:
        return OD_JOB_FAIL;
    }
    if (resp->status >= 200 && resp->status < 300) return OD_JOB_OK;
    char path[256];
    od_http_url_path(url, path, sizeof path);
    /* Upstream error bodies are outside strings: sanitized and cut before they reach a log. */
    char *snippet = od_sanitize_n(resp->body.buf ? resp->body.buf : "",
                                  resp->body.len > 300 ? 300 : resp->body.len);
    const char *hint = resp->status == 401 || resp->status == 403
                           ? " — the credential was refused; reconnect the account"
                           : "";
    od_seterr("%s %s answered HTTP %ld%s: %s", f->provider, path, resp->status, hint, snippet);
    free(snippet);
    return resp->status == 408 ? OD_JOB_RETRY : OD_JOB_FAIL;
}

PGconn *od_fetch_conn(struct od_fetch *f)
{
    return od_pool_acquire(f->env->pool, 10000);
}

void od_fetch_release(struct od_fetch *f, PGconn *c)
{
    if (c) od_pool_release(f->env->pool, c);
}

PGconn *od_fetch_begin(struct od_fetch *f)
{
    PGconn *c = od_fetch_conn(f);
    if (!c) return NULL;
    if (od_db_begin(c) < 0) {
        od_fetch_release(f, c);
        return NULL;
    }
    return c;
}

enum od_job_result od_fetch_commit(struct od_fetch *f, PGconn *c)
{
    int rc = od_db_commit(c);
    od_fetch_release(f, c);
    if (rc < 0) return od_fetch_db_failed(f, NULL);
    return OD_JOB_OK;
}

void od_fetch_rollback(struct od_fetch *f, PGconn *c)
{
    od_db_rollback(c);
    od_fetch_release(f, c);
}

enum od_job_result od_fetch_db_failed(struct od_fetch *f, PGconn *c)
{
    if (c) od_fetch_rollback(f, c);
    return od_job_should_stop(f->ctx) ? OD_JOB_STOPPED : OD_JOB_RETRY;
}

bool od_fetch_arg_bool(const struct od_fetch *f, const char *key)
{
    const char *args = f->job->args_json;
    if (!args) return false;
    struct od_json *doc = od_json_parse(args, strlen(args));
    if (!doc) return false;
    const struct od_jv *v = od_jv_get(od_json_root(doc), key);
    bool yes = v && v->type == OD_JV_TRUE;
    od_json_free(doc);
    return yes;
}
