/* stmt — statements parsed and planned once per connection, for queries a pooled connection
 * runs again and again (the profitability report, the time-entry lookup). Parsing and planning
 * the report cost more than running it (bench/RESULTS.md); a prepared statement pays them once
 * per connection, and PostgreSQL switches it to a generic plan when that plans no worse.
 *
 *   PGresult *r = od_stmt_exec(c, sql, n, params);   // like od_db_exec
 *
 * The statement is named after a hash of its text ("od_s" + 16 hex digits), so callers pass
 * text from a fixed set (built from constants, every value a $n parameter): each distinct text
 * stays prepared on every connection that ran it, for the connection's life. Which connections
 * hold which statements is remembered per thread (a connection is its handle and its server
 * process: a reconnect prepares again); a statement this thread has not seen on a connection is
 * looked up in pg_prepared_statements first, so another thread's preparation is reused and a
 * transaction is never aborted by preparing twice. Safe inside a transaction. */
#ifndef OD_STMT_H
#define OD_STMT_H
#include <libpq-fe.h>

/* Run sql (prepared on c first when needed) with params; the PGresult on success (caller
 * PQclear()s), NULL with od_seterr on failure, as od_db_exec. */
PGresult *od_stmt_exec(PGconn *c, const char *sql, int nparams, const char *const *params);

#endif
