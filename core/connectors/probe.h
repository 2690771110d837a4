/* probe — does the provider accept our credential right now? One cheap authenticated request:
 *   Harvest  GET /v2/users/me             (the token's own user)
 *   HubSpot  GET /crm/v3/owners?limit=1   (one owner)
 * with the same credential, headers and base URL the syncs use (core/connectors/fetch.h), one
 * attempt, within timeout_ms (a 429 is not waited out: it answers "rate limited", which also
 * means the credential was accepted). A HubSpot OAuth token refused with 401 is refreshed once
 * (as a sync would) before the answer counts as refused.
 *
 *   struct od_probe_env env = {.cfg = cfg, .pool = pool, .vault = vault};
 *   struct od_probe p;
 *   od_probe_upstream(&env, "harvest", 3000, 10000, &p);
 *   if (p.outcome == OD_PROBE_REFUSED) -> the credential was refused (p.status 401/403)
 *
 * Answers are cached per provider for max_age_ms (0: always ask), so the health checks of one
 * run (reachability and token) and frequent /healthz scrapes cost one request. Thread-safe.
 * p.message may quote the provider's error body: sanitized, but still outside text. */
#ifndef OD_CONNECTORS_PROBE_H
#define OD_CONNECTORS_PROBE_H
#include <stdint.h>

struct od_config;
struct od_pool;
struct od_vault;

struct od_probe_env {
    const struct od_config *cfg;
    struct od_pool *pool;         /* may be NULL: no stored credentials (environment tokens only) */
    const struct od_vault *vault; /* may be NULL: likewise */
};

enum od_probe_outcome {
    OD_PROBE_OK,            /* 2xx: reachable and the credential is accepted */
    OD_PROBE_RATE_LIMITED,  /* 429: reachable, credential accepted, budget spent for now */
    OD_PROBE_REFUSED,       /* 401/403: the credential was refused */
    OD_PROBE_HTTP_ERROR,    /* any other status (404: wrong base URL; 5xx: provider trouble) */
    OD_PROBE_UNREACHABLE,   /* no HTTP answer (DNS, connect, timeout, breaker open) */
    OD_PROBE_NO_CREDENTIAL, /* nothing to probe with (not connected) or no base URL */
};

struct od_probe {
    enum od_probe_outcome outcome;
    long status;        /* HTTP status, 0 when none */
    int64_t latency_ms; /* of the request */
    char path[64];      /* "/v2/users/me" (always GET) */
    char url[256];      /* the base URL probed */
    char message[256];  /* why, for people (sanitized); a refused/failed call: the body's start */
    int64_t at_ms;      /* wall clock of the answer (cached answers keep theirs) */
};

/* provider: "harvest" or "hubspot". Always fills *out; returns 0. */
int od_probe_upstream(const struct od_probe_env *env, const char *provider, int timeout_ms,
                      int max_age_ms, struct od_probe *out);
const char *od_probe_outcome_name(enum od_probe_outcome o);
/* Forget cached answers (tests; after `opsdeck connect`). */
void od_probe_forget(void);

#endif
