/* testdb — fresh databases for C integration tests, on the private cluster the runner
 * started ($OPSDECK_TEST_PGHOST, $OPSDECK_TEST_PGUSER).
 *
 *   char *url = testdb_create("queue");   // empty database, migrated; caller frees
 *   ... od_config with database.url = url ...
 *   testdb_drop(url); free(url);
 * testdb_available() is false when the runner did not provide a cluster: tests then call
 * skip() — but the runner always provides one, so under `make test` nothing is skipped. */
#ifndef OD_TESTDB_H
#define OD_TESTDB_H
#include "core/base/config.h"

int testdb_available(void);
/* Create and migrate a fresh database; returns its URL (caller frees). Aborts on failure. */
char *testdb_create(const char *prefix);
/* Same without migrating. */
char *testdb_create_empty(const char *prefix);
void testdb_drop(const char *url);
/* Defaults + database.url = url (and short timeouts suitable for tests). */
void testdb_config(struct od_config *cfg, const char *url);
/* An integration test's end: close db and pool (either may be NULL), release cfg, drop the
 * database url names and free url, close the log. */
struct pg_conn;
struct od_pool;
void testdb_teardown(struct pg_conn *db, struct od_pool *pool, struct od_config *cfg, char *url);
/* The first column of the first row of sql with one optional text parameter (NULL: none), ""
 * when there is no row; caller frees. Aborts the test program when the query fails. */
char *testdb_q1(struct pg_conn *db, const char *sql, const char *param);

#endif
