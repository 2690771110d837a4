/* credentials — sealed provider tokens in Postgres, re-encryption after key rotation, and the
 * single-flight HubSpot refresh. See credentials.h. */
#include "core/security/credentials.h"
#include "core/base/json.h"
#include "core/security/auth.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/security/oauth.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACQUIRE_MS 10000
#define REFRESH_MARGIN_S 60
#define REFRESH_LOCK "7310582919440547841" /* pg advisory lock key: HubSpot token refresh */

static char *context(const char *provider, const char *name)
{
    return od_xasprintf("credentials|%s|%s", provider, name);
}

/* Seal secret and write "\\x<hex>" of the blob into a new string for a bytea parameter. */
static char *seal_param(const struct od_vault *v, const char *provider, const char *name,
                        const char *secret)
{
    unsigned char *blob;
    size_t n;
    char *ctx = context(provider, name);
    int rc = od_vault_seal(v, ctx, (const unsigned char *)secret, strlen(secret), &blob, &n);
    free(ctx);
    if (rc != 0) return NULL;
    char *hex = od_xmalloc(2 * n + 3);
    hex[0] = '\\', hex[1] = 'x';
    sodium_bin2hex(hex + 2, 2 * n + 1, blob, n);
    free(blob);
    return hex;
}

int od_cred_put_conn(PGconn *c, const struct od_vault *v, const char *provider, const char *name,
                     const char *secret, int64_t expires_at, const char *account_id)
{
    char key_id[16], exp[24];
    char *blob = seal_param(v, provider, name, secret);
    if (!blob) return -1;
    snprintf(key_id, sizeof key_id, "%u", od_vault_current_id(v));
    snprintf(exp, sizeof exp, "%lld", (long long)expires_at);
    const char *p[] = {provider, name, account_id, key_id, blob, expires_at > 0 ? exp : NULL};
    int rc = od_db_cmd(c,
                       "INSERT INTO credentials (provider, name, account_id, key_id, blob, "
                       "expires_at) VALUES ($1, $2, $3, $4::int, $5::bytea, "
                       "to_timestamp($6::bigint)) ON CONFLICT (provider, name) DO UPDATE SET "
                       "account_id = coalesce(excluded.account_id, credentials.account_id), "
                       "key_id = excluded.key_id, blob = excluded.blob, expires_at = "
                       "excluded.expires_at, updated_at = now(), version = credentials.version "
                       "+ 1",
                       6, p);
    free(blob);
    return rc;
}

int od_cred_put(struct od_pool *pool, const struct od_vault *v, const char *provider,
                const char *name, const char *secret, int64_t expires_at, const char *account_id)
{
    PGconn *c = od_pool_acquire(pool, ACQUIRE_MS);
    if (!c) return -1;
    int rc = od_cred_put_conn(c, v, provider, name, secret, expires_at, account_id);
    od_pool_release(pool, c);
    return rc;
}

/* Decode a hex blob and open it. */
static int open_hex(const struct od_vault *v, const char *provider, const char *name,
                    const char *hex, char **secret_out)
{
    size_t hlen = strlen(hex), n = 0;
    unsigned char *blob = od_xmalloc(hlen / 2 + 1), *pt;
    size_t ptlen;
    int rc = -1;
    char *ctx = context(provider, name);
    if (sodium_hex2bin(blob, hlen / 2 + 1, hex, hlen, NULL, &n, NULL) != 0)
        od_seterr("stored %s %s is not valid hex", provider, name);
    else if (od_vault_unseal(v, ctx, blob, n, &pt, &ptlen) == 0) {
        *secret_out = (char *)pt;
        rc = 0;
    } else {
        char *why = od_xstrdup(od_err());
        od_seterr("cannot open the stored %s %s: %s", provider, name, why);
        free(why);
    }
    free(ctx);
    free(blob);
    return rc;
}

int od_cred_get_conn(PGconn *c, const struct od_vault *v, const char *provider, const char *name,
                     char **secret_out, int64_t *expires_at)
{
    const char *p[] = {provider, name};
    *secret_out = NULL;
    PGresult *r = od_db_exec(c,
                             "SELECT encode(blob, 'hex'), coalesce(extract(epoch FROM "
                             "expires_at)::bigint, 0) FROM credentials WHERE provider = $1 AND "
                             "name = $2",
                             2, p);
    if (!r) return -1;
    int rc = -1;
    if (PQntuples(r) == 0)
        od_seterr("no %s %s stored; run: opsdeck connect %s", provider, name, provider);
    else if ((rc = open_hex(v, provider, name, PQgetvalue(r, 0, 0), secret_out)) == 0 && expires_at)
        *expires_at = atoll(PQgetvalue(r, 0, 1));
    PQclear(r);
    return rc;
}

int od_cred_get(struct od_pool *pool, const struct od_vault *v, const char *provider,
                const char *name, char **secret_out, int64_t *expires_at)
{
    PGconn *c = od_pool_acquire(pool, ACQUIRE_MS);
    if (!c) return -1;
    int rc = od_cred_get_conn(c, v, provider, name, secret_out, expires_at);
    od_pool_release(pool, c);
    return rc;
}

char *od_cred_account_id(struct od_pool *pool, const char *provider)
{
    const char *p[] = {provider};
    char *out = NULL;
    PGconn *c = od_pool_acquire(pool, ACQUIRE_MS);
    if (!c) return NULL;
    PGresult *r = od_db_exec(c,
                             "SELECT account_id FROM credentials WHERE provider = $1 AND "
                             "account_id IS NOT NULL ORDER BY updated_at DESC LIMIT 1",
                             1, p);
    if (r && PQntuples(r) == 1)
        out = od_xstrdup(PQgetvalue(r, 0, 0));
    else if (r)
        od_seterr("no %s account id stored; run: opsdeck connect %s", provider, provider);
    if (r) PQclear(r);
    od_pool_release(pool, c);
    return out;
}

static int delete_conn(PGconn *c, const char *provider, const char *name)
{
    const char *p[] = {provider, name};
    return od_db_cmd(c,
                     "DELETE FROM credentials WHERE provider = $1 AND ($2::text IS NULL OR "
                     "name = $2)",
                     2, p);
}

int od_cred_delete(struct od_pool *pool, const char *provider, const char *name)
{
    PGconn *c = od_pool_acquire(pool, ACQUIRE_MS);
    if (!c) return -1;
    int rc = delete_conn(c, provider, name);
    od_pool_release(pool, c);
    return rc;
}

int od_cred_replace_oauth(PGconn *c, const struct od_vault *v, const struct od_oauth_tokens *t)
{
    if (!v) return od_seterr("no key file is open; cannot store the HubSpot tokens");
    if (!t->access_token || !*t->access_token)
        return od_seterr("the HubSpot token response had no access token");
    if (od_db_begin(c) < 0) return -1;
    if (delete_conn(c, "hubspot", NULL) == 0 &&
        od_cred_put_conn(c, v, "hubspot", "access_token", t->access_token, t->expires_at, NULL) ==
            0 &&
        (!t->refresh_token ||
         od_cred_put_conn(c, v, "hubspot", "refresh_token", t->refresh_token, 0, NULL) == 0) &&
        od_db_commit(c) == 0)
        return 0;
    od_db_rollback(c);
    return -1;
}

int od_cred_list(PGconn *c, int max, struct od_cred_info **out, size_t *n)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", max);
    const char *p[] = {max > 0 ? lim : NULL};
    *out = NULL;
    *n = 0;
    PGresult *r = od_db_exec(c,
                             "SELECT provider, name, coalesce(account_id, ''), key_id, "
                             "coalesce(floor(extract(epoch FROM expires_at))::bigint, 0), "
                             "floor(extract(epoch FROM updated_at))::bigint FROM credentials "
                             "ORDER BY provider, name LIMIT $1::bigint",
                             1, p);
    if (!r) return -1;
    size_t rows = (size_t)PQntuples(r);
    struct od_cred_info *ci = od_xcalloc(rows ? rows : 1, sizeof *ci);
    for (int i = 0; i < (int)rows; i++) {
        ci[i].provider = od_xstrdup(PQgetvalue(r, i, 0));
        ci[i].name = od_xstrdup(PQgetvalue(r, i, 1));
        ci[i].account_id = od_xstrdup(PQgetvalue(r, i, 2));
        ci[i].key_id = (unsigned)strtoul(PQgetvalue(r, i, 3), NULL, 10);
        ci[i].expires_at = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        ci[i].updated_at = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    }
    PQclear(r);
    *out = ci;
    *n = rows;
    return 0;
}

void od_cred_list_free(struct od_cred_info *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].provider);
        free(rows[i].name);
        free(rows[i].account_id);
    }
    free(rows);
}

int od_cred_rekey(struct od_pool *pool, const struct od_vault *v, int *count)
{
    char cur[16];
    snprintf(cur, sizeof cur, "%u", od_vault_current_id(v));
    const char *p[] = {cur};
    *count = 0;
    PGconn *c = od_pool_acquire(pool, ACQUIRE_MS);
    if (!c) return -1;
    int rc = od_db_begin(c);
    PGresult *r = rc ? NULL
                     : od_db_exec(c,
                                  "SELECT provider, name, encode(blob, 'hex'), "
                                  "coalesce(extract(epoch FROM expires_at)::bigint, 0) FROM "
                                  "credentials WHERE key_id <> $1::int FOR UPDATE",
                                  1, p);
    rc = r ? 0 : -1;
    for (int i = 0; r && rc == 0 && i < PQntuples(r); i++) {
        const char *prov = PQgetvalue(r, i, 0), *name = PQgetvalue(r, i, 1);
        char *secret;
        rc = open_hex(v, prov, name, PQgetvalue(r, i, 2), &secret);
        if (rc == 0) {
            rc = od_cred_put_conn(c, v, prov, name, secret, atoll(PQgetvalue(r, i, 3)), NULL);
            od_secret_free(secret);
        }
        *count += rc == 0;
    }
    if (r) PQclear(r);
    if (rc == 0) rc = od_audit(c, 0, "system", "credentials.rekey", NULL, "local", "ok", NULL);
    if (rc == 0)
        rc = od_db_commit(c);
    else
        od_db_rollback(c);
    od_pool_release(pool, c);
    if (rc != 0) *count = 0;
    return rc;
}

/* The stored access token when still good for REFRESH_MARGIN_S and not the rejected one. */
static char *usable_access(PGconn *c, const struct od_vault *v, const char *rejected)
{
    char *tok;
    int64_t exp = 0;
    if (od_cred_get_conn(c, v, "hubspot", "access_token", &tok, &exp) != 0) return NULL;
    if (exp > (int64_t)time(NULL) + REFRESH_MARGIN_S && !(rejected && strcmp(tok, rejected) == 0))
        return tok;
    od_secret_free(tok);
    return NULL;
}

static void audit_refresh(PGconn *c, int ok, const char *why)
{
    cJSON *d = cJSON_CreateObject();
    if (why) cJSON_AddStringToObject(d, "error", why);
    char *detail = od_json_print(d);
    od_audit(c, 0, "system", "token.refresh", "hubspot", "local", ok ? "ok" : "fail", detail);
    free(detail);
}

/* Under the advisory lock: read again, refresh if still needed, store the rotated tokens. */
static char *refresh_locked(PGconn *c, const struct od_vault *v,
                            const struct od_oauth_client *client, const char *rejected)
{
    char *tok = usable_access(c, v, rejected), *refresh = NULL;
    struct od_oauth_tokens t = {0};
    if (tok) /* another thread or process refreshed while we waited */
        return tok;
    if (od_cred_get_conn(c, v, "hubspot", "refresh_token", &refresh, NULL) != 0) return NULL;
    int rc = od_oauth_refresh(client, refresh, &t);
    od_secret_free(refresh);
    if (rc != 0) {
        char *why = od_xstrdup(od_err());
        audit_refresh(c, 0, why);
        od_log_warn("HubSpot token refresh failed: %s", why);
        od_seterr("HubSpot token refresh failed: %s (if it persists, reconnect with: opsdeck "
                  "connect hubspot)",
                  why);
        free(why);
        return NULL;
    }
    rc = od_db_begin(c);
    if (rc == 0)
        rc = od_cred_put_conn(c, v, "hubspot", "access_token", t.access_token, t.expires_at, NULL);
    if (rc == 0 && t.refresh_token)
        rc = od_cred_put_conn(c, v, "hubspot", "refresh_token", t.refresh_token, 0, NULL);
    if (rc == 0) audit_refresh(c, 1, NULL);
    if (rc == 0 && od_db_commit(c) == 0) {
        tok = od_secret_strdup(t.access_token);
        od_log_info("HubSpot access token refreshed");
    } else {
        od_db_rollback(c);
        od_log_error("HubSpot token refreshed but not stored: %s", od_err());
    }
    od_oauth_tokens_clear(&t);
    return tok;
}

int od_cred_hubspot_token(struct od_pool *pool, const struct od_vault *v,
                          const struct od_oauth_client *client, const char *rejected,
                          char **token_out)
{
    const char *lock[] = {REFRESH_LOCK};
    *token_out = NULL;
    PGconn *c = od_pool_acquire(pool, ACQUIRE_MS);
    if (!c) return -1;
    char *tok = NULL;
    if (od_cred_get_conn(c, v, "hubspot", "private_app", &tok, NULL) != 0)
        tok = usable_access(c, v, rejected);
    if (!tok && od_db_cmd(c, "SELECT pg_advisory_lock($1::bigint)", 1, lock) == 0) {
        tok = refresh_locked(c, v, client, rejected);
        char *why = tok ? NULL : od_xstrdup(od_err());
        od_db_cmd(c, "SELECT pg_advisory_unlock($1::bigint)", 1, lock);
        if (why) {
            od_seterr("%s", why);
            free(why);
        }
    }
    od_pool_release(pool, c);
    *token_out = tok;
    return tok ? 0 : -1;
}
