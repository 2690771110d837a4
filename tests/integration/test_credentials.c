/* test_credentials — the one place OAuth tokens are stored (od_cred_replace_oauth, used by
 * `opsdeck connect hubspot` and the Admin screen) and the metadata listing (od_cred_list)
 * against a real PostgreSQL: a replace removes every other HubSpot credential and stores
 * tokens that open with their own associated data only; a failure keeps what was stored;
 * the listing never carries a secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/security/credentials.h"
#include "core/security/oauth.h"
#include "core/security/vault.h"
#include "tests/lib/testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *url, keyfile[64];
static struct od_config cfg;
static struct od_pool *pool;
static struct od_vault *vault;

static int setup(void **state)
{
    url = testdb_create("credentials");
    testdb_config(&cfg, url);
    pool = od_pool_open(&cfg, "test-credentials");
    snprintf(keyfile, sizeof keyfile, "/tmp/od-cred-key-%d", (int)getpid());
    unlink(keyfile);
    if (!pool || od_vault_keygen(keyfile) != 0 || !(vault = od_vault_open(keyfile))) return -1;
    return 0;
}

static int teardown(void **state)
{
    od_vault_close(vault);
    od_pool_close(pool);
    unlink(keyfile);
    testdb_drop(url);
    free(url);
    od_config_release(&cfg);
    return 0;
}

static void assert_secret(const char *name, const char *want, int64_t want_exp)
{
    char *got = NULL;
    int64_t exp = -1;
    assert_int_equal(od_cred_get(pool, vault, "hubspot", name, &got, &exp), 0);
    assert_string_equal(got, want);
    assert_int_equal(exp, want_exp);
    od_secret_free(got);
}

static int replace(const char *access, const char *refresh, int64_t expires_at)
{
    struct od_oauth_tokens t = {access ? od_secret_strdup(access) : NULL,
                                refresh ? od_secret_strdup(refresh) : NULL, expires_at};
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    int rc = od_cred_replace_oauth(c, vault, &t);
    assert_int_equal(PQtransactionStatus(c), PQTRANS_IDLE);
    od_pool_release(pool, c);
    od_oauth_tokens_clear(&t);
    return rc;
}

static void test_replace_oauth(void **state)
{
    char *got;
    assert_int_equal(od_cred_put(pool, vault, "hubspot", "private_app", "pat-1", 0, NULL), 0);
    assert_int_equal(od_cred_put(pool, vault, "harvest", "token", "hv-1", 0, "4242"), 0);
    assert_int_equal(replace("at-1", "rt-1", 2000000000), 0);
    assert_secret("access_token", "at-1", 2000000000);
    assert_secret("refresh_token", "rt-1", 0);
    /* the private app token is gone; Harvest is untouched */
    assert_int_equal(od_cred_get(pool, vault, "hubspot", "private_app", &got, NULL), -1);
    assert_int_equal(od_cred_get(pool, vault, "harvest", "token", &got, NULL), 0);
    od_secret_free(got);
    /* sealed with its own associated data: the access blob does not open as the refresh one */
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_int_equal(od_db_cmd(c,
                               "UPDATE credentials SET blob = (SELECT blob FROM credentials "
                               "WHERE name = 'access_token') WHERE name = 'refresh_token'",
                               0, NULL),
                     0);
    od_pool_release(pool, c);
    assert_int_equal(od_cred_get(pool, vault, "hubspot", "refresh_token", &got, NULL), -1);
    /* a second connection replaces both (and a response without a refresh token stores none) */
    assert_int_equal(replace("at-2", NULL, 2000000100), 0);
    assert_secret("access_token", "at-2", 2000000100);
    assert_int_equal(od_cred_get(pool, vault, "hubspot", "refresh_token", &got, NULL), -1);
}

static void test_failed_replace_keeps_what_was_stored(void **state)
{
    assert_int_equal(replace("at-3", "rt-3", 2000000200), 0);
    /* a refresh token too large to seal fails after the delete: all of it is rolled back */
    char *big = od_xmalloc(OD_VAULT_MAX_PLAINTEXT + 2);
    memset(big, 'x', OD_VAULT_MAX_PLAINTEXT + 1);
    big[OD_VAULT_MAX_PLAINTEXT + 1] = '\0';
    assert_int_equal(replace("at-4", big, 2000000300), -1);
    free(big);
    assert_non_null(strstr(od_err(), "too large"));
    assert_secret("access_token", "at-3", 2000000200);
    assert_secret("refresh_token", "rt-3", 0);
    /* no access token, no vault: refused before anything is written */
    assert_int_equal(replace(NULL, "rt-5", 0), -1);
    struct od_oauth_tokens t = {od_secret_strdup("at-6"), NULL, 1};
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_int_equal(od_cred_replace_oauth(c, NULL, &t), -1);
    od_pool_release(pool, c);
    od_oauth_tokens_clear(&t);
    assert_secret("access_token", "at-3", 2000000200);
}

static void test_list_is_metadata_only(void **state)
{
    struct od_cred_info *ci;
    size_t n;
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_int_equal(od_cred_list(c, 0, &ci, &n), 0);
    assert_int_equal(n, 3); /* harvest/token, hubspot/access_token, hubspot/refresh_token */
    assert_string_equal(ci[0].provider, "harvest");
    assert_string_equal(ci[0].account_id, "4242");
    assert_int_equal(ci[0].expires_at, 0);
    assert_string_equal(ci[1].name, "access_token");
    assert_int_equal(ci[1].expires_at, 2000000200);
    assert_int_equal(ci[1].key_id, od_vault_current_id(vault));
    assert_true(ci[1].updated_at > 1700000000);
    assert_string_equal(ci[2].name, "refresh_token");
    assert_string_equal(ci[2].account_id, "");
    od_cred_list_free(ci, n);
    assert_int_equal(od_cred_list(c, 1, &ci, &n), 0);
    assert_int_equal(n, 1);
    od_cred_list_free(ci, n);
    od_pool_release(pool, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace_oauth),
        cmocka_unit_test(test_failed_replace_keeps_what_was_stored),
        cmocka_unit_test(test_list_is_metadata_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
