/* migrate — see migrate.h. Migrations come from the embedded table (core/base/embedded.h), so an
 * installed binary carries its schema. */
#include "core/db/migrate.h"
#include "core/db/db.h"
#include "core/base/embedded.h"
#include "core/base/util.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK_KEY "7046514432101" /* arbitrary constant: "opsdeck migrations" */

struct mig {
    const struct od_embedded *e;
    char version[8];
};

static int list_migrations(struct mig *out, int max)
{
    int n = 0;
    for (const struct od_embedded *e = od_embedded_files; e->name; e++) {
        if (strncmp(e->name, "sql/", 4) || strlen(e->name) < 10 || n >= max) continue;
        out[n].e = e;
        snprintf(out[n].version, sizeof(out[n].version), "%.4s", e->name + 4);
        n++;
    }
    /* the embed order is sorted by the Makefile, but do not rely on it */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(out[j - 1].e->name, out[j].e->name) > 0; j--) {
            struct mig t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static void checksum(const struct od_embedded *e, char hex[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)e->data, e->len, NULL, 0);
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

static int ensure_table(PGconn *c)
{
    return od_db_cmd(c,
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())",
                     0, NULL);
}

static int is_applied(PGconn *c, const char *version)
{
    const char *p[1] = {version};
    PGresult *r = od_db_exec(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, p);
    if (!r) return -1;
    int found = PQntuples(r) > 0;
    PQclear(r);
    return found;
}

static int apply_one(PGconn *c, const struct mig *m)
{
    char hex[65];
    checksum(m->e, hex);
    char *sql = od_xstrndup(m->e->data, m->e->len);
    if (od_db_begin(c) < 0) {
        free(sql);
        return -1;
    }
    PGresult *r = PQexec(c, sql);
    free(sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        PQclear(r);
        od_db_rollback(c);
        return od_seterr("migration %s failed and was rolled back: %s", m->e->name, msg);
    }
    PQclear(r);
    const char *name = m->e->name + 4;
    const char *p[3] = {m->version, name, hex};
    if (od_db_cmd(c, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                  3, p) < 0 ||
        od_db_commit(c) < 0) {
        od_db_rollback(c);
        return -1;
    }
    return 0;
}

int od_migrate_apply(PGconn *c, FILE *out, int *applied)
{
    struct mig migs[256];
    int n = list_migrations(migs, 256);
    *applied = 0;
    if (od_db_cmd(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL) < 0) return -1;
    int rc = ensure_table(c);
    for (int i = 0; rc == 0 && i < n; i++) {
        int a = is_applied(c, migs[i].version);
        if (a < 0) {
            rc = -1;
            break;
        }
        if (a) continue;
        if (out) fprintf(out, "applying %s\n", migs[i].e->name + 4);
        rc = apply_one(c, &migs[i]);
        if (rc == 0) (*applied)++;
    }
    PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
    return rc;
}

int od_migrate_list(PGconn *c, struct od_migration **out, size_t *n)
{
    struct mig migs[256];
    int nm = list_migrations(migs, 256), pending = 0;
    *out = od_xcalloc(nm ? (size_t)nm : 1, sizeof **out);
    *n = (size_t)nm;
    PGresult *r = od_db_exec(c, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL);
    if (!r) return -1;
    int have = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    r = have ? od_db_exec(c,
                          "SELECT version, to_char(applied_at AT TIME ZONE 'UTC',"
                          " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schema_migrations",
                          0, NULL)
             : NULL;
    if (have && !r) return -1;
    for (int i = 0; i < nm; i++) {
        snprintf((*out)[i].name, sizeof(*out)[i].name, "%s", migs[i].e->name + 4);
        for (int k = 0; r && k < PQntuples(r); k++)
            if (!strcmp(PQgetvalue(r, k, 0), migs[i].version))
                snprintf((*out)[i].applied_at, sizeof(*out)[i].applied_at, "%s",
                         PQgetvalue(r, k, 1));
        if (!*(*out)[i].applied_at) pending++;
    }
    PQclear(r);
    return pending;
}

int od_migrate_status(PGconn *c, FILE *out)
{
    struct od_migration *m;
    size_t n;
    int pending = od_migrate_list(c, &m, &n);
    for (size_t i = 0; pending >= 0 && i < n; i++)
        fprintf(out, "%-40s %s\n", m[i].name, *m[i].applied_at ? m[i].applied_at : "pending");
    free(m);
    return pending;
}
