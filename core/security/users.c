/* auth_users — user management: add, change password, disable, list (with live sessions),
 * list live sessions, end sessions. Every change writes an audit_log row in the same transaction.
 * See auth.h. */
#include "core/security/auth.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/security/password.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACQUIRE_MS 5000

static int check_email(const char *email)
{
    size_t n = strlen(email);
    const char *at = strchr(email, '@');
    if (n < 3 || n > 254 || !at || at == email || !at[1] || strchr(at + 1, '@'))
        return od_seterr("'%.60s' is not an email address", email);
    for (const char *c = email; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c == 0x7F)
            return od_seterr("an email address has no spaces or control characters");
    return 0;
}

/* Run one statement plus its audit row in a transaction; returns the affected row count or
 * -1. */
static int change_with_audit(struct od_auth *a, const char *sql, int nparams,
                             const char *const *params, const char *actor, const char *action,
                             const char *subject, const char *detail)
{
    PGconn *c = od_pool_acquire(od_auth_pool(a), ACQUIRE_MS);
    if (!c) return -1;
    int rows = -1;
    if (od_db_begin(c) == 0) {
        PGresult *r = od_db_exec(c, sql, nparams, params);
        if (r) {
            rows = atoi(PQcmdTuples(r));
            PQclear(r);
        }
        if (rows > 0 && (od_audit(c, 0, actor, action, subject, "local", "ok", detail) != 0 ||
                         od_db_commit(c) != 0))
            rows = -1;
        if (rows <= 0) od_db_rollback(c);
    }
    od_pool_release(od_auth_pool(a), c);
    return rows;
}

int od_user_add(struct od_auth *a, const char *actor, const char *email, const char *name,
                enum od_role role, const char *password)
{
    char hash[OD_PASSWORD_HASH_MAX];
    if (check_email(email) != 0 || od_password_check_policy(password) != 0 ||
        od_password_hash(password, hash) != 0)
        return -1;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "role", od_role_name(role));
    char *detail = od_json_print(d);
    const char *p[] = {email, name, od_role_name(role), hash};
    int rows = change_with_audit(a,
                                 "INSERT INTO users (email, name, role, password_hash) SELECT "
                                 "$1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM users WHERE "
                                 "lower(email) = lower($1))",
                                 4, p, actor, "user.add", email, detail);
    free(detail);
    if (rows == 0) return od_seterr("a user with email %s already exists", email);
    return rows > 0 ? 0 : -1;
}

int od_user_passwd(struct od_auth *a, const char *actor, const char *email, const char *password)
{
    char hash[OD_PASSWORD_HASH_MAX];
    if (od_password_check_policy(password) != 0 || od_password_hash(password, hash) != 0) return -1;
    const char *p[] = {email, hash};
    /* A new password also lifts the account's lock and forgets its failures. */
    int rows = change_with_audit(
        a,
        "WITH u AS (UPDATE users SET password_hash = $2, updated_at = now(), version = version + 1 "
        "WHERE lower(email) = lower($1) RETURNING email), "
        "t AS (DELETE FROM login_throttle WHERE kind = 'email' AND subject IN (SELECT "
        "left(lower(email), 256) FROM u)) SELECT email FROM u",
        2, p, actor, "user.passwd", email, NULL);
    if (rows == 0) return od_seterr("no user with email %s", email);
    return rows > 0 ? 0 : -1;
}

int od_user_disable(struct od_auth *a, const char *actor, const char *email)
{
    const char *p[] = {email};
    int rows = change_with_audit(
        a,
        "WITH u AS (UPDATE users SET disabled = true, updated_at = now(), version = version + 1 "
        "WHERE lower(email) = lower($1) RETURNING id), "
        "s AS (UPDATE sessions SET ended_at = now(), ended_reason = 'disabled' WHERE user_id IN "
        "(SELECT id FROM u) AND ended_at IS NULL) SELECT id FROM u",
        1, p, actor, "user.disable", email, NULL);
    if (rows == 0) return od_seterr("no user with email %s", email);
    return rows > 0 ? 0 : -1;
}

int od_user_list(struct od_auth *a, struct od_user **users, size_t *n)
{
    char idle[16];
    snprintf(idle, sizeof idle, "%d", od_auth_idle_minutes(a));
    *users = NULL;
    *n = 0;
    PGconn *c = od_pool_acquire(od_auth_pool(a), ACQUIRE_MS);
    if (!c) return -1;
    PGresult *r = od_db_exec(
        c,
        "SELECT u.id, u.email, coalesce(u.name, ''), u.role, u.disabled, "
        "  EXISTS (SELECT 1 FROM login_throttle t WHERE t.kind = 'email' AND t.subject = "
        "   left(lower(u.email), 256) AND t.locked_until > now()), "
        "  (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.ended_at IS NULL AND "
        "   s.expires_at > now() AND s.last_seen_at > now() - make_interval(mins => "
        "   $1::int)), to_char(u.last_login_at AT TIME ZONE 'UTC', "
        "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        "FROM users u ORDER BY lower(u.email)",
        1, (const char *const[]){idle});
    od_pool_release(od_auth_pool(a), c);
    if (!r) return -1;
    size_t rows = (size_t)PQntuples(r);
    struct od_user *u = od_xcalloc(rows ? rows : 1, sizeof *u);
    for (size_t i = 0; i < rows; i++) {
        int k = (int)i;
        u[i].id = atoll(PQgetvalue(r, k, 0));
        u[i].email = od_xstrdup(PQgetvalue(r, k, 1));
        u[i].name = od_xstrdup(PQgetvalue(r, k, 2));
        u[i].role = od_xstrdup(PQgetvalue(r, k, 3));
        u[i].disabled = PQgetvalue(r, k, 4)[0] == 't';
        u[i].locked = PQgetvalue(r, k, 5)[0] == 't';
        u[i].live_sessions = atoi(PQgetvalue(r, k, 6));
        u[i].last_login = od_db_text(r, k, 7);
    }
    PQclear(r);
    *users = u;
    *n = rows;
    return 0;
}

void od_user_list_free(struct od_user *users, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(users[i].email);
        free(users[i].name);
        free(users[i].role);
        free(users[i].last_login);
    }
    free(users);
}

int od_auth_sessions_list(PGconn *c, int max, struct od_session_info **out, size_t *n)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", max);
    *out = NULL;
    *n = 0;
    PGresult *r = od_db_exec(
        c,
        "SELECT s.id, u.email, s.source, floor(extract(epoch FROM s.created_at))::bigint, "
        "floor(extract(epoch FROM s.last_seen_at))::bigint, "
        "floor(extract(epoch FROM s.expires_at))::bigint FROM sessions s JOIN users u ON u.id = "
        "s.user_id WHERE s.ended_at IS NULL AND s.expires_at > now() ORDER BY s.last_seen_at "
        "DESC LIMIT $1::bigint",
        1, (const char *const[]){lim});
    if (!r) return -1;
    size_t rows = (size_t)PQntuples(r);
    struct od_session_info *si = od_xcalloc(rows ? rows : 1, sizeof *si);
    for (int i = 0; i < (int)rows; i++) {
        si[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        si[i].email = od_xstrdup(PQgetvalue(r, i, 1));
        si[i].source = od_xstrdup(PQgetvalue(r, i, 2));
        si[i].created_at = strtoll(PQgetvalue(r, i, 3), NULL, 10);
        si[i].last_seen_at = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        si[i].expires_at = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    }
    PQclear(r);
    *out = si;
    *n = rows;
    return 0;
}

void od_auth_sessions_free(struct od_session_info *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].email);
        free(rows[i].source);
    }
    free(rows);
}

int od_user_logout(struct od_auth *a, const char *actor, const char *target, int *ended)
{
    long id;
    const char *p[] = {target};
    bool by_id = strchr(target, '@') == NULL;
    if (by_id && od_parse_long(target, 1, LONG_MAX, &id) != 0)
        return od_seterr("'%.60s' is neither a session id nor an email", target);
    int rows = change_with_audit(
        a,
        by_id ? "UPDATE sessions SET ended_at = now(), ended_reason = 'ended_by_admin' WHERE id "
                "= $1::bigint AND ended_at IS NULL"
              : "UPDATE sessions SET ended_at = now(), ended_reason = 'ended_by_admin' WHERE "
                "ended_at IS NULL AND user_id = (SELECT id FROM users WHERE lower(email) = "
                "lower($1))",
        1, p, actor, "session.end", target, NULL);
    if (rows < 0) return -1;
    *ended = rows;
    return 0;
}
