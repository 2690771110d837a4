/* exceptions — see exceptions.h. Evaluation wraps each rule's query in one statement that
 * opens, updates and closes rows; people's transitions are a small table too. */
#include "core/domain/exceptions.h"
#include "core/base/config.h"
#include "core/security/auth.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1 threshold (text), $2 kind, $3 default severity. thr comes first so $1 is typed text. */
static const char eval_head[] = "WITH thr AS (SELECT $1::text AS t),"
                                " q (subject, message, details, severity) AS (";
static const char eval_tail[] =
    "), cur AS (SELECT DISTINCT ON (subject) subject, message, coalesce(details, '{}'::jsonb) AS "
    "details,"
    " coalesce(severity, $3::text) AS severity FROM q WHERE subject IS NOT NULL ORDER BY subject),"
    " old AS (SELECT id, subject, message, severity FROM exceptions"
    " WHERE kind = $2::text AND state IN ('open', 'acknowledged')),"
    " closed AS (UPDATE exceptions e SET state = 'closed', closed_at = now(), version = e.version "
    "+ 1"
    " FROM old WHERE e.id = old.id AND NOT EXISTS (SELECT 1 FROM cur WHERE cur.subject = "
    "old.subject)"
    " RETURNING e.id),"
    " upd AS (UPDATE exceptions e SET count = e.count + 1, last_seen = now(), message = "
    "cur.message,"
    " details = cur.details, severity = cur.severity FROM old JOIN cur ON cur.subject = old.subject"
    " WHERE e.id = old.id RETURNING (old.message IS DISTINCT FROM cur.message"
    " OR old.severity IS DISTINCT FROM cur.severity) AS changed),"
    " ins AS (INSERT INTO exceptions (kind, severity, subject, message, details)"
    " SELECT $2::text, cur.severity, cur.subject, cur.message, cur.details FROM cur"
    " WHERE NOT EXISTS (SELECT 1 FROM old WHERE old.subject = cur.subject) RETURNING id)"
    " SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd WHERE changed),"
    " (SELECT count(*) FROM closed)";

/* One rule in its own transaction; adds to out. */
static int eval_rule(PGconn *c, const struct od_rule *rule, int threshold,
                     struct od_exceptions_eval *out)
{
    char thr[16];
    snprintf(thr, sizeof thr, "%d", threshold);
    const char *p[3] = {thr, rule->kind, rule->severity};
    struct strbuf sql = STRBUF_INIT;
    sb_add(&sql, eval_head);
    sb_add(&sql, rule->sql);
    sb_add(&sql, eval_tail);
    int rc = -1;
    if (od_db_begin(c) < 0) goto out;
    /* Two evaluators (console and worker) must not both open the same (kind, subject). */
    const char *lp[1] = {rule->kind};
    if (od_db_cmd(c, "SELECT pg_advisory_xact_lock(hashtext('opsdeck.rule.' || $1))", 1, lp) < 0)
        goto rollback;
    PGresult *r = od_db_exec(c, sb_str(&sql), 3, p);
    if (!r) goto rollback;
    int opened = atoi(PQgetvalue(r, 0, 0)), changed = atoi(PQgetvalue(r, 0, 1));
    int closed = atoi(PQgetvalue(r, 0, 2));
    PQclear(r);
    if (opened || changed || closed) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", rule->kind);
        od_json_add_i64(o, "opened", opened);
        od_json_add_i64(o, "changed", changed);
        od_json_add_i64(o, "closed", closed);
        char *payload = od_json_print(o);
        const char *np[1] = {payload};
        int n = od_db_cmd(c, "SELECT pg_notify('opsdeck_exceptions', $1)", 1, np);
        free(payload);
        if (n < 0) goto rollback;
    }
    if (od_db_commit(c) < 0) goto out;
    out->opened += opened;
    out->changed += changed;
    out->closed += closed;
    rc = 0;
    goto out;
rollback:
    od_db_rollback(c); /* keeps od_err() */
out:
    sb_release(&sql);
    return rc;
}

int od_exceptions_evaluate(struct od_pool *pool, const struct od_config *cfg,
                           struct od_exceptions_eval *out)
{
    memset(out, 0, sizeof(*out));
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    char *first_err = NULL;
    for (size_t i = 0; i < od_rules_count; i++) {
        out->rules++;
        if (eval_rule(c, &od_rules[i], od_rule_threshold(&od_rules[i], cfg), out) < 0) {
            out->failed++;
            od_log_error("exceptions: rule %s failed: %s", od_rules[i].kind, od_err());
            if (!first_err) first_err = od_xasprintf("rule %s: %s", od_rules[i].kind, od_err());
        }
    }
    od_pool_release(pool, c);
    if (first_err) {
        od_seterr("%d of %d exception rules failed; first: %s", out->failed, out->rules, first_err);
        free(first_err);
        return -1;
    }
    return 0;
}

/* $1 kind or NULL, $2 all states, $3 limit, $4 id or NULL */
static const char list_sql[] =
    "SELECT id, kind, severity, state, subject, message, details::text, count,"
    " opsdeck_ts(first_seen), opsdeck_ts(last_seen), opsdeck_ts(closed_at), ack_by, ack_note,"
    " opsdeck_ts(ack_at), resolved_by, resolved_note, opsdeck_ts(resolved_at), version"
    " FROM exceptions WHERE ($1::text IS NULL OR kind = $1::text)"
    " AND ($2::boolean OR state IN ('open', 'acknowledged'))"
    " AND ($4::bigint IS NULL OR id = $4::bigint)"
    " ORDER BY state NOT IN ('open', 'acknowledged'),"
    " array_position(ARRAY['critical', 'warning', 'info'], severity), last_seen DESC, id DESC"
    " LIMIT $3::int";

int od_exceptions_list(struct od_pool *pool, const struct od_exception_filter *f,
                       struct od_exception_list *out)
{
    memset(out, 0, sizeof(*out));
    char limit[16], id[24];
    snprintf(limit, sizeof limit, "%d", f->limit > 0 ? f->limit : 1000);
    snprintf(id, sizeof id, "%lld", (long long)f->id);
    const char *p[4] = {f->kind, f->all ? "t" : "f", limit, f->id ? id : NULL};
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    PGresult *r = od_db_exec(c, list_sql, 4, p);
    od_pool_release(pool, c);
    if (!r) return -1;
    out->n = (size_t)PQntuples(r);
    out->items = od_xcalloc(out->n ? out->n : 1, sizeof(*out->items));
    for (int i = 0; i < (int)out->n; i++) {
        struct od_exception *e = &out->items[i];
#define STR(col) od_db_text(r, i, col)
#define CPY(dst, col) snprintf(dst, sizeof dst, "%s", PQgetvalue(r, i, col))
        e->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        CPY(e->kind, 1);
        CPY(e->severity, 2);
        CPY(e->state, 3);
        e->subject = STR(4);
        e->message = STR(5);
        e->details_json = STR(6);
        e->count = strtoll(PQgetvalue(r, i, 7), NULL, 10);
        CPY(e->first_seen, 8);
        CPY(e->last_seen, 9);
        CPY(e->closed_at, 10);
        e->ack_by = STR(11);
        e->ack_note = STR(12);
        CPY(e->ack_at, 13);
        e->resolved_by = STR(14);
        e->resolved_note = STR(15);
        CPY(e->resolved_at, 16);
        e->version = atoi(PQgetvalue(r, i, 17));
#undef STR
#undef CPY
    }
    PQclear(r);
    return 0;
}

void od_exception_list_release(struct od_exception_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct od_exception *e = &l->items[i];
        free(e->subject);
        free(e->message);
        free(e->details_json);
        free(e->ack_by);
        free(e->ack_note);
        free(e->resolved_by);
        free(e->resolved_note);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* People's transitions. */
struct transition {
    const char *action; /* audit action */
    const char *verb;   /* for messages */
    const char *from[2];
    const char *update; /* $1 id, $2 actor, $3 note -> version */
};

static const struct transition ack_tr = {
    "exception.ack",
    "acknowledge",
    {"open", NULL},
    "UPDATE exceptions SET state = 'acknowledged', ack_by = $2, ack_at = now(), ack_note = $3,"
    " version = version + 1 WHERE id = $1 RETURNING version"};
static const struct transition resolve_tr = {
    "exception.resolve",
    "resolve",
    {"open", "acknowledged"},
    "UPDATE exceptions SET state = 'resolved', resolved_by = $2, resolved_at = now(), "
    "resolved_note = $3,"
    " version = version + 1 WHERE id = $1 RETURNING version"};

static int transition_tx(PGconn *c, const struct transition *t, const char *id, int expected,
                         const char *actor, const char *note)
{
    const char *p1[1] = {id};
    PGresult *r = od_db_exec(
        c, "SELECT state, version, kind, subject FROM exceptions WHERE id = $1 FOR UPDATE", 1, p1);
    if (!r) return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return od_seterr("There is no exception %s.", id);
    }
    char state[16];
    snprintf(state, sizeof state, "%s", PQgetvalue(r, 0, 0));
    int version = atoi(PQgetvalue(r, 0, 1));
    bool allowed = false;
    for (int i = 0; i < 2 && t->from[i]; i++)
        allowed = allowed || strcmp(state, t->from[i]) == 0;
    cJSON *d = NULL; /* audit detail: what it was, even after the row closes */
    if (expected > 0 && version != expected)
        od_seterr("Exception %s was changed by someone else; reload and try again.", id);
    else if (!allowed)
        od_seterr("Exception %s is %s; it cannot be %sd.", id, state, t->verb);
    else
        d = cJSON_CreateObject();
    if (d) {
        cJSON_AddStringToObject(d, "kind", PQgetvalue(r, 0, 2));
        cJSON_AddStringToObject(d, "subject", PQgetvalue(r, 0, 3));
        if (note) cJSON_AddStringToObject(d, "note", note);
    }
    PQclear(r);
    if (!d) return -1;
    const char *p3[3] = {id, actor, note};
    if (!(r = od_db_exec(c, t->update, 3, p3))) {
        cJSON_Delete(d);
        return -1;
    }
    version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    od_json_add_i64(d, "version", version);
    char *detail = od_json_print(d);
    char *subject = od_xasprintf("exception:%s", id);
    int arc = od_audit(c, 0, actor, t->action, subject, od_config_login_source(), "ok", detail);
    free(subject);
    free(detail);
    if (arc < 0) return -1;
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", strtoll(id, NULL, 10));
    char *payload = od_json_print(o);
    const char *np[1] = {payload};
    int rc = od_db_cmd(c, "SELECT pg_notify('opsdeck_exceptions', $1)", 1, np);
    free(payload);
    return rc < 0 ? -1 : version;
}

static int transition(struct od_pool *pool, const struct transition *t, int64_t id, int expected,
                      const char *actor, const char *note, int *new_version)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    int v = -1;
    if (od_db_begin(c) == 0) {
        v = transition_tx(c, t, ids, expected, actor ? actor : "unknown", note);
        if (v < 0)
            od_db_rollback(c); /* keeps od_err() */
        else if (od_db_commit(c) < 0)
            v = -1;
    }
    od_pool_release(pool, c);
    if (v >= 0 && new_version) *new_version = v;
    return v < 0 ? -1 : 0;
}

int od_exceptions_ack(struct od_pool *pool, int64_t id, int expected_version, const char *actor,
                      const char *note, int *new_version)
{
    return transition(pool, &ack_tr, id, expected_version, actor, note, new_version);
}

int od_exceptions_resolve(struct od_pool *pool, int64_t id, int expected_version, const char *actor,
                          const char *note, int *new_version)
{
    return transition(pool, &resolve_tr, id, expected_version, actor, note, new_version);
}
