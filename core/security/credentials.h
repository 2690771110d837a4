/* credentials — the token store: provider secrets sealed by the vault in the `credentials`
 * table (one row per provider+name; associated data "credentials|<provider>|<name>|<key_id>").
 *
 *   od_cred_put(pool, vault, "harvest", "token", tok, 0, "123456");
 *   char *tok; int64_t exp;
 *   if (od_cred_get(pool, vault, "harvest", "token", &tok, &exp) == 0) {
 *       ...; od_secret_free(tok);
 *   }
 *
 * Providers and names: "harvest": "token" (account id in clear in account_id);
 * "hubspot": "access_token", "refresh_token" (OAuth) or "private_app" (static token).
 * Secrets come back in locked memory (free with od_secret_free from core/base/secmem.h).
 *
 * HubSpot access for the sync engine: od_cred_hubspot_token() returns a usable access token,
 * refreshing it when it expires within 60 s (or when the caller saw it rejected with 401).
 * The refresh is single-flight across threads and processes: a session-level Postgres
 * advisory lock, then the rows are read again, so a refresh token rotated by another worker is
 * never used twice or lost. No transaction is held open during the HTTP call. */
#ifndef OD_CREDENTIALS_H
#define OD_CREDENTIALS_H
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct od_pool;
struct od_vault;
struct od_oauth_client;
struct od_oauth_tokens;

/* expires_at: wall-clock seconds, 0 = does not expire. account_id: NULL keeps the stored one. */
int od_cred_put(struct od_pool *pool, const struct od_vault *vault, const char *provider,
                const char *name, const char *secret, int64_t expires_at, const char *account_id);
/* Same on a connection the caller holds (inside its transaction). */
int od_cred_put_conn(PGconn *c, const struct od_vault *vault, const char *provider,
                     const char *name, const char *secret, int64_t expires_at,
                     const char *account_id);
/* -1 with "no <provider> <name> stored; run: opsdeck connect <provider>" when absent. */
int od_cred_get(struct od_pool *pool, const struct od_vault *vault, const char *provider,
                const char *name, char **secret_out, int64_t *expires_at);
int od_cred_get_conn(PGconn *c, const struct od_vault *vault, const char *provider,
                     const char *name, char **secret_out, int64_t *expires_at);
/* The clear account id of a provider (caller frees), NULL + od_err when none. */
char *od_cred_account_id(struct od_pool *pool, const char *provider);
/* Remove one name (NULL = every name of the provider). */
int od_cred_delete(struct od_pool *pool, const char *provider, const char *name);

/* The one place OAuth tokens are stored (`opsdeck connect hubspot` and the Admin screen):
 * in one transaction on c, every stored HubSpot credential (access, refresh or private app
 * token) is deleted and t's access token (with its expiry) and refresh token (when t has one)
 * are sealed and stored. Rolled back on any failure (-1 + od_err). */
int od_cred_replace_oauth(PGconn *c, const struct od_vault *vault, const struct od_oauth_tokens *t);

/* What is stored, never the secret: one row per provider+name, ordered by provider, name. */
struct od_cred_info {
    char *provider, *name; /* owned */
    char *account_id;      /* owned; "" when none */
    unsigned key_id;       /* vault key the blob is sealed with */
    int64_t expires_at;    /* wall-clock seconds, 0 = does not expire */
    int64_t updated_at;    /* wall-clock seconds */
};
/* max <= 0: every row. *out is freed with od_cred_list_free (also after -1, when it is NULL). */
int od_cred_list(PGconn *c, int max, struct od_cred_info **out, size_t *n);
void od_cred_list_free(struct od_cred_info *rows, size_t n);

/* Re-encrypt every row not sealed with the vault's current key (after keygen --rotate), in
 * one transaction. *count gets the number of rows re-encrypted. */
int od_cred_rekey(struct od_pool *pool, const struct od_vault *vault, int *count);

/* A usable HubSpot access token (private_app if stored, else OAuth access_token, refreshed as
 * needed). rejected: the token an API call just refused (401), or NULL. */
int od_cred_hubspot_token(struct od_pool *pool, const struct od_vault *vault,
                          const struct od_oauth_client *client, const char *rejected,
                          char **token_out);

#endif
