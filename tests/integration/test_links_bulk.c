/* test_links_bulk — the links CSV import as an attacker would feed it (run under ASan by the
 * runner's sanitizer variant): NUL bytes, invalid UTF-8, broken quotes, CR-only lines, huge
 * fields, too many rows, random bytes. Every bad row gives exactly one "LABEL:LINE:" error, the
 * import is all-or-nothing, and nothing crashes or leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/domain/links_bulk.h"
#include "tests/lib/testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *url;
static struct od_config cfg; /* the pool borrows it */
static struct od_pool *pool;

static int setup(void **state)
{
    (void)state;
    if (!testdb_available()) return 0;
    url = testdb_create("links_bulk");
    testdb_config(&cfg, url);
    pool = od_pool_open(&cfg, "links-bulk-test");
    assert_non_null(pool);
    PGconn *c = od_pool_acquire(pool, 5000);
    assert_non_null(c);
    static const char *const seed[] = {
        "INSERT INTO harvest_clients (id, name, updated_at) VALUES (101, 'A', now()),"
        " (102, 'B', now())",
        "INSERT INTO harvest_projects (id, client_id, name, updated_at) VALUES (201, 101, 'P',"
        " now())",
        "INSERT INTO hubspot_companies (id, name, updated_at) VALUES (9001, 'A', now())",
        "INSERT INTO hubspot_deals (id, name, updated_at) VALUES (8001, 'D', now())",
    };
    for (size_t i = 0; i < sizeof seed / sizeof seed[0]; i++)
        assert_int_equal(od_db_cmd(c, seed[i], 0, NULL), 0);
    od_pool_release(pool, c);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (pool) od_pool_close(pool);
    if (url) {
        testdb_drop(url);
        free(url);
    }
    return 0;
}

static int links_rows(void)
{
    PGconn *c = od_pool_acquire(pool, 5000);
    PGresult *r = od_db_exec(
        c, "SELECT (SELECT count(*) FROM client_links) + (SELECT count(*) FROM project_links)", 0,
        NULL);
    int n = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    od_pool_release(pool, c);
    return n;
}

/* Import (dry run unless apply); returns rc, *nerr = error lines starting with "f.csv:". */
static int import(const char *data, size_t len, bool apply, int *nerr, struct strbuf *errs)
{
    struct od_links_import res;
    int rc = od_links_import_csv(pool, "f.csv", data, len, !apply, "test", &res);
    *nerr = 0;
    for (const char *p = sb_str(&res.errors); *p; p = strchr(p, '\n') + 1) {
        assert_int_equal(strncmp(p, "f.csv:", 6), 0); /* every message names the file */
        (*nerr)++;
    }
    assert_int_equal(*nerr, res.bad);
    if (errs) sb_add(errs, sb_str(&res.errors));
    od_links_import_release(&res);
    return rc;
}

#define H OD_LINKS_CSV_HEADER "\n"

static void test_hostile_rows(void **state)
{
    (void)state;
    if (!pool) skip();
    static const struct {
        const char *data;
        size_t len; /* 0: strlen */
        int rc, nerr;
    } cases[] = {
        {H "client_company,101,9001\n", 0, 0, 0},
        {H "client_company,101,9001", 0, 0, 0}, /* no final newline */
        {H "client_company,101,\"9001\"\r\n", 0, 0, 0},
        {"\xef\xbb\xbf" H "project_deal,201,8001\n", 0, 0, 0},
        {H "client_company,101,9001\n\n", 0, 1, 1},
        {H "client_company,1\0001,9001\n", sizeof(H) - 1 + 24, 1, 1},
        {H "client_company,101,90\xff\n", 0, 1, 1},
        {H "client_company,101,\xc0\xaf\n", 0, 1, 1}, /* overlong "/" */
        {H "client_company,\"101,9001\n", 0, 1, 1},
        {H "client_company,1\"0\"1,9001\n", 0, 1, 1},
        {H "client_company,\"101\"x,9001\n", 0, 1, 1},
        {H ",,\n,,,\n,\n\r\n\r\r\n", 0, 1, 5},
        {H "client_company,101,9001,\n", 0, 1, 1},
        {H "client_company,101,9001\nclient_company,101,9001\nclient_company,101,\n", 0, 1, 2},
        {H "client_company,101,9001\nproject_deal,101,8001\n", 0, 1, 1}, /* no project 101 */
        {H "client_company,9007199254740992,9001\n", 0, 1, 1},
        {H "client_company,-5,9001\nclient_company, 101,9001\n", 0, 1, 2},
        {"kind,harvest_id,hubspot_id,\n", 0, 1, 1},
        {"\n" H, 0, 1, 1},
        {"\r", 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int nerr;
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].data);
        struct strbuf errs = STRBUF_INIT;
        int rc = import(cases[i].data, len, false, &nerr, &errs);
        if (rc != cases[i].rc || nerr != cases[i].nerr)
            print_error("case %zu: rc %d errors %d:\n%s", i, rc, nerr, sb_str(&errs));
        assert_int_equal(rc, cases[i].rc);
        assert_int_equal(nerr, cases[i].nerr);
        sb_release(&errs);
    }
    assert_int_equal(links_rows(), 0); /* dry runs and bad files apply nothing */
}

static void test_sizes(void **state)
{
    (void)state;
    if (!pool) skip();
    struct strbuf sb = STRBUF_INIT;
    int nerr;
    /* a huge field: one error, the field shown cut */
    sb_add(&sb, H "client_company,");
    for (int i = 0; i < 200000; i++)
        sb_addch(&sb, '7');
    sb_add(&sb, ",9001\n");
    struct strbuf errs = STRBUF_INIT;
    assert_int_equal(import(sb.buf, sb.len, true, &nerr, &errs), 1);
    assert_int_equal(nerr, 1);
    assert_true(errs.len < 200);
    sb_release(&errs);
    /* too many rows: one error at the first row beyond the limit */
    sb_reset(&sb);
    sb_add(&sb, H);
    for (int i = 0; i <= OD_LINKS_IMPORT_MAX_ROWS; i++)
        sb_add(&sb, "client_company,101,9001\n");
    assert_int_equal(import(sb.buf, sb.len, true, &nerr, &errs), 1);
    assert_non_null(strstr(sb_str(&errs), "f.csv:100002: more than 100000 rows"));
    sb_release(&errs);
    /* more than the byte limit */
    sb_reset(&sb);
    sb_add(&sb, H);
    while (sb.len <= OD_LINKS_IMPORT_MAX_BYTES)
        sb_add(&sb, "project_deal,201,8001\n");
    assert_int_equal(import(sb.buf, sb.len, true, &nerr, NULL), 1);
    assert_int_equal(nerr, 1);
    assert_int_equal(links_rows(), 0);
    sb_release(&sb);
}

/* Random lines over an alphabet of the bytes that matter: never a crash, never a partial apply,
 * one error per bad line. */
static void test_random(void **state)
{
    (void)state;
    if (!pool) skip();
    static const char alphabet[] =
        ",,,\"\r\n\n\0\xff\xc3\xa9 0123456789_client_company_project_deal";
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 300; round++) {
        struct strbuf sb = STRBUF_INIT;
        sb_add(&sb, round % 3 ? H : "");
        int n = (int)(x % 200);
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sb_addch(&sb, alphabet[x % (sizeof alphabet - 1)]);
        }
        int nerr;
        int rc = import(sb.buf ? sb.buf : "", sb.len, round % 2 == 0, &nerr, NULL);
        assert_true(rc == 0 || rc == 1);
        assert_true(rc == 0 ? nerr == 0 : nerr > 0);
        sb_release(&sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_rows),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
