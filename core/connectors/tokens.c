/* tokens — credential store first, environment fallback. See tokens.h. */
#include "core/connectors/tokens.h"
#include "core/config.h"
#include "core/sync/job.h"
#include "core/util.h"
#include <stdlib.h>
#include <string.h>

static char *account_for(const struct od_job_env *env, const char *provider)
{
    if (strcmp(provider, "harvest") == 0) {
        const char *a = env && env->cfg ? env->cfg->harvest.account_id : NULL;
        if (!a || !*a) a = getenv("OPSDECK_HARVEST_ACCOUNT_ID");
        return a && *a ? od_xstrdup(a) : NULL;
    }
    const char *p = getenv("OPSDECK_HUBSPOT_PORTAL_ID");
    return od_xstrdup(p && *p ? p : "default");
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
    const char *t = getenv(harvest ? "OPSDECK_HARVEST_TOKEN" : "OPSDECK_HUBSPOT_TOKEN");
    if (!t || !*t) {
        free(account);
        return od_seterr("no %s credential: connect it with `opsdeck connect %s` or set %s",
                         harvest ? "Harvest" : "HubSpot", provider,
                         harvest ? "OPSDECK_HARVEST_TOKEN" : "OPSDECK_HUBSPOT_TOKEN");
    }
    *token_out = od_xstrdup(t);
    *account_out = account;
    return 0;
}

void od_tokens_free(char *token)
{
    if (!token) return;
    od_wipe(token, strlen(token));
    free(token);
}
