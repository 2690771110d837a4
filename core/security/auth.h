/* auth — people: roles and what they may do, login with throttling and lockout, sessions,
 * user management and the audit trail.
 *
 *   struct od_auth *a = od_auth_new(pool, vault, cfg);        // vault may be NULL: no logins
 *   struct od_session *s;
 *   if (od_auth_login(a, email, pw, od_config_login_source(), &s) != 0) show(od_err());
 *   ...each action: od_auth_validate(a, s) == 0 && od_auth_require(s, "sync.start") == 0
 *   ...admin actions: od_auth_reverify(a, s, pw_asked_again)
 *   od_auth_logout(a, s); od_session_free(s); od_auth_free(a);
 *
 * Every login failure says exactly OD_AUTH_MSG_INVALID (unknown email, wrong password,
 * disabled account) after the same work: one Argon2id verification with the current limits,
 * against the user's hash or a dummy one (core/security/password.h). Throttling
 * (core/security/throttle.h) reserves each attempt before any verification, so parallel attempts
 * cannot get past it: an account (or an unknown email, alike) gets at most auth.max_failures failed
 * verifications per auth.lockout_minutes window and is then locked for auth.lockout_minutes; a
 * source (SSH client IP) 4 x max_failures. An attempt refused before verifying says
 * OD_AUTH_MSG_LOCKED. A successful login does not wipe failures. Every attempt is one
 * login_attempts row and one audit_log row (email, source, outcome, detail.reason: bad_password,
 * unknown_user, disabled for failed verifications; locked, throttled for refusals; never the
 * password). Sessions: 32 random bytes held only by the process; the database stores a keyed
 * BLAKE2b hash (key derived from the vault's current key), with idle (auth.session_idle_minutes)
 * and absolute (auth.session_absolute_hours) timeouts. */
#ifndef OD_AUTH_H
#define OD_AUTH_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OD_AUTH_MSG_INVALID "Invalid email or password."
#define OD_AUTH_MSG_LOCKED "Too many failed attempts; try again later."
#define OD_AUTH_MSG_EXPIRED "Your session has ended; log in again."

struct od_pool;
struct od_vault;
struct od_config;

enum od_role { OD_ROLE_OPS, OD_ROLE_ACCOUNT_MANAGER, OD_ROLE_ONCALL, OD_ROLE_ADMIN };

/* "ops" | "account_manager" | "oncall" | "admin". -1 with a message listing them. */
int od_role_parse(const char *s, enum od_role *out);
const char *od_role_name(enum od_role role);
/* Whether role may do action (e.g. "sync.start", "profit.read", "users.manage"); the table is
 * in auth.c. Unknown actions are refused. */
bool od_auth_can(enum od_role role, const char *action);

struct od_session {
    int64_t id;
    int64_t user_id;
    enum od_role role; /* refreshed by od_auth_validate (a role change applies at once) */
    char email[256];
    char name[256];
    unsigned char token[32]; /* the only copy of the secret; struct is in locked memory */
};

struct od_auth;

struct od_auth *od_auth_new(struct od_pool *pool, const struct od_vault *vault,
                            const struct od_config *cfg);
void od_auth_free(struct od_auth *a);

/* 0 and *out (free with od_session_free) on success; -1 with od_err() = one of the
 * OD_AUTH_MSG_* texts (or a database error). Rehashes the password when limits changed. */
int od_auth_login(struct od_auth *a, const char *email, const char *password, const char *source,
                  struct od_session **out);
/* 0 when the session is live (and marks it used); -1 with OD_AUTH_MSG_EXPIRED otherwise. */
int od_auth_validate(struct od_auth *a, struct od_session *s);
/* -1 with "Your role (ops) may not do users.manage." unless allowed. */
int od_auth_require(const struct od_session *s, const char *action);
/* Ask again before admin actions: 0 when password is the session user's (failures count
 * toward the lockout like logins). */
int od_auth_reverify(struct od_auth *a, struct od_session *s, const char *password);
int od_auth_logout(struct od_auth *a, struct od_session *s);
void od_session_free(struct od_session *s);

/* Users (auth_users.c). actor is who does it, for the audit row ("cli:root", an email). */
struct od_user {
    int64_t id;
    char *email, *name, *role;
    bool disabled, locked;
    int live_sessions;
    char *last_login; /* ISO 8601 or NULL */
};
int od_user_add(struct od_auth *a, const char *actor, const char *email, const char *name,
                enum od_role role, const char *password);
int od_user_passwd(struct od_auth *a, const char *actor, const char *email, const char *password);
/* Disables the user and ends their sessions. */
int od_user_disable(struct od_auth *a, const char *actor, const char *email);
int od_user_list(struct od_auth *a, struct od_user **users, size_t *n);
void od_user_list_free(struct od_user *users, size_t n);
/* Ends one session (target = numeric session id) or all of an email's sessions; *ended gets
 * the count. */
int od_user_logout(struct od_auth *a, const char *actor, const char *target, int *ended);

/* Live sessions (not ended, not past their absolute expiry), most recently seen first; at
 * most max rows. Metadata only: never the token or its hash. Times are wall-clock seconds.
 * *out is freed with od_auth_sessions_free (NULL after -1). */
struct od_session_info {
    int64_t id;
    char *email, *source; /* owned; raw database text: sanitize before a terminal */
    int64_t created_at, last_seen_at, expires_at;
};
int od_auth_sessions_list(PGconn *c, int max, struct od_session_info **out, size_t *n);
void od_auth_sessions_free(struct od_session_info *rows, size_t n);

/* One audit_log row. detail_json may be NULL. Strings are stored as given (sanitize on
 * display). */
int od_audit(PGconn *c, int64_t actor_user_id, const char *actor, const char *action,
             const char *subject, const char *source, const char *outcome, const char *detail_json);

/* Internals shared by auth.c and auth_users.c. */
struct od_pool *od_auth_pool(struct od_auth *a);
int od_auth_idle_minutes(const struct od_auth *a);

#endif
