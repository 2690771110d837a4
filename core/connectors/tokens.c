/* tokens — credential store first, then the configuration's tokens. See tokens.h. */
#include "core/connectors/tokens.h"
#include "core/base/config.h"
#include "core/security/credentials.h"
#include "core/security/oauth.h"
#include "core/base/secmem.h"
#include "core/jobs/job.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *account_for(const struct od_job_env *env, const char *provider)
{
    if (env && env->pool && env->vault) {
        char *a = od_cred_account_id(env->pool, provider);
        if (a && *a) return a;
        free(a);
    }
    const struct od_config *cfg = env ? env->cfg : NULL;
    if (strcmp(provider, "harvest") == 0) {
        const char *a = cfg ? cfg->harvest.account_id : NULL;
        return a && *a ? od_xstrdup(a) : NULL;
    }
    const char *p = cfg ? cfg->hubspot.portal_id : NULL;
    return od_xstrdup(p && *p ? p : "default");
}

/* The token from the encrypted store (copied out of locked memory), NULL + od_err if none.
 * rejected: a HubSpot token just refused with 401 (forces a refresh), or NULL. */
static char *from_store(const struct od_job_env *env, const char *provider, const char *rejected)
{
    char *secret = NULL;
    int rc;
    if (!env || !env->vault) {
        od_seterr("no key file configured (secrets.key_file)");
        return NULL;
    }
    if (!env->pool) {
        od_seterr("the stored credential is in the database, which is not open");
        return NULL;
    }
    if (strcmp(provider, "harvest") == 0) {
        rc = od_cred_get(env->pool, env->vault, "harvest", "token", &secret, NULL);
    } else {
        const struct od_config *cfg = env->cfg;
        const struct od_oauth_client client = {
            cfg->hubspot.auth_url,      cfg->hubspot.base_url,     cfg->hubspot.client_id,
            cfg->hubspot.client_secret, cfg->hubspot.redirect_uri, cfg->hubspot.scopes,
            cfg->sync.http_timeout_s};
        rc = od_cred_hubspot_token(env->pool, env->vault, &client, rejected, &secret);
    }
    if (rc != 0 || !secret) return NULL;
    char *copy = od_xstrdup(secret);
    od_secret_free(secret);
    return copy;
}

int od_tokens_get(const struct od_job_env *env, const char *provider, char **token_out,
                  char **account_out)
{
    *token_out = NULL;
    *account_out = NULL;
    bool harvest = strcmp(provider, "harvest") == 0;
    if (!harvest && strcmp(provider, "hubspot") != 0)
        return od_seterr("unknown provider '%s'", provider);
    char *account = account_for(env, provider);
    if (!account)
        return od_seterr("no Harvest account id: set harvest.account_id in the configuration "
                         "(or OPSDECK_HARVEST_ACCOUNT_ID)");
    char *token = from_store(env, provider, NULL);
    if (!token) {
        char why[256];
        snprintf(why, sizeof why, "%s", od_err());
        const char *var = harvest ? "OPSDECK_HARVEST_TOKEN" : "OPSDECK_HUBSPOT_TOKEN";
        const struct od_config *cfg = env ? env->cfg : NULL;
        const char *t = !cfg ? NULL : harvest ? cfg->harvest.token : cfg->hubspot.token;
        if (!t || !*t) {
            free(account);
            return od_seterr("no %s credential (%s): run `opsdeck connect %s`, or set %s",
                             harvest ? "Harvest" : "HubSpot", why, provider, var);
        }
        token = od_xstrdup(t);
    }
    *token_out = token;
    *account_out = account;
    return 0;
}

int od_tokens_refresh(const struct od_job_env *env, const char *provider, const char *rejected,
                      char **token_out)
{
    *token_out = NULL;
    if (strcmp(provider, "hubspot") != 0)
        return od_seterr("%s tokens cannot be refreshed", provider);
    *token_out = from_store(env, provider, rejected);
    if (!*token_out) return -1;
    if (strcmp(*token_out, rejected) == 0) { /* nothing new: a refresh would not help */
        od_tokens_free(*token_out);
        *token_out = NULL;
        return od_seterr("the stored HubSpot token was refused and no newer one exists");
    }
    return 0;
}

void od_tokens_free(char *token)
{
    if (!token) return;
    od_wipe(token, strlen(token));
    free(token);
}
