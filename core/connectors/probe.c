/* probe — one cheap authenticated request per provider, cached briefly. See probe.h. */
#include "core/connectors/probe.h"
#include "core/base/config.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "core/connectors/fetch.h"
#include "core/connectors/tokens.h"
#include "core/jobs/jobctx.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *provider, *path;
} probes[] = {
    {"harvest", "/v2/users/me"},
    {"hubspot", "/crm/v3/owners?limit=1"},
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct od_probe cache[OD_ARRAY_LEN(probes)];
static bool cached[OD_ARRAY_LEN(probes)];

static const char *const outcome_names[] = {"ok",         "rate_limited", "refused",
                                            "http_error", "unreachable",  "no_credential"};

const char *od_probe_outcome_name(enum od_probe_outcome o)
{
    return (unsigned)o < OD_ARRAY_LEN(outcome_names) ? outcome_names[o] : "?";
}

void od_probe_forget(void)
{
    pthread_mutex_lock(&cache_lock);
    memset(cached, 0, sizeof cached);
    pthread_mutex_unlock(&cache_lock);
}

struct stop {
    int64_t deadline_ms;
    atomic_bool limited;
};

static bool stop_cb(void *arg)
{
    struct stop *s = arg;
    return atomic_load(&s->limited) || od_now_ms() >= s->deadline_ms;
}

/* A 429 means the credential passed; the probe does not wait out the budget. */
static void on_limited(void *arg, int64_t wait_ms)
{
    (void)wait_ms;
    atomic_store(&((struct stop *)arg)->limited, true);
}

static void classify(struct od_probe *p, enum od_http_rc rc, const struct od_http_resp *resp,
                     const char *provider)
{
    p->status = resp->status;
    if (resp->rate_limited > 0 && (rc == OD_HTTP_STOPPED || resp->status == 429)) {
        p->outcome = OD_PROBE_RATE_LIMITED;
        p->status = 429;
        snprintf(p->message, sizeof p->message,
                 "%s answered 429 (rate limited): the credential was accepted", provider);
        return;
    }
    if (rc != OD_HTTP_OK) {
        p->outcome = OD_PROBE_UNREACHABLE;
        snprintf(p->message, sizeof p->message, "%s",
                 rc == OD_HTTP_STOPPED ? "no answer within the check's deadline" : od_err());
        return;
    }
    if (resp->status >= 200 && resp->status < 300) {
        p->outcome = OD_PROBE_OK;
        snprintf(p->message, sizeof p->message, "HTTP %ld: the credential was accepted",
                 resp->status);
        return;
    }
    p->outcome =
        resp->status == 401 || resp->status == 403 ? OD_PROBE_REFUSED : OD_PROBE_HTTP_ERROR;
    char *snippet = od_sanitize_n(resp->body.buf ? resp->body.buf : "",
                                  resp->body.len > 120 ? 120 : resp->body.len);
    snprintf(p->message, sizeof p->message, "%s", snippet);
    free(snippet);
}

/* One request with the sync's credential and headers; HubSpot OAuth gets one refresh on 401. */
static void ask(const struct od_probe_env *env, const char *provider, const char *path,
                int timeout_ms, struct od_probe *p)
{
    char args[] = "{}";
    struct od_job job = {.id = 0, .args_json = args, .attempts = 1, .max_attempts = 1};
    snprintf(job.provider, sizeof job.provider, "%s", provider);
    snprintf(job.resource, sizeof job.resource, "probe");
    /* The job env's vault is only read (od_tokens_get takes it const all the way down). */
    struct od_job_env jenv = {env->cfg, env->pool, (struct od_vault *)env->vault, "health-probe"};
    struct od_job_ctx *ctx = od_jobctx_new(&job, &jenv, NULL);
    struct od_fetch f;
    if (od_fetch_open(&f, ctx, provider) != OD_JOB_OK) {
        p->outcome = OD_PROBE_NO_CREDENTIAL;
        snprintf(p->message, sizeof p->message, "%s", od_err());
        od_fetch_close(&f);
        od_jobctx_free(ctx);
        return;
    }
    size_t n = strlen(f.base_url);
    while (n && f.base_url[n - 1] == '/')
        n--;
    char *url = od_xasprintf("%.*s%s", (int)n, f.base_url, path);
    struct stop st = {.deadline_ms = od_now_ms() + timeout_ms};
    atomic_init(&st.limited, false);
    struct od_http_req req = {.method = "GET",
                              .cfg = env->cfg,
                              .url = url,
                              .headers = f.headers,
                              .provider = provider,
                              .timeout_s = timeout_ms < 1000 ? 1 : timeout_ms / 1000,
                              .max_attempts = 1,
                              .on_rate_limited = on_limited,
                              .should_stop = stop_cb,
                              .arg = &st};
    struct od_http_resp resp;
    memset(&resp, 0, sizeof resp);
    int64_t t0 = od_now_ms();
    enum od_http_rc rc = od_http_request(&req, &resp);
    char *fresh = NULL;
    if (rc == OD_HTTP_OK && resp.status == 401 &&
        od_tokens_refresh(f.env, provider, f.token, &fresh) == 0) {
        const char *hdrs[5];
        memcpy(hdrs, f.headers, sizeof hdrs);
        char *auth = od_xasprintf("Authorization: Bearer %s", fresh);
        hdrs[0] = auth;
        req.headers = hdrs;
        t0 = od_now_ms();
        rc = od_http_request(&req, &resp);
        od_tokens_free(auth);
        od_tokens_free(fresh);
    }
    p->latency_ms = od_now_ms() - t0;
    classify(p, rc, &resp, provider);
    od_http_resp_release(&resp);
    free(url);
    od_fetch_close(&f);
    od_jobctx_free(ctx);
}

int od_probe_upstream(const struct od_probe_env *env, const char *provider, int timeout_ms,
                      int max_age_ms, struct od_probe *out)
{
    size_t k = 0;
    while (k < OD_ARRAY_LEN(probes) && strcmp(probes[k].provider, provider) != 0)
        k++;
    memset(out, 0, sizeof *out);
    if (k == OD_ARRAY_LEN(probes)) {
        out->outcome = OD_PROBE_NO_CREDENTIAL;
        snprintf(out->message, sizeof out->message, "unknown provider '%s'", provider);
        return 0;
    }
    const struct od_config *cfg = env->cfg;
    const char *base =
        strcmp(provider, "harvest") == 0 ? cfg->harvest.base_url : cfg->hubspot.base_url;
    snprintf(out->url, sizeof out->url, "%s", base ? base : "");
    snprintf(out->path, sizeof out->path, "%s", probes[k].path);
    int64_t now = od_wall_ms();
    pthread_mutex_lock(&cache_lock);
    bool hit = max_age_ms > 0 && cached[k] && now - cache[k].at_ms < max_age_ms &&
               strcmp(cache[k].url, out->url) == 0;
    if (hit) *out = cache[k];
    pthread_mutex_unlock(&cache_lock);
    if (hit) return 0;
    ask(env, provider, probes[k].path, timeout_ms > 0 ? timeout_ms : 3000, out);
    out->at_ms = od_wall_ms();
    pthread_mutex_lock(&cache_lock);
    cache[k] = *out;
    cached[k] = true;
    pthread_mutex_unlock(&cache_lock);
    return 0;
}
