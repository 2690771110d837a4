/* db — a bounded pool of libpq connections shared by threads (one connection per thread at a
 * time), plus small helpers for parameterised queries.
 *
 *   struct od_pool *p = od_pool_open(cfg, "opsdeck");   // NULL + od_err() on failure
 *   PGconn *c = od_pool_acquire(p, timeout_ms);         // NULL + od_err(): timeout/unreachable
 *   ... PQexecParams(c, ...) ...
 *   od_pool_release(p, c);   // a broken connection or one left inside a transaction is replaced
 *   od_pool_close(p);
 *
 * Each connection has application_name, statement_timeout, lock_timeout and
 * idle_in_transaction_session_timeout set; connecting has its own deadline
 * (connect_timeout_s), so an unreachable database is reported in seconds, never a hang.
 * Connections are made lazily up to pool_size. */
#ifndef OD_DB_H
#define OD_DB_H
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct od_config;

struct od_pool_stats {
    int size;    /* configured maximum */
    int open;    /* connections currently open */
    int in_use;  /* handed out */
    int idle;    /* open and free */
    int waiting; /* threads waiting in acquire */
    uint64_t acquired, timeouts, replaced, connect_failures;
    uint64_t wait_us_total, wait_us_max;
    /* histogram of acquire wait: <0.1ms, <1ms, <10ms, <100ms, <1s, >=1s */
    uint64_t wait_hist[6];
};

struct od_pool;

struct od_pool *od_pool_open(const struct od_config *cfg, const char *application_name);
/* timeout_ms < 0 (OD_POOL_WAIT_DEFAULT): the configured database.acquire_timeout_ms. */
#define OD_POOL_WAIT_DEFAULT (-1)
PGconn *od_pool_acquire(struct od_pool *pool, int timeout_ms);
void od_pool_release(struct od_pool *pool, PGconn *conn);
void od_pool_close(struct od_pool *pool);
void od_pool_get_stats(struct od_pool *pool, struct od_pool_stats *out);

/* One standalone connection (listener, migrations) with the same settings and deadline.
 * NULL with od_err() "cannot connect to the database: REASON (database.url URL)": libpq's
 * reason first, the URL without its password. */
PGconn *od_db_connect(const struct od_config *cfg, const char *application_name);
/* Can the database be reached now? Connects once (connect_timeout_s) and disconnects. 0 when
 * it answered; -1 with libpq's reason alone (one line, passwords taken out) in reason and
 * od_err() as od_db_connect sets it. */
int od_db_ping(const struct od_config *cfg, char *reason, size_t n);
/* How many connection attempts of this process failed (any thread, od_db_ping's too); lets a
 * command's caller add advice on where the database URL came from (cmd/hint.c). */
int od_db_connect_failures(void);
/* The message of the last failed connection attempt, copied into buf: "" when none failed or
 * a later attempt (od_db_connect, od_db_ping) worked. */
void od_db_last_connect_error(char *buf, size_t n);

/* Helpers. All take NULL-terminated string params (NULL = SQL NULL).
 * od_db_exec: command or query; returns the PGresult on success (caller PQclear()s), NULL
 * with od_seterr (message includes the server's) on failure. */
PGresult *od_db_exec(PGconn *c, const char *sql, int nparams, const char *const *params);
/* od_seterr "database error: MESSAGE" from r's error (c's when r is NULL); returns -1. */
int od_db_seterr(PGconn *c, const PGresult *r);
/* Same, for statements whose result is not needed: 0 ok, -1 error. */
int od_db_cmd(PGconn *c, const char *sql, int nparams, const char *const *params);
int od_db_begin(PGconn *c);
int od_db_commit(PGconn *c);
void od_db_rollback(PGconn *c);

/* Columns and parameters; both return a new string (caller frees). */
/* The text of a column; NULL when it is SQL NULL. */
char *od_db_text(const PGresult *r, int row, int col);
/* The bigint[] parameter literal of v[0..n): "{1,2,3}", "{}" when n is 0. */
char *od_db_bigint_array(const int64_t *v, size_t n);

#endif
