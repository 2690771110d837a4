/* stmt — prepared statements named by their text's hash. See stmt.h. */
#include "core/db/stmt.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* What this thread knows to be prepared: (connection, its server process, statement hash). A
 * full table starts over at its oldest slot; a forgotten statement is found again in
 * pg_prepared_statements. */
static _Thread_local struct {
    const PGconn *c;
    int pid;
    uint64_t h;
} known[64];
static _Thread_local unsigned known_next;

static uint64_t hash_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, 64 bits */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static bool is_known(const PGconn *c, int pid, uint64_t h)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(known); i++)
        if (known[i].c == c && known[i].pid == pid && known[i].h == h) return true;
    return false;
}

static void remember(const PGconn *c, int pid, uint64_t h)
{
    unsigned k = known_next++ % OD_ARRAY_LEN(known);
    known[k].c = c;
    known[k].pid = pid;
    known[k].h = h;
}

static void forget(const PGconn *c)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(known); i++)
        if (known[i].c == c) known[i].c = NULL;
}

/* Prepare sql as name on c unless the server already holds it. */
static int prepare(PGconn *c, const char *name, const char *sql, int nparams)
{
    PGresult *r = od_db_exec(c, "SELECT count(*) FROM pg_prepared_statements WHERE name = $1", 1,
                             (const char *const[]){name});
    if (!r) return -1;
    bool there = PQgetvalue(r, 0, 0)[0] != '0';
    PQclear(r);
    if (there) return 0;
    r = PQprepare(c, name, sql, nparams, NULL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) od_db_seterr(c, r);
    PQclear(r);
    return ok ? 0 : -1;
}

PGresult *od_stmt_exec(PGconn *c, const char *sql, int nparams, const char *const *params)
{
    uint64_t h = hash_of(sql);
    int pid = PQbackendPID(c);
    char name[24];
    snprintf(name, sizeof name, "od_s%016llx", (unsigned long long)h);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!is_known(c, pid, h)) {
            if (prepare(c, name, sql, nparams) < 0) return NULL;
            remember(c, pid, h);
        }
        PGresult *r = PQexecPrepared(c, name, nparams, params, NULL, NULL, 0);
        ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return r;
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        od_db_seterr(c, r);
        bool gone = state && strcmp(state, "26000") == 0; /* deallocated behind our back */
        PQclear(r);
        if (!gone) return NULL;
        forget(c);
        if (PQtransactionStatus(c) != PQTRANS_IDLE) return NULL; /* the transaction failed */
    }
    return NULL;
}
