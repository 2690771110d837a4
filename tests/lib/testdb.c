/* testdb — see testdb.h. */
#include "tests/lib/testdb.h"
#include "core/db/db.h"
#include "core/db/migrate.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *url_for(const char *db)
{
    const char *host = getenv("OPSDECK_TEST_PGHOST");
    const char *user = getenv("OPSDECK_TEST_PGUSER");
    return od_xasprintf("postgresql:///%s?host=%s&user=%s", db, host ? host : "/tmp",
                        user ? user : "opsdeck");
}

int testdb_available(void)
{
    return getenv("OPSDECK_TEST_PGHOST") != NULL;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void admin(const char *sql)
{
    char *u = url_for("postgres");
    PGconn *c = PQconnectdb(u);
    free(u);
    if (PQstatus(c) != CONNECTION_OK)
        od_die("testdb: cannot connect to the test cluster: %s", PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        od_die("testdb: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

char *testdb_create_empty(const char *prefix)
{
    static int seq;
    char name[64], sql[160];
    snprintf(name, sizeof(name), "t_%s_%d_%d", prefix, (int)getpid(),
             __sync_add_and_fetch(&seq, 1));
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
    admin(sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
    admin(sql);
    return url_for(name);
}

char *testdb_create(const char *prefix)
{
    char *url = testdb_create_empty(prefix);
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        od_die("testdb: cannot connect to %s: %s", url, PQerrorMessage(c));
    int applied = 0;
    if (od_migrate_apply(c, NULL, &applied) < 0) od_die("testdb: migrate failed: %s", od_err());
    PQfinish(c);
    return url;
}

void testdb_drop(const char *url)
{
    if (getenv("OPSDECK_TEST_KEEP")) return;
    const char *slash = strstr(url, ":///");
    if (!slash) return;
    const char *name = slash + 4;
    size_t n = strcspn(name, "?");
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%.*s\" WITH (FORCE)", (int)n, name);
    admin(sql);
}

void testdb_config(struct od_config *cfg, const char *url)
{
    od_config_defaults(cfg);
    od_config_set(cfg, "database", "url", url);
    od_config_set(cfg, "database", "connect_timeout_s", "5");
}

char *testdb_q1(PGconn *db, const char *sql, const char *param)
{
    const char *p[1] = {param};
    PGresult *r = od_db_exec(db, sql, param ? 1 : 0, param ? p : NULL);
    if (!r) {
        fprintf(stderr, "testdb_q1: %s: %s\n", sql, od_err());
        abort();
    }
    char *v = od_xstrdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return v;
}

void testdb_teardown(PGconn *db, struct od_pool *pool, struct od_config *cfg, char *url)
{
    if (db) PQfinish(db);
    if (pool) od_pool_close(pool);
    od_config_release(cfg);
    testdb_drop(url);
    free(url);
    od_log_close();
}
