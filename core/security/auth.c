/* auth — roles table, login with throttling/lockout, sessions, re-verification, audit rows.
 * See auth.h. User management is in auth_users.c. */
#include "core/security/auth.h"
#include "core/security/throttle.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/security/password.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACQUIRE_MS 5000
#define SOURCE_FACTOR 4 /* a source may fail 4 x max_failures times per window */

#define R_OPS (1u << OD_ROLE_OPS)
#define R_AM (1u << OD_ROLE_ACCOUNT_MANAGER)
#define R_ONCALL (1u << OD_ROLE_ONCALL)

/* What each role may do; admin may do every action listed here. */
static const struct {
    const char *action;
    unsigned roles;
} permissions[] = {
    {"sync.start", R_OPS},
    {"sync.read", R_OPS},
    {"jobs.cancel", R_OPS},
    {"jobs.retry", R_OPS},
    {"deadletters.read", R_OPS | R_ONCALL},
    {"deadletters.replay", R_OPS}, /* stores the record: as the sync would */
    {"deadletters.discard", R_OPS},
    {"health.read", R_OPS | R_ONCALL},
    {"profit.read", R_AM},
    {"profit.export", R_AM}, /* a file on the server: also refused by --readonly */
    {"links.edit", R_AM},
    {"exceptions.read", R_AM | R_ONCALL},
    {"exceptions.ack", R_ONCALL},
    {"exceptions.resolve", R_ONCALL},
    {"users.manage", 0},
    {"connections.manage", 0},
};

static const char *const role_names[] = {"ops", "account_manager", "oncall", "admin"};

struct od_auth {
    struct od_pool *pool;       /* borrowed */
    unsigned char *session_key; /* locked memory; NULL without a vault */
    int max_failures, lockout_minutes, idle_minutes, absolute_hours;
};

int od_role_parse(const char *s, enum od_role *out)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(role_names); i++)
        if (s && strcmp(s, role_names[i]) == 0) {
            *out = (enum od_role)i;
            return 0;
        }
    return od_seterr("unknown role '%s' (use ops, account_manager, oncall or admin)", s ? s : "");
}

const char *od_role_name(enum od_role role)
{
    return (unsigned)role < OD_ARRAY_LEN(role_names) ? role_names[role] : "?";
}

bool od_auth_can(enum od_role role, const char *action)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(permissions); i++)
        if (strcmp(permissions[i].action, action) == 0)
            return role == OD_ROLE_ADMIN || (permissions[i].roles & (1u << role)) != 0;
    return false;
}

int od_auth_require(const struct od_session *s, const char *action)
{
    if (od_auth_can(s->role, action)) return 0;
    return od_seterr("Your role (%s) may not do %s.", od_role_name(s->role), action);
}

struct od_auth *od_auth_new(struct od_pool *pool, const struct od_vault *vault,
                            const struct od_config *cfg)
{
    struct od_auth *a = od_xcalloc(1, sizeof *a);
    a->pool = pool;
    a->max_failures = cfg->auth.max_failures;
    a->lockout_minutes = cfg->auth.lockout_minutes;
    a->idle_minutes = cfg->auth.session_idle_minutes;
    a->absolute_hours = cfg->auth.session_absolute_hours;
    if (vault) {
        a->session_key = (unsigned char *)od_secret_alloc(32);
        od_vault_session_key(vault, a->session_key);
        /* the dummy hash is ready before the first login, so an unknown email costs no more */
        if (od_password_prepare() != 0) od_log_warn("%s", od_err());
    }
    return a;
}

void od_auth_free(struct od_auth *a)
{
    if (!a) return;
    od_secret_free(a->session_key);
    free(a);
}

struct od_pool *od_auth_pool(struct od_auth *a)
{
    return a->pool;
}

int od_auth_idle_minutes(const struct od_auth *a)
{
    return a->idle_minutes;
}

int od_audit(PGconn *c, int64_t actor_user_id, const char *actor, const char *action,
             const char *subject, const char *source, const char *outcome, const char *detail_json)
{
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", (long long)actor_user_id);
    const char *p[] = {actor_user_id > 0 ? uid : NULL, actor,      action, subject, source,
                       outcome ? outcome : "ok",       detail_json};
    return od_db_cmd(c,
                     "INSERT INTO audit_log (actor_user_id, actor, action, subject, source, "
                     "outcome, detail) VALUES ($1::bigint, left($2, 256), $3, left($4, 256), "
                     "left($5, 128), $6, $7::jsonb)",
                     7, p);
}

/* "\\x<hex>" of the keyed hash of a token, for a bytea parameter. */
static void token_hash_param(const struct od_auth *a, const unsigned char token[32],
                             char out[2 + 64 + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, token, 32, a->session_key, 32);
    out[0] = '\\', out[1] = 'x';
    sodium_bin2hex(out + 2, 65, h, sizeof h);
}

/* Who is logging in (if anyone) and what the throttle allows. */
struct login_state {
    int64_t user_id;
    char *hash, *email, *name, *role;
    bool found, disabled;
    struct od_throttle_ticket gate;
};

static void login_state_release(struct login_state *st)
{
    free(st->hash);
    free(st->email);
    free(st->name);
    free(st->role);
}

static struct od_throttle_limits limits(const struct od_auth *a)
{
    return (struct od_throttle_limits){a->max_failures, a->max_failures * SOURCE_FACTOR,
                                       a->lockout_minutes};
}

/* Reserve the attempt (throttle.h) and load the user. The same statements whether the
 * email exists or not. */
static int login_open(struct od_auth *a, const char *email, const char *source,
                      struct login_state *st)
{
    struct od_throttle_limits l = limits(a);
    memset(st, 0, sizeof *st);
    PGconn *c = od_pool_acquire(a->pool, ACQUIRE_MS);
    if (!c) return -1;
    PGresult *r = NULL;
    if (od_throttle_reserve(c, &l, email, source, &st->gate) == 0)
        r = od_db_exec(c,
                       "SELECT id, email, name, role, password_hash, disabled FROM users WHERE "
                       "lower(email) = lower($1)",
                       1, (const char *const[]){email});
    od_pool_release(a->pool, c); /* no connection held during Argon2id */
    if (!r) return -1;
    st->found = PQntuples(r) == 1;
    if (st->found) {
        st->user_id = atoll(PQgetvalue(r, 0, 0));
        st->email = od_db_text(r, 0, 1);
        st->name = od_db_text(r, 0, 2);
        st->role = od_db_text(r, 0, 3);
        st->hash = od_db_text(r, 0, 4);
        st->disabled = PQgetvalue(r, 0, 5)[0] == 't';
    }
    PQclear(r);
    return 0;
}

/* Settle a verified attempt; audit and log a lock it caused (known email or not alike). */
static void login_settle(struct od_auth *a, PGconn *c, const struct login_state *st, bool ok)
{
    struct od_throttle_limits l = limits(a);
    unsigned locked = 0;
    if (od_throttle_settle(c, &l, &st->gate, ok, &locked) != 0)
        od_log_warn("login throttle not updated: %s", od_err());
    if (locked & OD_THROTTLE_LOCKED_EMAIL) {
        od_audit(c, st->user_id, st->gate.email, "login.lockout", st->gate.email, st->gate.source,
                 "locked", NULL);
        od_log_warn("account locked after %d failed logins (source %s)", a->max_failures,
                    st->gate.source);
    }
    if (locked & OD_THROTTLE_LOCKED_SOURCE) {
        od_audit(c, 0, st->gate.source, "login.source_lockout", st->gate.source, st->gate.source,
                 "locked", NULL);
        od_log_warn("source %s locked after %d failed logins", st->gate.source, l.source_max);
    }
}

static int start_session(struct od_auth *a, PGconn *c, const struct login_state *st,
                         const char *source, struct od_session **out)
{
    struct od_session *s = (struct od_session *)od_secret_alloc(sizeof *s);
    char hash[67], uid[24], hours[16];
    randombytes_buf(s->token, sizeof s->token);
    token_hash_param(a, s->token, hash);
    snprintf(uid, sizeof uid, "%lld", (long long)st->user_id);
    snprintf(hours, sizeof hours, "%d", a->absolute_hours);
    const char *p[] = {uid, hash, source, hours};
    PGresult *r = od_db_exec(c,
                             "INSERT INTO sessions (user_id, token_hash, source, expires_at) "
                             "VALUES ($1::bigint, $2::bytea, $3, now() + make_interval(hours => "
                             "$4::int)) RETURNING id",
                             4, p);
    if (!r) {
        od_secret_free(s);
        return -1;
    }
    s->id = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    s->user_id = st->user_id;
    od_role_parse(st->role, &s->role);
    snprintf(s->email, sizeof s->email, "%s", st->email);
    snprintf(s->name, sizeof s->name, "%s", st->name ? st->name : "");
    *out = s;
    return 0;
}

static void record_attempt(PGconn *c, const char *email, const char *source, bool ok)
{
    const char *p[] = {email, source, ok ? "true" : "false"};
    od_db_cmd(c,
              "INSERT INTO login_attempts (email, source, success) VALUES (left($1, 256), $2, "
              "$3::boolean)",
              3, p);
}

static void rehash_if_needed(PGconn *c, const struct login_state *st, const char *password)
{
    char fresh[OD_PASSWORD_HASH_MAX], uid[24];
    if (od_password_needs_rehash(st->hash) != 1 || od_password_hash(password, fresh) != 0) return;
    snprintf(uid, sizeof uid, "%lld", (long long)st->user_id);
    const char *p[] = {fresh, uid};
    od_db_cmd(c, "UPDATE users SET password_hash = $1, updated_at = now() WHERE id = $2::bigint", 2,
              p);
}

/* Why an attempt failed, for its audit row: refused before any verification (locked,
 * throttled) or verified and failed (unknown_user and disabled against the dummy hash,
 * bad_password against the user's). NULL when it succeeded. */
static const char *failure_reason(const struct login_state *st, bool match)
{
    if (st->gate.state == OD_THROTTLE_LOCKED) return "locked";
    if (st->gate.state == OD_THROTTLE_BUSY) return "throttled";
    if (!st->found) return "unknown_user";
    if (st->disabled) return "disabled";
    return match ? NULL : "bad_password";
}

int od_auth_login(struct od_auth *a, const char *email, const char *password, const char *source,
                  struct od_session **out)
{
    struct login_state st;
    int rc;
    *out = NULL;
    if (!a->session_key) return od_seterr("logins need the key file (secrets.key_file)");
    if (login_open(a, email, source, &st) != 0) {
        login_state_release(&st);
        return -1;
    }
    /* Exactly one Argon2id verification when the throttle let the attempt through (against
     * the dummy hash when there is no usable user), none when it refused it. */
    bool open = st.gate.state == OD_THROTTLE_OPEN, match = false;
    if (open)
        match = st.found && !st.disabled ? od_password_verify(st.hash, password) == 0
                                         : od_password_verify_dummy(password) == 0;
    const char *reason = failure_reason(&st, match);
    /* Without a connection now the reservation stays taken: counted as a failure. */
    PGconn *c = od_pool_acquire(a->pool, ACQUIRE_MS);
    if (!c) {
        login_state_release(&st);
        return -1;
    }
    if (open) login_settle(a, c, &st, reason == NULL);
    record_attempt(c, email, source, reason == NULL);
    if (reason) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "reason", reason);
        char *detail = od_json_print(d);
        od_audit(c, st.user_id, email, "login.failure", email, source, open ? "fail" : "locked",
                 detail);
        free(detail);
        rc = od_seterr("%s", open ? OD_AUTH_MSG_INVALID : OD_AUTH_MSG_LOCKED);
    } else {
        char uid[24];
        snprintf(uid, sizeof uid, "%lld", (long long)st.user_id);
        const char *p[] = {uid};
        od_db_cmd(c, "UPDATE users SET last_login_at = now() WHERE id = $1::bigint", 1, p);
        rehash_if_needed(c, &st, password);
        rc = start_session(a, c, &st, source, out);
        if (rc == 0)
            od_audit(c, st.user_id, st.email, "login.success", st.email, source, "ok", NULL);
    }
    od_pool_release(a->pool, c);
    login_state_release(&st);
    return rc;
}

int od_auth_validate(struct od_auth *a, struct od_session *s)
{
    char hash[67], idle[16];
    token_hash_param(a, s->token, hash);
    snprintf(idle, sizeof idle, "%d", a->idle_minutes);
    const char *p[] = {hash, idle};
    PGconn *c = od_pool_acquire(a->pool, ACQUIRE_MS);
    if (!c) return -1;
    /* End it if a limit passed, touch it otherwise; report the role and why it ended. */
    PGresult *r = od_db_exec(
        c,
        "WITH s AS (SELECT s.id, u.role, CASE WHEN s.ended_at IS NOT NULL THEN s.ended_reason "
        "  WHEN u.disabled THEN 'disabled' WHEN now() >= s.expires_at THEN 'absolute_timeout' "
        "  WHEN now() - s.last_seen_at > make_interval(mins => $2::int) THEN 'idle_timeout' END "
        "  AS why, s.ended_at IS NOT NULL AS was_ended FROM sessions s JOIN users u ON u.id = "
        "  s.user_id WHERE s.token_hash = $1::bytea) "
        "UPDATE sessions t SET last_seen_at = CASE WHEN s.why IS NULL THEN now() ELSE "
        "  t.last_seen_at END, ended_at = CASE WHEN s.why IS NOT NULL AND NOT s.was_ended THEN "
        "  now() ELSE t.ended_at END, ended_reason = coalesce(t.ended_reason, s.why) FROM s "
        "WHERE t.id = s.id RETURNING s.role, s.why, s.was_ended",
        2, p);
    int rc = -1;
    if (r && PQntuples(r) == 1) {
        if (PQgetisnull(r, 0, 1)) {
            od_role_parse(PQgetvalue(r, 0, 0), &s->role);
            rc = 0;
        } else {
            if (PQgetvalue(r, 0, 2)[0] == 'f')
                od_audit(c, s->user_id, s->email, "session.end", s->email, od_config_login_source(),
                         PQgetvalue(r, 0, 1), NULL);
            od_seterr("%s", OD_AUTH_MSG_EXPIRED);
        }
    } else if (r) {
        od_seterr("%s", OD_AUTH_MSG_EXPIRED);
    }
    if (r) PQclear(r);
    od_pool_release(a->pool, c);
    return rc;
}

int od_auth_reverify(struct od_auth *a, struct od_session *s, const char *password)
{
    struct login_state st;
    const char *source = od_config_login_source();
    if (od_auth_validate(a, s) != 0) return -1;
    if (login_open(a, s->email, source, &st) != 0) {
        login_state_release(&st);
        return -1;
    }
    bool open = st.gate.state == OD_THROTTLE_OPEN, mine = st.found && st.user_id == s->user_id;
    bool ok = false;
    if (open)
        ok = mine ? od_password_verify(st.hash, password) == 0
                  : od_password_verify_dummy(password) == 0;
    PGconn *c = od_pool_acquire(a->pool, ACQUIRE_MS);
    if (c) {
        if (open) login_settle(a, c, &st, ok);
        record_attempt(c, s->email, source, ok);
        char detail[64];
        snprintf(detail, sizeof detail, "{\"reason\":\"%s\"}",
                 ok ? "ok" : failure_reason(&st, false));
        od_audit(c, s->user_id, s->email, ok ? "reverify.success" : "reverify.failure", s->email,
                 source,
                 ok     ? "ok"
                 : open ? "fail"
                        : "locked",
                 ok ? NULL : detail);
        od_pool_release(a->pool, c);
    }
    login_state_release(&st);
    if (ok) return 0;
    return od_seterr("%s", open ? "Wrong password." : OD_AUTH_MSG_LOCKED);
}

int od_auth_logout(struct od_auth *a, struct od_session *s)
{
    char hash[67];
    token_hash_param(a, s->token, hash);
    const char *p[] = {hash};
    PGconn *c = od_pool_acquire(a->pool, ACQUIRE_MS);
    if (!c) return -1;
    int rc = od_db_cmd(c,
                       "UPDATE sessions SET ended_at = now(), ended_reason = 'logout' WHERE "
                       "token_hash = $1::bytea AND ended_at IS NULL",
                       1, p);
    if (rc == 0)
        od_audit(c, s->user_id, s->email, "logout", s->email, od_config_login_source(), "ok", NULL);
    od_pool_release(a->pool, c);
    return rc;
}

void od_session_free(struct od_session *s)
{
    od_secret_free(s);
}
