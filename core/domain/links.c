/* links — see links.h. Clients and projects differ only in table and column names, so each is
 * one row of `kinds[]` and every statement is written once per kind as a constant. */
#include "core/domain/links.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/security/auth.h"
#include "core/db/db.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Candidates (local_id, remote_id, method, prio); the best prio with exactly one remote wins. */
static const char client_candidates[] =
    "SELECT c.id AS local_id, co.id AS remote_id, 'name' AS method, 1 AS prio"
    " FROM harvest_clients c JOIN hubspot_companies co ON lower(btrim(co.name)) = "
    "lower(btrim(c.name))"
    " WHERE c.deleted_at IS NULL AND co.deleted_at IS NULL AND NOT co.archived"
    " UNION ALL SELECT c.id, co.id, 'domain', 2"
    " FROM harvest_clients c JOIN hubspot_companies co"
    " ON opsdeck_domain_host(co.domain) = lower(btrim(c.name))"
    " OR opsdeck_domain_key(co.domain) = opsdeck_name_key(c.name)"
    " WHERE c.deleted_at IS NULL AND co.deleted_at IS NULL AND NOT co.archived";

static const char project_candidates[] =
    "SELECT p.id AS local_id, d.id AS remote_id, 'name' AS method,"
    " CASE WHEN EXISTS (SELECT 1 FROM client_links cl JOIN hubspot_deal_companies dc"
    " ON dc.company_id = cl.company_id WHERE cl.client_id = p.client_id AND dc.deal_id = d.id)"
    " THEN 1 ELSE 2 END AS prio"
    " FROM harvest_projects p JOIN hubspot_deals d ON lower(btrim(d.name)) = lower(btrim(p.name))"
    " WHERE p.deleted_at IS NULL AND d.deleted_at IS NULL AND NOT d.archived";

struct kind_def {
    const char *name, *local_label, *remote_label;
    const char *candidates;
    const char *apply;  /* follows "WITH cand AS (candidates)"; returns (removed, linked) */
    const char *lock;   /* $1 local id -> current version */
    const char *insert; /* $1 local, $2 remote, $3 actor -> version */
    const char *update; /* same */
    const char *remove; /* $1 local */
    const char *exists_local, *exists_remote;
    const char *list;
};

#define APPLY(T, L, R)                                                                             \
    ", best AS (SELECT local_id, min(prio) AS prio FROM cand GROUP BY local_id),"                  \
    " uniq AS (SELECT c.local_id, min(c.remote_id) AS remote_id, min(c.method) AS method"          \
    " FROM cand c JOIN best b ON b.local_id = c.local_id AND b.prio = c.prio GROUP BY c.local_id"  \
    " HAVING count(DISTINCT c.remote_id) = 1),"                                                    \
    " del AS (DELETE FROM " T " l WHERE l.method <> 'manual'"                                      \
    " AND NOT EXISTS (SELECT 1 FROM uniq u WHERE u.local_id = l." L ") RETURNING 1),"              \
    " ups AS (INSERT INTO " T " (" L ", " R ", method, updated_by)"                                \
    " SELECT local_id, remote_id, method, 'system' FROM uniq ON CONFLICT (" L ") DO UPDATE"        \
    " SET " R " = excluded." R ", method = excluded.method, updated_by = 'system',"                \
    " updated_at = now(), version = " T ".version + 1"                                             \
    " WHERE " T ".method <> 'manual' AND (" T "." R " IS DISTINCT FROM excluded." R " OR " T       \
    ".method <> excluded.method) RETURNING 1)"                                                     \
    " SELECT (SELECT count(*) FROM del), (SELECT count(*) FROM ups)"

#define EDITS(T, L, R)                                                                             \
    "SELECT version FROM " T " WHERE " L " = $1 FOR UPDATE",                                       \
        "INSERT INTO " T " (" L ", " R ", method, updated_by) VALUES ($1, $2, 'manual', $3)"       \
        " ON CONFLICT (" L ") DO NOTHING RETURNING version",                                       \
        "UPDATE " T " SET " R " = $2, method = 'manual', updated_by = $3, updated_at = now(),"     \
        " version = version + 1 WHERE " L " = $1 RETURNING version",                               \
        "DELETE FROM " T " WHERE " L " = $1"

#define LIST(T, L, R, LT, RT, RNAME)                                                               \
    "SELECT x.id, x.name, l." R ", " RNAME ", l.method, l.updated_by,"                             \
    " opsdeck_ts(l.updated_at),"                                                                   \
    " coalesce(l.version, 0) FROM " LT " x LEFT JOIN " T " l ON l." L " = x.id"                    \
    " LEFT JOIN " RT " r ON r.id = l." R " WHERE x.deleted_at IS NULL"                             \
    " ORDER BY lower(btrim(x.name)), x.id"

static const struct kind_def kinds[] = {
    [OD_LINK_CLIENT] = {"client", "client", "HubSpot company", client_candidates,
                        APPLY("client_links", "client_id", "company_id"),
                        EDITS("client_links", "client_id", "company_id"),
                        "SELECT 1 FROM harvest_clients WHERE id = $1 AND deleted_at IS NULL",
                        "SELECT 1 FROM hubspot_companies WHERE id = $1 AND deleted_at IS NULL",
                        LIST("client_links", "client_id", "company_id", "harvest_clients",
                             "hubspot_companies", "coalesce(r.name, r.domain)")},
    [OD_LINK_PROJECT] = {"project", "project", "HubSpot deal", project_candidates,
                         APPLY("project_links", "project_id", "deal_id"),
                         EDITS("project_links", "project_id", "deal_id"),
                         "SELECT 1 FROM harvest_projects WHERE id = $1 AND deleted_at IS NULL",
                         "SELECT 1 FROM hubspot_deals WHERE id = $1 AND deleted_at IS NULL",
                         LIST("project_links", "project_id", "deal_id", "harvest_projects",
                              "hubspot_deals", "r.name")},
};

int od_link_kind_parse(const char *s, enum od_link_kind *out)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(kinds); i++)
        if (s && strcmp(s, kinds[i].name) == 0) {
            *out = (enum od_link_kind)i;
            return 0;
        }
    return od_seterr("unknown link kind '%s' (use client or project)", s ? s : "");
}

const char *od_link_kind_name(enum od_link_kind kind)
{
    return (unsigned)kind < OD_ARRAY_LEN(kinds) ? kinds[kind].name : "?";
}

static int notify(PGconn *c, const char *what)
{
    const char *p[1] = {what};
    return od_db_cmd(c, "SELECT pg_notify('opsdeck_links', $1)", 1, p);
}

int od_links_auto(struct od_pool *pool, struct od_links_auto_result *out)
{
    struct od_links_auto_result res = {0, 0};
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    if (od_db_begin(c) < 0) goto fail;
    if (od_db_cmd(c, "SELECT pg_advisory_xact_lock(hashtext('opsdeck.links.auto'))", 0, NULL) < 0)
        goto fail_tx;
    for (size_t k = 0; k < OD_ARRAY_LEN(kinds); k++) { /* clients first: projects use them */
        struct strbuf sql = STRBUF_INIT;
        sb_add(&sql, "WITH cand AS (");
        sb_add(&sql, kinds[k].candidates);
        sb_addf(&sql, ")%s", kinds[k].apply);
        PGresult *r = od_db_exec(c, sb_str(&sql), 0, NULL);
        sb_release(&sql);
        if (!r) goto fail_tx;
        res.removed += atoi(PQgetvalue(r, 0, 0));
        res.linked += atoi(PQgetvalue(r, 0, 1));
        PQclear(r);
    }
    if ((res.removed || res.linked) && notify(c, "auto") < 0) goto fail_tx;
    if (od_db_commit(c) < 0) goto fail;
    od_pool_release(pool, c);
    if (out) *out = res;
    return 0;
fail_tx:
    od_db_rollback(c);
fail:
    od_pool_release(pool, c);
    return -1;
}

int od_links_list(struct od_pool *pool, enum od_link_kind kind, struct od_link_list *out)
{
    memset(out, 0, sizeof(*out));
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    PGresult *r = od_db_exec(c, kinds[kind].list, 0, NULL);
    od_pool_release(pool, c);
    if (!r) return -1;
    out->n = (size_t)PQntuples(r);
    out->items = od_xcalloc(out->n ? out->n : 1, sizeof(*out->items));
    for (size_t i = 0; i < out->n; i++) {
        struct od_link *l = &out->items[i];
        int row = (int)i;
        l->kind = kind;
        l->local_id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
        l->local_name = od_db_text(r, row, 1);
        l->remote_id = strtoll(PQgetvalue(r, row, 2), NULL, 10);
        l->remote_name = od_db_text(r, row, 3);
        snprintf(l->method, sizeof l->method, "%s", PQgetvalue(r, row, 4));
        l->updated_by = od_db_text(r, row, 5);
        snprintf(l->updated_at, sizeof l->updated_at, "%s", PQgetvalue(r, row, 6));
        l->version = atoi(PQgetvalue(r, row, 7));
    }
    PQclear(r);
    return 0;
}

void od_link_list_release(struct od_link_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].local_name);
        free(l->items[i].remote_name);
        free(l->items[i].updated_by);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* 1 when the query returns a row, 0 when not, -1 on error. */
static int exists(PGconn *c, const char *sql, const char *id)
{
    const char *p[1] = {id};
    PGresult *r = od_db_exec(c, sql, 1, p);
    if (!r) return -1;
    int n = PQntuples(r);
    PQclear(r);
    return n > 0;
}

/* The edit inside the caller's transaction; returns the new version (0 after RESET), -1. */
static int edit_tx(PGconn *c, const struct kind_def *k, enum od_link_edit edit, const char *lid,
                   const char *rid, int expected, const char *actor)
{
    static const char *const edit_names[] = {"set", "unset", "reset"};
    int e = exists(c, k->exists_local, lid);
    if (e <= 0) return e < 0 ? -1 : od_seterr("There is no %s %s.", k->local_label, lid);
    if (edit == OD_LINK_SET && (e = exists(c, k->exists_remote, rid)) <= 0)
        return e < 0 ? -1 : od_seterr("There is no %s %s.", k->remote_label, rid);
    const char *p[3] = {lid, edit == OD_LINK_SET ? rid : NULL, actor}; /* UNSET stores NULL */
    PGresult *r = od_db_exec(c, k->lock, 1, p);
    if (!r) return -1;
    int cur = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (cur != expected)
        return od_seterr("The link of %s %s was changed by someone else (version %d, you had %d); "
                         "reload and try again.",
                         k->local_label, lid, cur, expected);
    int version = 0;
    if (edit == OD_LINK_RESET) {
        if (od_db_cmd(c, k->remove, 1, p) < 0) return -1;
    } else {
        r = od_db_exec(c, cur ? k->update : k->insert, 3, p);
        if (!r) return -1;
        if (PQntuples(r) == 0) { /* someone inserted between our lock and insert */
            PQclear(r);
            return od_seterr("The link of %s %s was changed by someone else; reload and try again.",
                             k->local_label, lid);
        }
        version = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    char *subject = od_xasprintf("%s:%s", k->name, lid);
    char *action = od_xasprintf("link.%s", edit_names[edit]);
    cJSON *d = cJSON_CreateObject();
    if (edit == OD_LINK_SET) od_json_add_i64(d, "remote_id", strtoll(rid, NULL, 10));
    od_json_add_i64(d, "version", version);
    char *detail = od_json_print(d);
    int rc = od_audit(c, 0, actor, action, subject, od_config_login_source(), "ok", detail);
    free(detail);
    free(action);
    if (rc == 0) rc = notify(c, subject);
    free(subject);
    return rc < 0 ? -1 : version;
}

int od_links_edit(struct od_pool *pool, enum od_link_kind kind, enum od_link_edit edit,
                  int64_t local_id, int64_t remote_id, int expected_version, const char *actor,
                  int *new_version)
{
    if ((unsigned)kind >= OD_ARRAY_LEN(kinds)) return od_seterr("unknown link kind %d", (int)kind);
    char lid[24], rid[24];
    snprintf(lid, sizeof lid, "%lld", (long long)local_id);
    snprintf(rid, sizeof rid, "%lld", (long long)remote_id);
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    int v = -1;
    if (od_db_begin(c) == 0) {
        v = edit_tx(c, &kinds[kind], edit, lid, rid, expected_version, actor ? actor : "unknown");
        if (v < 0)
            od_db_rollback(c); /* keeps od_err() */
        else if (od_db_commit(c) < 0)
            v = -1;
    }
    od_pool_release(pool, c);
    if (v < 0) return -1;
    if (new_version) *new_version = v;
    if (edit == OD_LINK_RESET && od_links_auto(pool, NULL) < 0) return -1;
    return 0;
}
