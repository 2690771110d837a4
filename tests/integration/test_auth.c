/* test_auth — login, lockout, sessions, roles, audit and the token store against a real
 * PostgreSQL; the HubSpot refresh is single-flight (one token request for many threads, and a
 * rotated refresh token is kept). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/security/auth.h"
#include "core/base/config.h"
#include "core/security/credentials.h"
#include "core/db/db.h"
#include "core/security/oauth.h"
#include "core/security/password.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include "tests/lib/testdb.h"
#include <microhttpd.h>
#include <sodium.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *url, keyfile[64];
static struct od_config cfg;
static struct od_pool *pool;
static struct od_vault *vault;
static struct od_auth *auth;

static int setup(void **state)
{
    if (!testdb_available()) return 0;
    url = testdb_create("auth");
    testdb_config(&cfg, url);
    pool = od_pool_open(&cfg, "test-auth");
    snprintf(keyfile, sizeof keyfile, "/tmp/od-auth-key-%d", (int)getpid());
    unlink(keyfile);
    if (!pool || od_vault_keygen(keyfile) != 0 || !(vault = od_vault_open(keyfile))) return -1;
    od_password_set_limits(1, 8u << 20);
    auth = od_auth_new(pool, vault, &cfg);
    return 0;
}

static int teardown(void **state)
{
    if (!url) return 0;
    od_auth_free(auth);
    od_vault_close(vault);
    od_pool_close(pool);
    unlink(keyfile);
    testdb_drop(url);
    free(url);
    od_config_release(&cfg);
    return 0;
}

static long scalar(const char *sql)
{
    PGconn *c = od_pool_acquire(pool, 5000);
    PGresult *r = od_db_exec(c, sql, 0, NULL);
    assert_non_null(r);
    long v = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    od_pool_release(pool, c);
    return v;
}

static void sql(const char *s)
{
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_int_equal(od_db_cmd(c, s, 0, NULL), 0);
    od_pool_release(pool, c);
}

static int login(const char *email, const char *pw, struct od_session **s)
{
    return od_auth_login(auth, email, pw, "203.0.113.7", s);
}

static void test_login_messages_and_lockout(void **state)
{
    if (!url) skip();
    struct od_session *s = NULL;
    assert_int_equal(
        od_user_add(auth, "test", "ann@example.com", "Ann", OD_ROLE_OPS, "right-password"), 0);
    assert_int_equal(
        od_user_add(auth, "test", "ANN@example.com", NULL, OD_ROLE_OPS, "right-password"), -1);
    assert_int_equal(login("ann@example.com", "right-password", &s), 0);
    assert_int_equal(s->role, OD_ROLE_OPS);
    od_auth_logout(auth, s);
    od_session_free(s);

    assert_int_equal(login("ann@example.com", "wrong-password", &s), -1);
    char wrong[128];
    snprintf(wrong, sizeof wrong, "%s", od_err());
    assert_int_equal(login("nobody@example.com", "wrong-password", &s), -1);
    assert_string_equal(od_err(), wrong);
    assert_string_equal(wrong, OD_AUTH_MSG_INVALID);
    assert_null(s);

    for (int i = 0; i < 4; i++) /* 5 consecutive failures in all */
        assert_int_equal(login("ann@example.com", "wrong-password", &s), -1);
    assert_int_equal(login("ann@example.com", "right-password", &s), -1); /* sixth attempt */
    assert_string_equal(od_err(), OD_AUTH_MSG_LOCKED);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'login.lockout'"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'login.failure' AND "
                            "source = '203.0.113.7'"),
                     7);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'login.success'"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE "
                            "'%password%' AND detail::text NOT LIKE '%bad_password%'"),
                     0);
    /* unknown emails lock the same way (no way to tell them apart) */
    for (int i = 0; i < 5; i++)
        login("ghost@example.com", "x-password", &s);
    assert_int_equal(login("ghost@example.com", "x-password", &s), -1);
    assert_string_equal(od_err(), OD_AUTH_MSG_LOCKED);
    /* an admin's password reset unlocks */
    assert_int_equal(od_user_passwd(auth, "test", "ann@example.com", "new-password"), 0);
    assert_int_equal(login("ann@example.com", "new-password", &s), 0);
    od_session_free(s);
    assert_int_equal(scalar("SELECT count(*) FROM users WHERE password_hash LIKE '%password%'"), 0);
}

struct racer {
    int i;
    const char *pw;
    int rc;
};

static void *race_login(void *p)
{
    struct racer *r = p;
    char src[32];
    struct od_session *s = NULL;
    snprintf(src, sizeof src, "198.51.100.%d", r->i + 1);
    r->rc = od_auth_login(auth, "dee@example.com", r->pw, src, &s);
    if (s) od_session_free(s);
    return NULL;
}

/* 16 threads at once, each from its own source: at most max_failures (5) verifications, then
 * the lock holds, also against a right password that races the wrong ones. */
static void test_parallel_logins_hold_the_lock(void **state)
{
    if (!url) skip();
    struct od_session *s = NULL;
    assert_int_equal(
        od_user_add(auth, "test", "dee@example.com", "Dee", OD_ROLE_OPS, "dee-password"), 0);
    pthread_t th[16];
    struct racer r[16];
    for (int i = 0; i < 16; i++) {
        r[i] = (struct racer){i, i == 15 ? "dee-password" : "not-dee-password", 0};
        pthread_create(&th[i], NULL, race_login, &r[i]);
    }
    for (int i = 0; i < 16; i++)
        pthread_join(th[i], NULL);
    long verified = scalar("SELECT count(*) FROM audit_log WHERE actor = 'dee@example.com' AND "
                           "detail->>'reason' = 'bad_password'");
    long refused = scalar("SELECT count(*) FROM audit_log WHERE actor = 'dee@example.com' AND "
                          "detail->>'reason' IN ('locked', 'throttled')");
    long ok = scalar("SELECT count(*) FROM audit_log WHERE actor = 'dee@example.com' AND action "
                     "= 'login.success'");
    assert_true(verified <= 5);
    assert_int_equal(verified + refused + ok, 16);
    /* the right password either won a slot before the lock, or was refused: never a reset */
    assert_int_equal(r[15].rc == 0, ok == 1);
    if (verified == 5) {
        assert_int_equal(login("dee@example.com", "dee-password", &s), -1);
        assert_string_equal(od_err(), OD_AUTH_MSG_LOCKED);
        assert_int_equal(scalar("SELECT count(*) FROM users u JOIN login_throttle t ON t.kind = "
                                "'email' AND t.subject = lower(u.email) WHERE u.email = "
                                "'dee@example.com' AND t.locked_until > now()"),
                         1);
    }
}

static void test_sessions_and_roles(void **state)
{
    if (!url) skip();
    struct od_session *s;
    assert_int_equal(
        od_user_add(auth, "test", "bo@example.com", "Bo", OD_ROLE_ONCALL, "bo-password"), 0);
    assert_int_equal(login("bo@example.com", "bo-password", &s), 0);
    assert_int_equal(od_auth_validate(auth, s), 0);
    assert_int_equal(od_auth_require(s, "exceptions.ack"), 0);
    assert_int_equal(od_auth_require(s, "users.manage"), -1);
    assert_string_equal(od_err(), "Your role (oncall) may not do users.manage.");
    assert_true(od_auth_can(OD_ROLE_ADMIN, "connections.manage"));
    assert_false(od_auth_can(OD_ROLE_ADMIN, "no.such.action"));
    assert_true(od_auth_can(OD_ROLE_ACCOUNT_MANAGER, "profit.read"));
    assert_false(od_auth_can(OD_ROLE_ACCOUNT_MANAGER, "sync.start"));
    /* the database never holds the token itself */
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, s->token, 32);
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM sessions WHERE encode(token_hash, 'hex') = '%s'",
             hex);
    assert_int_equal(scalar(q), 0);
    /* a role change applies at once */
    sql("UPDATE users SET role = 'admin' WHERE email = 'bo@example.com'");
    assert_int_equal(od_auth_validate(auth, s), 0);
    assert_int_equal(od_auth_require(s, "users.manage"), 0);
    assert_int_equal(od_auth_reverify(auth, s, "wrong"), -1);
    assert_int_equal(od_auth_reverify(auth, s, "bo-password"), 0);
    /* idle timeout */
    sql("UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE ended_at IS NULL "
        "AND user_id = (SELECT id FROM users WHERE email = 'bo@example.com')");
    assert_int_equal(od_auth_validate(auth, s), -1);
    assert_string_equal(od_err(), OD_AUTH_MSG_EXPIRED);
    od_session_free(s);
    /* absolute timeout */
    assert_int_equal(login("bo@example.com", "bo-password", &s), 0);
    sql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE ended_at IS NULL");
    assert_int_equal(od_auth_validate(auth, s), -1);
    assert_int_equal(scalar("SELECT count(*) FROM sessions WHERE ended_reason = "
                            "'absolute_timeout'"),
                     1);
    od_session_free(s);
    /* admin ends sessions; disabled users cannot log in and get the generic message */
    assert_int_equal(login("bo@example.com", "bo-password", &s), 0);
    int ended = 0;
    assert_int_equal(od_user_logout(auth, "test", "bo@example.com", &ended), 0);
    assert_int_equal(ended, 1);
    assert_int_equal(od_auth_validate(auth, s), -1);
    od_session_free(s);
    assert_int_equal(od_user_disable(auth, "test", "bo@example.com"), 0);
    assert_int_equal(login("bo@example.com", "bo-password", &s), -1);
    assert_string_equal(od_err(), OD_AUTH_MSG_INVALID);
    assert_int_equal(od_user_disable(auth, "test", "nobody@example.com"), -1);
}

static void test_rehash_on_login(void **state)
{
    if (!url) skip();
    struct od_session *s;
    assert_int_equal(
        od_user_add(auth, "test", "cy@example.com", NULL, OD_ROLE_ADMIN, "cy-password"), 0);
    od_password_set_limits(2, 8u << 20);
    assert_int_equal(login("cy@example.com", "cy-password", &s), 0);
    od_session_free(s);
    assert_int_equal(scalar("SELECT count(*) FROM users WHERE email = 'cy@example.com' AND "
                            "password_hash LIKE '%t=2,%'"),
                     1);
    od_password_set_limits(1, 8u << 20);
}

static void test_credentials_sealed_and_rekeyed(void **state)
{
    if (!url) skip();
    char *got;
    int64_t exp;
    assert_int_equal(
        od_cred_put(pool, vault, "harvest", "token", "harvest-secret-123", 0, "998877"), 0);
    assert_int_equal(od_cred_get(pool, vault, "harvest", "token", &got, &exp), 0);
    assert_string_equal(got, "harvest-secret-123");
    assert_int_equal(exp, 0);
    od_secret_free(got);
    char *acct = od_cred_account_id(pool, "harvest");
    assert_string_equal(acct, "998877");
    free(acct);
    assert_int_equal(
        scalar("SELECT count(*) FROM credentials WHERE position(convert_to('harvest-secret', "
               "'UTF8') in blob) > 0"),
        0);
    /* a blob copied to another row does not open */
    assert_int_equal(od_cred_put(pool, vault, "hubspot", "private_app", "pat-1", 0, NULL), 0);
    sql("UPDATE credentials SET blob = (SELECT blob FROM credentials WHERE provider = 'harvest') "
        "WHERE provider = 'hubspot'");
    assert_int_equal(od_cred_get(pool, vault, "hubspot", "private_app", &got, NULL), -1);
    assert_non_null(strstr(od_err(), "failed to verify"));
    assert_int_equal(od_cred_delete(pool, "hubspot", NULL), 0);
    assert_int_equal(od_cred_get(pool, vault, "hubspot", "private_app", &got, NULL), -1);
    assert_non_null(strstr(od_err(), "opsdeck connect hubspot"));
    /* rotation: new key, rows re-encrypted, old blobs no longer needed */
    uint32_t id;
    int count;
    assert_int_equal(od_vault_rotate_file(keyfile, &id), 0);
    struct od_vault *v2 = od_vault_open(keyfile);
    assert_int_equal(od_cred_rekey(pool, v2, &count), 0);
    assert_int_equal(count, 1);
    assert_int_equal(scalar("SELECT min(key_id) FROM credentials"), (long)id);
    assert_int_equal(od_cred_get(pool, v2, "harvest", "token", &got, NULL), 0);
    assert_string_equal(got, "harvest-secret-123");
    od_secret_free(got);
    od_vault_close(v2);
}

/* A token endpoint that rotates refresh tokens and counts requests. */
static int refreshes;
static char current_refresh[64] = "rt-0";
static pthread_mutex_t ep_mu = PTHREAD_MUTEX_INITIALIZER;

static enum MHD_Result on_token(void *cls, struct MHD_Connection *con, const char *u,
                                const char *method, const char *version, const char *data,
                                size_t *size, void **req)
{
    static struct strbuf body[64];
    static int slot;
    struct strbuf *b = *req;
    if (!b) {
        pthread_mutex_lock(&ep_mu);
        b = &body[slot++ % 64];
        sb_reset(b);
        pthread_mutex_unlock(&ep_mu);
        *req = b;
        return MHD_YES;
    }
    if (*size) {
        sb_addn(b, data, *size);
        *size = 0;
        return MHD_YES;
    }
    char want[96], out[256];
    pthread_mutex_lock(&ep_mu);
    snprintf(want, sizeof want, "refresh_token=%s", current_refresh);
    int ok = strstr(sb_str(b), want) != NULL;
    if (ok) {
        refreshes++;
        snprintf(current_refresh, sizeof current_refresh, "rt-%d", refreshes);
        snprintf(out, sizeof out,
                 "{\"access_token\":\"at-%d\",\"refresh_token\":\"%s\",\"expires_in\":1800}",
                 refreshes, current_refresh);
    } else {
        snprintf(out, sizeof out, "{\"error\":\"invalid_grant\"}");
    }
    pthread_mutex_unlock(&ep_mu);
    usleep(200 * 1000); /* a slow endpoint widens the race */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(out), out, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_queue_response(con, ok ? 200 : 400, r);
    MHD_destroy_response(r);
    return ret;
}

struct refresh_arg {
    struct od_oauth_client *client;
    char *token;
};

static void *get_token(void *p)
{
    struct refresh_arg *a = p;
    if (od_cred_hubspot_token(pool, vault, a->client, NULL, &a->token) != 0) a->token = NULL;
    return NULL;
}

static void test_hubspot_refresh_single_flight(void **state)
{
    if (!url) skip();
    int port = 30000 + (int)(getpid() % 20000);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                         (uint16_t)port, NULL, NULL, on_token, NULL, MHD_OPTION_END);
    assert_non_null(d);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    struct od_oauth_client client = {.token_base = base,
                                     .client_id = "id",
                                     .client_secret = "secret",
                                     .redirect_uri = "http://x/cb"};
    assert_int_equal(od_cred_put(pool, vault, "hubspot", "access_token", "at-old", 1, NULL), 0);
    assert_int_equal(od_cred_put(pool, vault, "hubspot", "refresh_token", "rt-0", 0, NULL), 0);
    pthread_t th[6];
    struct refresh_arg args[6];
    for (int i = 0; i < 6; i++) {
        args[i] = (struct refresh_arg){&client, NULL};
        pthread_create(&th[i], NULL, get_token, &args[i]);
    }
    for (int i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(refreshes, 1);
    for (int i = 0; i < 6; i++) {
        assert_non_null(args[i].token);
        assert_string_equal(args[i].token, "at-1");
        od_secret_free(args[i].token);
    }
    /* the rotated refresh token was stored: a forced refresh (401 seen) works again */
    char *tok;
    assert_int_equal(od_cred_hubspot_token(pool, vault, &client, "at-1", &tok), 0);
    assert_string_equal(tok, "at-2");
    od_secret_free(tok);
    assert_int_equal(refreshes, 2);
    assert_int_equal(scalar("SELECT count(*) FROM audit_log WHERE action = 'token.refresh' AND "
                            "outcome = 'ok'"),
                     2);
    MHD_stop_daemon(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_messages_and_lockout),
        cmocka_unit_test(test_parallel_logins_hold_the_lock),
        cmocka_unit_test(test_sessions_and_roles),
        cmocka_unit_test(test_rehash_on_login),
        cmocka_unit_test(test_credentials_sealed_and_rekeyed),
        cmocka_unit_test(test_hubspot_refresh_single_flight),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
