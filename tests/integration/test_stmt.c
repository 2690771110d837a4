/* test_stmt — od_stmt_exec prepares a statement once per connection and runs it again without
 * preparing; another connection prepares its own; a statement deallocated behind its back is
 * prepared again (outside a transaction) or reported (inside one, which then rolls back
 * cleanly); errors read like od_db_exec's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/db/stmt.h"
#include "tests/lib/testdb.h"
#include <stdlib.h>
#include <string.h>

static char *url;
static const char twice_sql[] = "SELECT $1::int * 2";

static PGconn *connect_one(struct od_config *cfg)
{
    testdb_config(cfg, url);
    PGconn *c = od_db_connect(cfg, "stmt-test");
    assert_non_null(c);
    return c;
}

/* How many statements this connection holds (pg_prepared_statements is per session). */
static int held(PGconn *c)
{
    char *v = testdb_q1(c, "SELECT count(*) FROM pg_prepared_statements", NULL);
    int n = atoi(v);
    free(v);
    return n;
}

static int twice(PGconn *c, const char *x)
{
    PGresult *r = od_stmt_exec(c, twice_sql, 1, (const char *const[]){x});
    if (!r) return -1;
    int v = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void test_prepared_once_per_connection(void **state)
{
    (void)state;
    struct od_config cfg1, cfg2;
    PGconn *a = connect_one(&cfg1), *b = connect_one(&cfg2);
    assert_int_equal(held(a), 0);
    assert_int_equal(twice(a, "21"), 42);
    assert_int_equal(held(a), 1);
    for (int i = 0; i < 10; i++)
        assert_int_equal(twice(a, "5"), 10);
    assert_int_equal(held(a), 1); /* run again, never prepared again */
    PGresult *n = od_stmt_exec(a, twice_sql, 1, (const char *const[]){NULL});
    assert_non_null(n);
    assert_true(PQgetisnull(n, 0, 0)); /* SQL NULL in, NULL out */
    PQclear(n);
    assert_int_equal(held(b), 0); /* the other connection holds nothing yet */
    assert_int_equal(twice(b, "4"), 8);
    assert_int_equal(held(b), 1);
    /* a second text is a second statement */
    PGresult *r = od_stmt_exec(a, "SELECT $1::text || '!'", 1, (const char *const[]){"hi"});
    assert_non_null(r);
    assert_string_equal(PQgetvalue(r, 0, 0), "hi!");
    PQclear(r);
    assert_int_equal(held(a), 2);
    PQfinish(a);
    PQfinish(b);
    od_config_release(&cfg1);
    od_config_release(&cfg2);
}

static void test_deallocated_behind_its_back(void **state)
{
    (void)state;
    struct od_config cfg;
    PGconn *c = connect_one(&cfg);
    assert_int_equal(twice(c, "1"), 2);
    assert_int_equal(od_db_cmd(c, "DEALLOCATE ALL", 0, NULL), 0);
    assert_int_equal(twice(c, "3"), 6); /* outside a transaction: prepared again */
    assert_int_equal(held(c), 1);
    assert_int_equal(od_db_cmd(c, "DEALLOCATE ALL", 0, NULL), 0);
    assert_int_equal(od_db_begin(c), 0);
    assert_int_equal(twice(c, "3"), -1); /* inside one: reported, the transaction failed */
    assert_non_null(strstr(od_err(), "database error:"));
    assert_int_equal(PQtransactionStatus(c), PQTRANS_INERROR);
    od_db_rollback(c);
    assert_int_equal(twice(c, "7"), 14); /* and the next call prepares it again */
    PQfinish(c);
    od_config_release(&cfg);
}

static void test_inside_a_transaction_and_errors(void **state)
{
    (void)state;
    struct od_config cfg;
    PGconn *c = connect_one(&cfg);
    assert_int_equal(od_db_begin(c), 0);
    assert_int_equal(twice(c, "8"), 16); /* first use inside a transaction: prepared there */
    assert_int_equal(od_db_commit(c), 0);
    assert_int_equal(twice(c, "9"), 18);
    /* a statement that cannot be prepared: od_db_exec's error, nothing remembered */
    assert_null(
        od_stmt_exec(c, "SELECT * FROM no_such_table WHERE x = $1", 1, (const char *const[]){"1"}));
    assert_non_null(strstr(od_err(), "no_such_table"));
    assert_null(
        od_stmt_exec(c, "SELECT * FROM no_such_table WHERE x = $1", 1, (const char *const[]){"1"}));
    assert_non_null(strstr(od_err(), "no_such_table"));
    /* an execution error (bad parameter) leaves the statement prepared and usable */
    assert_int_equal(twice(c, "not a number"), -1);
    assert_non_null(strstr(od_err(), "invalid input syntax"));
    assert_int_equal(twice(c, "10"), 20);
    assert_int_equal(held(c), 1);
    PQfinish(c);
    od_config_release(&cfg);
}

int main(void)
{
    url = testdb_create("stmt");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepared_once_per_connection),
        cmocka_unit_test(test_deallocated_behind_its_back),
        cmocka_unit_test(test_inside_a_transaction_and_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    testdb_drop(url);
    free(url);
    return rc;
}
