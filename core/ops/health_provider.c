/* health_provider — the checks that must tell the truth about the providers and the backups
 * (rows of the table in health_checks.c; what to do for each is in docs/runbook.md):
 *   PROVIDER:reachability  an authenticated 2xx from the provider's cheapest call
 *                          (core/connectors/probe.h); a 401/403, a 404 (wrong base URL), any
 *                          other 4xx or no answer fails; a 5xx warns (syncs retry);
 *   PROVIDER:token         the same probe: a refused credential fails; otherwise the stored
 *                          credential's expiry (warn within rules.token_expiring_minutes,
 *                          fail when expired), or "not connected" (warn);
 *   backup:age             the newest `opsdeck backup` in health.backup_dir: warn past
 *                          health.backup_warn_hours, fail past health.backup_fail_hours;
 *                          none at all, or one without its manifest/checksum, warns.
 * The probe is shared by the two provider checks of one run (cached PROBE_MAX_AGE_MS). With the
 * database down it uses the environment's tokens only, so it does not wait on the pool. */
#include "core/base/config.h"
#include "core/connectors/probe.h"
#include "core/db/backup.h"
#include "core/ops/health_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PROBE_MAX_AGE_MS 10000

#define P OD_HEALTH_PASS
#define W OD_HEALTH_WARN
#define F OD_HEALTH_FAIL
#define U OD_HEALTH_UNKNOWN

static void provider_of(const struct od_health_check *c, char out[16])
{
    snprintf(out, 16, "%.*s", (int)strcspn(c->name, ":"), c->name);
}

static void probe(struct od_hctx *h, const char *prov, struct od_probe *p)
{
    bool db_down = h->db_tried && !h->conn;
    struct od_probe_env env = {.cfg = h->env->cfg,
                               .pool = db_down ? NULL : h->env->pool,
                               .vault = db_down ? NULL : h->env->vault};
    od_probe_upstream(&env, prov, h->timeout_ms, PROBE_MAX_AGE_MS, p);
}

static const char *pretty(const char *prov)
{
    return strcmp(prov, "harvest") == 0 ? "Harvest" : "HubSpot";
}

void od_health_check_reachability(struct od_hctx *h, const struct od_health_check *c)
{
    char prov[16], v[32];
    provider_of(c, prov);
    if (h->env->no_upstream) { /* /healthz: anyone may ask, so it costs upstream nothing */
        od_health_add(h, c, U, NULL, NULL, "not probed here (no upstream calls); see %s:breaker",
                      prov);
        return;
    }
    struct od_probe p;
    probe(h, prov, &p);
    snprintf(v, sizeof v, "%lld", (long long)p.latency_ms);
    const char *who = pretty(prov);
    switch (p.outcome) {
    case OD_PROBE_OK:
        od_health_add(h, c, P, "ms", v, "%s: GET %s%s answered HTTP %ld, credential accepted", who,
                      p.url, p.path, p.status);
        break;
    case OD_PROBE_RATE_LIMITED:
        od_health_add(h, c, P, "ms", v,
                      "%s: GET %s%s answered 429: reachable, credential accepted, rate limited "
                      "for now",
                      who, p.url, p.path);
        break;
    case OD_PROBE_REFUSED:
        od_health_add(h, c, F, "ms", v,
                      "%s: GET %s%s answered HTTP %ld: reached, but the credential was refused "
                      "(see %s:token)",
                      who, p.url, p.path, p.status, prov);
        break;
    case OD_PROBE_HTTP_ERROR:
        od_health_add(h, c, p.status >= 500 ? W : F, "ms", v,
                      "%s: GET %s%s answered HTTP %ld%s: %s", who, p.url, p.path, p.status,
                      p.status == 404   ? " (not the API: is the base URL right?)"
                      : p.status >= 500 ? " (provider trouble; syncs retry)"
                                        : "",
                      p.message);
        break;
    case OD_PROBE_UNREACHABLE:
        od_health_add(h, c, F, NULL, NULL, "%s unreachable at %s: %s", who, p.url, p.message);
        break;
    case OD_PROBE_NO_CREDENTIAL:
        od_health_add(h, c, W, NULL, NULL, "%s: cannot probe %s without a credential: %s", who,
                      p.url, p.message);
        break;
    }
}

/* The stored credential's expiry into st/v/msg; returns the credential rows stored, -1 when
 * the database cannot say (st/v/msg untouched). */
static int stored_expiry(struct od_hctx *h, const char *prov, enum od_health_status *st, char *v,
                         char *msg, size_t n)
{
    const char *par[1] = {prov};
    PGresult *r = od_health_query(
        h,
        "SELECT count(*) FILTER (WHERE name <> 'access_token' AND expires_at IS NULL),"
        " count(*) FILTER (WHERE name = 'refresh_token' AND (expires_at IS NULL OR expires_at > "
        "now())),"
        " min(extract(epoch FROM expires_at - now()))::bigint, count(*)"
        " FROM credentials WHERE provider = $1",
        1, par);
    if (!r) return -1;
    long long forever = atoll(PQgetvalue(r, 0, 0)), refresh = atoll(PQgetvalue(r, 0, 1));
    bool has_exp = !PQgetisnull(r, 0, 2);
    long long left = has_exp ? atoll(PQgetvalue(r, 0, 2)) : 0, rows = atoll(PQgetvalue(r, 0, 3));
    PQclear(r);
    char env[40];
    snprintf(env, sizeof env, "OPSDECK_%s_TOKEN",
             strcmp(prov, "harvest") == 0 ? "HARVEST" : "HUBSPOT");
    int warn_s = h->env->cfg->rules.token_expiring_minutes * 60;
    *st = P;
    const char *tok =
        strcmp(prov, "harvest") == 0 ? h->env->cfg->harvest.token : h->env->cfg->hubspot.token;
    if (rows == 0 && tok && *tok) {
        snprintf(msg, n, "token from %s (expiry unknown)", env);
    } else if (rows == 0) {
        *st = W;
        snprintf(msg, n, "not connected: no %s credential stored", prov);
    } else if (refresh || forever || !has_exp) {
        snprintf(msg, n, "%s",
                 refresh ? "refresh token present; access tokens renew themselves"
                         : "token without expiry");
    } else if (left <= 0) {
        *st = F;
        snprintf(v, 32, "%lld", left);
        snprintf(msg, n, "credential expired %lld s ago; reconnect %s", -left, prov);
    } else {
        *st = left < warn_s ? W : P;
        snprintf(v, 32, "%lld", left);
        snprintf(msg, n, "credential expires in %lld s", left);
    }
    return (int)rows;
}

void od_health_check_token(struct od_hctx *h, const struct od_health_check *c)
{
    char prov[16], v[32] = "", msg[160];
    provider_of(c, prov);
    if (h->env->no_upstream) { /* /healthz: the stored credential's expiry only */
        enum od_health_status st = W;
        if (stored_expiry(h, prov, &st, v, msg, sizeof msg) < 0)
            od_health_add(h, c, U, NULL, NULL, "stored credentials unknown (%s)", od_err());
        else
            od_health_add(h, c, st, *v ? "s" : NULL, *v ? v : NULL, "%s; not probed here", msg);
        return;
    }
    struct od_probe p;
    probe(h, prov, &p);
    if (p.outcome == OD_PROBE_REFUSED) {
        od_health_add(h, c, F, NULL, NULL,
                      "%s credential REFUSED: HTTP %ld to GET %s; reconnect (opsdeck connect %s) "
                      "or fix OPSDECK_%s_TOKEN. %s said: %s",
                      pretty(prov), p.status, p.path, prov,
                      strcmp(prov, "harvest") == 0 ? "HARVEST" : "HUBSPOT", pretty(prov),
                      p.message);
        return;
    }
    enum od_health_status st = W;
    int stored = stored_expiry(h, prov, &st, v, msg, sizeof msg);
    if (stored < 0) {
        st = p.outcome == OD_PROBE_OK || p.outcome == OD_PROBE_RATE_LIMITED ? P : W;
        snprintf(msg, sizeof msg, "stored credentials unknown (%s)", od_err());
    }
    if (p.outcome == OD_PROBE_NO_CREDENTIAL && stored <= 0) {
        od_health_add(h, c, W, NULL, NULL, "%s not connected: %s", pretty(prov), p.message);
        return;
    }
    if (p.outcome == OD_PROBE_NO_CREDENTIAL) { /* stored, but this process cannot read it */
        od_health_add(h, c, st, *v ? "s" : NULL, *v ? v : NULL, "%s; not verified here: %s", msg,
                      p.message);
        return;
    }
    bool verified = p.outcome == OD_PROBE_OK || p.outcome == OD_PROBE_RATE_LIMITED;
    if (verified)
        od_health_add(h, c, st, *v ? "s" : NULL, *v ? v : NULL, "%s; accepted by GET %s", msg,
                      p.path);
    else
        od_health_add(h, c, st, *v ? "s" : NULL, *v ? v : NULL,
                      "%s; not verified: GET %s got no usable answer from %s (see %s:reachability)",
                      msg, p.path, pretty(prov), prov);
}

static int64_t rfc3339_epoch(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    return end ? (int64_t)timegm(&tm) : -1;
}

static bool sibling_exists(const char *dump, const char *ext)
{
    char *p = od_backup_sibling(dump, ext);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

void od_health_check_backup(struct od_hctx *h, const struct od_health_check *c)
{
    const struct od_config *cfg = h->env->cfg;
    char *dir;
    if (cfg->health.backup_dir && *cfg->health.backup_dir) {
        dir = od_xstrdup(cfg->health.backup_dir);
    } else {
        char *state = od_state_dir();
        dir = od_xasprintf("%s/backups", state);
        free(state);
    }
    char *dump = NULL;
    int rc = od_backup_newest(dir, &dump);
    if (rc <= 0) {
        if (rc < 0)
            od_health_add(h, c, W, NULL, NULL, "no backup: %s; run `opsdeck backup`", od_err());
        else
            od_health_add(h, c, W, NULL, NULL, "no backup in %s: run `opsdeck backup`", dir);
        free(dir);
        return;
    }
    struct od_backup_manifest m = {0};
    const char *base = strrchr(dump, '/') ? strrchr(dump, '/') + 1 : dump;
    if (od_backup_manifest_read(dump, &m) < 0 || !sibling_exists(dump, ".sha256")) {
        od_health_add(h, c, W, NULL, NULL,
                      "newest backup %s is incomplete (%s): run `opsdeck "
                      "backup` again",
                      base, m.created_at ? "no .sha256 checksum" : od_err());
        od_backup_manifest_release(&m);
        free(dump);
        free(dir);
        return;
    }
    int64_t taken = rfc3339_epoch(m.created_at);
    int64_t age = taken < 0 ? -1 : (int64_t)time(NULL) - taken;
    int warn_h = cfg->health.backup_warn_hours, fail_h = cfg->health.backup_fail_hours;
    char v[32], when[48], size[32];
    snprintf(v, sizeof v, "%lld", (long long)age);
    od_health_format_value(v, "s", when, sizeof when);
    snprintf(v, sizeof v, "%lld", (long long)m.bytes);
    od_health_format_value(v, "bytes", size, sizeof size);
    snprintf(v, sizeof v, "%lld", (long long)age);
    if (age < 0)
        od_health_add(h, c, W, NULL, NULL,
                      "newest backup %s: manifest has no readable "
                      "created_at",
                      base);
    else
        od_health_add(h, c,
                      age >= fail_h * 3600LL   ? F
                      : age >= warn_h * 3600LL ? W
                                               : P,
                      "s", v, "newest backup %s (%s) taken %s ago; warn at %d h, fail at %d h",
                      base, size, when, warn_h, fail_h);
    od_backup_manifest_release(&m);
    free(dump);
    free(dir);
}
