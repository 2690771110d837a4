/* tokens — the one narrow door through which connectors get their upstream credentials.
 *
 *   char *token = NULL, *account = NULL;
 *   if (od_tokens_get(env, "harvest", &token, &account) < 0) -> od_err() says what to set up
 *   ... use token in an Authorization header, never in argv, a URL or a log line ...
 *   od_tokens_free(token); free(account);
 *
 * Source, in order:
 *   1. the encrypted credential store (core/security/credentials.h) once it is built in: Harvest
 *      "token"; HubSpot "private_app", else the OAuth "access_token" (refreshed before expiry
 *      by the store, single-flight);
 *   2. the configuration's harvest.token / hubspot.token, which come from the environment only
 *      (OPSDECK_HARVEST_TOKEN / OPSDECK_HUBSPOT_TOKEN: tests, the simulator and headless
 *      setups without a key file).
 * The account is the stored one, else harvest.account_id (OPSDECK_HARVEST_ACCOUNT_ID) for
 * Harvest and hubspot.portal_id (OPSDECK_HUBSPOT_PORTAL_ID) or "default" for HubSpot; it
 * names the rate-limit bucket and the sync cursors. Tokens are never logged. */
#ifndef OD_CONNECTORS_TOKENS_H
#define OD_CONNECTORS_TOKENS_H

struct od_job_env;

/* provider: "harvest" or "hubspot". *token_out and *account_out are malloc'd (caller frees
 * the token with od_tokens_free, which wipes it). -1 + od_err when there is no credential. */
int od_tokens_get(const struct od_job_env *env, const char *provider, char **token_out,
                  char **account_out);
/* HubSpot only: the token `rejected` was refused (401); get a fresh one from the store (OAuth
 * refresh, single-flight in core/security/credentials.c). -1 when there is nothing fresher (env
 * token, private-app token, Harvest). */
int od_tokens_refresh(const struct od_job_env *env, const char *provider, const char *rejected,
                      char **token_out);
void od_tokens_free(char *token);

#endif
