/* exceptions — what is wrong, found by rules and tracked until it ends (table exceptions).
 *
 * Rules are a table (core/domain/rules.c): kind, default severity, a threshold from the [rules]
 * config section and one SQL query returning the subjects that are wrong right now.
 * od_exceptions_evaluate() runs each rule in its own transaction:
 *   - a (kind, subject) that appears opens one exception (state open, count 1);
 *   - while it lasts, each evaluation bumps count and last_seen and refreshes message,
 *     details and severity (the row's version is left alone: only people's edits and the
 *     state changes below move it, so an ack is not refused because a rule ran);
 *   - when it no longer appears, the live exception (open or acknowledged) is closed
 *     (state closed, closed_at); if it comes back, a new exception opens.
 *   A resolved exception is not live either: if the condition still holds at the next
 *   evaluation, a new exception opens — resolving means "fixed", and the rule checks it.
 * Every open, close or message change sends NOTIFY opsdeck_exceptions (payload: JSON with
 * kind and counts, or {"id":N} for people's edits).
 *
 * Acknowledge (open -> acknowledged) and resolve (open|acknowledged -> resolved) with a note:
 * who and when are stored on the row and in audit_log in the same transaction. expected_version
 * is the version the person saw (0 = do not check); a different one is refused with
 * "Exception N was changed by someone else; reload and try again."
 *
 *   struct od_exceptions_eval ev;
 *   od_exceptions_evaluate(pool, cfg, &ev);            // after each sync and on a schedule
 *   struct od_exception_list l;
 *   od_exceptions_list(pool, &(struct od_exception_filter){0}, &l);
 *   od_exceptions_ack(pool, l.items[0].id, l.items[0].version, "ann@x", "looking");
 *   od_exception_list_release(&l); */
#ifndef OD_EXCEPTIONS_H
#define OD_EXCEPTIONS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct od_pool;
struct od_config;

/* One rule; the table is od_rules[0..od_rules_count). */
struct od_rule {
    const char *kind;
    const char *severity;  /* info | warning | critical (a rule row may override per subject) */
    const char *threshold; /* config key in [rules] ("low_margin_pct") or NULL */
    const char *describe;  /* one line for people */
    const char *sql;       /* $1 = threshold as text; returns subject, message, details, severity */
};
extern const struct od_rule od_rules[];
extern const size_t od_rules_count;
/* The threshold value of a rule from cfg (0 when it has none). */
int od_rule_threshold(const struct od_rule *rule, const struct od_config *cfg);

struct od_exceptions_eval {
    int rules, failed;           /* failed rules are logged and skipped */
    int opened, changed, closed; /* across all rules */
};
/* Evaluate every rule. -1 with od_seterr when any rule failed (the others still ran) or the
 * database is unreachable; out is filled either way. */
int od_exceptions_evaluate(struct od_pool *pool, const struct od_config *cfg,
                           struct od_exceptions_eval *out);

struct od_exception {
    int64_t id;
    char kind[48];
    char severity[16];
    char state[16];
    char *subject;      /* owned; raw text (sanitize before display) */
    char *message;      /* owned; raw text */
    char *details_json; /* owned; JSON object */
    int64_t count;
    char first_seen[32], last_seen[32], closed_at[32];     /* RFC 3339 UTC, "" when NULL */
    char *ack_by, *ack_note, *resolved_by, *resolved_note; /* owned or NULL */
    char ack_at[32], resolved_at[32];
    int version;
};

struct od_exception_list {
    struct od_exception *items;
    size_t n;
};

struct od_exception_filter {
    const char *kind; /* NULL = all kinds */
    bool all;         /* false: live only (open, acknowledged); true: every state */
    int64_t id;       /* 0 = any; else just this one */
    int limit;        /* 0 = 1000 */
};

/* Live first, then critical > warning > info, newest last_seen first. */
int od_exceptions_list(struct od_pool *pool, const struct od_exception_filter *f,
                       struct od_exception_list *out);
void od_exception_list_release(struct od_exception_list *l);

/* On success returns 0 and *new_version (may be NULL) is the row's version afterwards. */
int od_exceptions_ack(struct od_pool *pool, int64_t id, int expected_version, const char *actor,
                      const char *note, int *new_version);
int od_exceptions_resolve(struct od_pool *pool, int64_t id, int expected_version, const char *actor,
                          const char *note, int *new_version);

#endif
