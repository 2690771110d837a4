/* test_entries — the time-entry writer against a real PostgreSQL, the way a sync pass drives
 * it: several pages in one transaction (each page seeing the ones before it), the rollup sums
 * applied once before the commit, then checked against a recomputation from the raw rows.
 * Covers new rows, an entry repeated on a later page with a newer version (in place and moved
 * to another month), an older version (ignored), a page whose ids are far apart (looked up one
 * by one instead of by range), a bad record (dead letter, the page goes on), a rolled-back
 * transaction (nothing stays), a second connection (prepares its own lookup), references
 * to a project that is not here (stored, a full projects sync queued once, the cache asked),
 * and the day rollups of listed months: entries moved in and out of them, a month listed by
 * the policy in the transaction that makes it qualify, one listed behind the delta's back, and
 * a soft delete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/connectors/entries.h"
#include "core/base/cache.h"
#include "core/connectors/harvest_parse.h"
#include "core/connectors/refs.h"
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "tests/lib/testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *url;
static struct od_config cfg;
static PGconn *db;
static char job_id[24];

struct e {
    int64_t id;
    const char *date, *hours, *upd;
    int project; /* client = project / 10, user = project % 7 + 1 */
    bool billable;
};

/* A Harvest time-entries page of es[0..n); bad (when set) adds a record without a project. */
static char *page_json(const struct e *es, size_t n, bool bad)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "{\"time_entries\":[");
    for (size_t i = 0; i < n; i++) {
        const struct e *x = &es[i];
        sb_addf(&sb,
                "%s{\"id\":%lld,\"spent_date\":\"%s\",\"user\":{\"id\":%d},\"client\":{\"id\":%d},"
                "\"project\":{\"id\":%d},\"task\":{\"id\":1},\"hours\":%s,\"rounded_hours\":%s,"
                "\"billable\":%s,\"billable_rate\":%s,\"cost_rate\":60.0,\"notes\":\"n\","
                "\"updated_at\":\"%s\"}",
                i ? "," : "", (long long)x->id, x->date, x->project % 7 + 1, x->project / 10,
                x->project, x->hours, x->hours, x->billable ? "true" : "false",
                x->billable ? "150.0" : "null", x->upd);
    }
    if (bad)
        sb_addf(&sb,
                "%s{\"id\":999999,\"spent_date\":\"2026-01-05\",\"user\":{\"id\":1},"
                "\"client\":{\"id\":1},\"hours\":1.0,\"updated_at\":\"2026-01-05T10:00:00Z\"}",
                n ? "," : "");
    sb_add(&sb, "],\"total_entries\":1,\"links\":{\"next\":null}}");
    return sb_detach(&sb);
}

/* Open a writer's transaction on c, as the sync pass does. */
static void begin(PGconn *c)
{
    assert_int_equal(od_db_begin(c), 0);
    assert_int_equal(od_rollup_lock(c), 0);
}

/* Store one page into the open transaction on c, as the sync pass does. */
static void store_page(PGconn *c, struct od_rollup_delta *d, const struct e *es, size_t n, bool bad)
{
    const struct od_resource *res = od_harvest_resource("time_entries");
    char *json = page_json(es, n, bad);
    struct od_harvest_page hp;
    assert_int_equal(od_harvest_page_parse(res, json, strlen(json), &hp), 0);
    struct od_batch b;
    od_batch_init(&b, res);
    od_batch_add_page(&b, hp.doc, hp.records);
    assert_int_equal(b.ndead, bad ? 1 : 0);
    struct od_store_result sr;
    if (od_entries_store(c, &b, strtoll(job_id, NULL, 10), d, &sr) < 0) fail_msg("%s", od_err());
    od_batch_release(&b);
    od_harvest_page_release(&hp);
    free(json);
}

static void commit(PGconn *c, struct od_rollup_delta *d)
{
    if (od_rollup_delta_apply(c, d) < 0) fail_msg("%s", od_err());
    assert_int_equal(od_db_commit(c), 0);
}

static long long num(const char *sql)
{
    PGresult *r = od_db_exec(db, sql, 0, NULL);
    if (!r) fail_msg("%s", od_err());
    long long v = PQgetisnull(r, 0, 0) ? -1 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

static char *text(const char *sql)
{
    PGresult *r = od_db_exec(db, sql, 0, NULL);
    if (!r) fail_msg("%s", od_err());
    char *v = od_xstrdup(PQgetisnull(r, 0, 0) ? "NULL" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* Rollups equal the raw rows (the rebuild's own comparison), and no entry has two rows. */
static void assert_consistent(void)
{
    struct od_rollup_diff diffs[OD_ROLLUP_TABLES];
    int64_t n = od_rollup_rebuild(db, false, diffs);
    for (int i = 0; i < OD_ROLLUP_TABLES; i++)
        if (diffs[i].differing) print_error("%s differs at %s\n", diffs[i].table, diffs[i].example);
    assert_int_equal(n, 0);
    assert_int_equal(num("SELECT count(*) - count(DISTINCT id) FROM harvest_time_entries"), 0);
    assert_int_equal(num("SELECT count(*) FROM harvest_time_entries_default"), 0);
}

static int setup(void **state)
{
    (void)state;
    od_log_open(NULL, OD_LOG_WARN, 0, 0);
    url = testdb_create("entries");
    testdb_config(&cfg, url);
    db = od_db_connect(&cfg, "test-entries");
    assert_non_null(db);
    PGresult *r = od_db_exec(db,
                             "INSERT INTO sync_jobs (provider, resource) VALUES ('harvest', "
                             "'time_entries') RETURNING id",
                             0, NULL);
    assert_non_null(r);
    snprintf(job_id, sizeof job_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    PQfinish(db);
    testdb_drop(url);
    free(url);
    return 0;
}

static void many_pages_one_transaction(void **state)
{
    (void)state;
    struct e p1[40], p2[40];
    char dates[40][11];
    for (int i = 0; i < 40; i++) {
        snprintf(dates[i], sizeof dates[i], "2026-01-%02d", i % 28 + 1);
        p1[i] = (struct e){1000 + i, dates[i], "1.50", "2026-01-30T10:00:00Z", 11 + i % 5, i % 3};
        p2[i] = (struct e){1040 + i, dates[i], "2.25", "2026-01-30T10:00:00Z", 21 + i % 4, i % 2};
    }
    /* Later pages repeat entries of page 1: newer in place (1005), newer and moved to February
     * (1006), older (1007, ignored), and the same version again (1008, a replay). */
    struct e p3[] = {
        {1005, dates[5], "7.00", "2026-02-01T09:00:00Z", 11, true},
        {1006, "2026-02-14", "3.00", "2026-02-01T09:00:00Z", 12, true},
        {1007, dates[7], "9.99", "2026-01-01T00:00:00Z", 13, false},
        {1008, dates[8], "1.50", "2026-01-30T10:00:00Z", 14, false},
        {1100, "2026-02-15", "4.00", "2026-02-01T09:00:00Z", 15, true},
    };
    struct od_rollup_delta *d = od_rollup_delta_new();
    begin(db);
    store_page(db, d, p1, 40, false);
    store_page(db, d, p2, 40, true);
    store_page(db, d, p3, OD_ARRAY_LEN(p3), false);
    assert_true(od_rollup_delta_keys(d) > 0);
    commit(db, d);
    assert_int_equal(num("SELECT count(*) FROM harvest_time_entries"), 81);
    char *s = text("SELECT hours::text FROM harvest_time_entries WHERE id = 1005");
    assert_string_equal(s, "7.00");
    free(s);
    s = text("SELECT spent_date::text FROM harvest_time_entries WHERE id = 1006");
    assert_string_equal(s, "2026-02-14");
    free(s);
    s = text("SELECT hours::text FROM harvest_time_entries WHERE id = 1007");
    assert_string_equal(s, "1.50");
    free(s);
    assert_int_equal(num("SELECT count(*) FROM sync_dead_letters WHERE record_id = '999999'"), 1);
    assert_consistent();
    /* Expected by hand: 40 × 1.50 + 40 × 2.25 + 5.50 more for 1005 + 1.50 more for 1006 + 4. */
    s = text("SELECT sum(hours)::text FROM profit_rollup_client_month");
    assert_string_equal(s, "161.00");
    free(s);

    /* A page whose ids are far apart (the range holds far more rows than the page): looked up
     * one by one. 1079 moves to March; 1078 is newer in place; 500 is new. (A range scan
     * cut at its limit would miss 1078 and 1079 and store them twice.) */
    struct e p4[] = {
        {1078, dates[38], "0.25", "2026-03-05T09:00:00Z", 12, false},
        {1079, "2026-03-02", "2.00", "2026-03-05T09:00:00Z", 11, true},
        {500, "2026-03-03", "1.00", "2026-03-05T09:00:00Z", 13, true},
    };
    begin(db);
    store_page(db, d, p4, OD_ARRAY_LEN(p4), false);
    commit(db, d);
    assert_int_equal(num("SELECT count(*) FROM harvest_time_entries"), 82);
    assert_int_equal(num("SELECT count(*) FROM harvest_time_entries WHERE id = 1079 AND "
                         "spent_date = '2026-03-02'"),
                     1);
    s = text("SELECT hours::text FROM harvest_time_entries WHERE id = 1078");
    assert_string_equal(s, "0.25");
    free(s);
    assert_consistent();
    od_rollup_delta_free(d);
}

static void rolled_back_transaction_leaves_nothing(void **state)
{
    (void)state;
    char *before =
        text("SELECT sum(hours)::text || '/' || count(*) FROM profit_rollup_project_month");
    long long rows = num("SELECT count(*) FROM harvest_time_entries");
    struct e p[] = {
        {1012, "2026-01-20", "8.00", "2026-04-01T09:00:00Z", 11, true},
        {7000000, "2026-04-02", "3.00", "2026-04-01T09:00:00Z", 14, true},
    };
    struct od_rollup_delta *d = od_rollup_delta_new();
    begin(db);
    store_page(db, d, p, OD_ARRAY_LEN(p), false);
    od_db_rollback(db);
    od_rollup_delta_free(d); /* what the pass does on failure: the sums go with the rows */
    char *after =
        text("SELECT sum(hours)::text || '/' || count(*) FROM profit_rollup_project_month");
    assert_string_equal(before, after);
    assert_int_equal(num("SELECT count(*) FROM harvest_time_entries"), rows);
    free(before);
    free(after);
    assert_consistent();
}

static void second_connection_prepares_its_own_lookup(void **state)
{
    (void)state;
    PGconn *c2 = od_db_connect(&cfg, "test-entries-2");
    assert_non_null(c2);
    struct e p[] = {
        {1013, "2026-01-21", "5.00", "2026-05-01T09:00:00Z", 11, true},
        {1014, "2026-05-02", "1.00", "2026-05-01T09:00:00Z", 12, false},
    };
    struct od_rollup_delta *d = od_rollup_delta_new();
    begin(c2);
    store_page(c2, d, p, OD_ARRAY_LEN(p), false);
    if (od_rollup_delta_apply(c2, d) < 0) fail_msg("%s", od_err());
    assert_int_equal(od_db_commit(c2), 0);
    od_rollup_delta_free(d);
    PQfinish(c2);
    char *s = text("SELECT hours::text || ' ' || spent_date FROM harvest_time_entries "
                   "WHERE id = 1014");
    assert_string_equal(s, "1.00 2026-05-02");
    free(s);
    assert_consistent();
}

static void cache_of(const struct od_cache_stats *st, void *ud)
{
    if (strcmp(st->name, "harvest.projects") == 0) *(struct od_cache_stats *)ud = *st;
}

/* Entries naming a project that is not here are stored all the same, and one full projects
 * sync is queued (in the page's transaction); known references come from the cache. */
static void unknown_reference_queues_a_catch_up(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "INSERT INTO harvest_clients (id, name, updated_at) VALUES (77, 'c', now())",
        "INSERT INTO harvest_users (id, updated_at) VALUES (8, now()), (1, now())",
        "INSERT INTO harvest_projects (id, client_id, name, updated_at) VALUES (770, 77, 'p', "
        "now())",
    };
    for (size_t i = 0; i < OD_ARRAY_LEN(rows); i++)
        if (od_db_cmd(db, rows[i], 0, NULL) < 0) fail_msg("%s", od_err());
    /* earlier tests named projects, clients and users that are not here: forget their jobs */
    if (od_db_cmd(db, "DELETE FROM sync_jobs WHERE unique_key LIKE 'sync:harvest:%:full'", 0,
                  NULL) < 0)
        fail_msg("%s", od_err());
    const char *jobs = "SELECT count(*) FROM sync_jobs WHERE resource = 'projects' AND "
                       "unique_key = 'sync:harvest:projects:full' AND args->>'full' = 'true' "
                       "AND state = 'available'";
    /* project 770 (client 77, user 8) is known; 779 (client 77, user 1) is not */
    struct e p[] = {
        {2001, "2026-01-02", "1.00", "2026-06-01T09:00:00Z", 770, true},
        {2002, "2026-01-03", "2.00", "2026-06-01T09:00:00Z", 779, true},
    };
    struct od_rollup_delta *d = od_rollup_delta_new();
    begin(db);
    store_page(db, d, p, OD_ARRAY_LEN(p), false);
    commit(db, d);
    assert_int_equal(num("SELECT count(*) FROM harvest_time_entries WHERE id IN (2001, 2002)"), 2);
    assert_int_equal(num(jobs), 1);
    assert_int_equal(num("SELECT count(*) FROM sync_jobs WHERE unique_key IN "
                         "('sync:harvest:clients:full', 'sync:harvest:users:full')"),
                     0);
    struct od_cache_stats st0 = {0}, st1 = {0};
    od_cache_foreach(cache_of, &st0);
    assert_string_equal(st0.name, "harvest.projects");
    /* again: both answered by the cache (779 was asked for a moment ago), no second job */
    struct e q[] = {
        {2003, "2026-01-04", "1.00", "2026-06-01T09:00:00Z", 770, false},
        {2004, "2026-01-05", "1.00", "2026-06-01T09:00:00Z", 779, false},
    };
    begin(db);
    store_page(db, d, q, OD_ARRAY_LEN(q), false);
    commit(db, d);
    od_cache_foreach(cache_of, &st1);
    assert_true(st1.hits >= st0.hits + 2);
    assert_int_equal(st1.misses, st0.misses);
    assert_true(st1.entries <= st1.max_entries && st1.bytes <= st1.max_bytes);
    assert_int_equal(num(jobs), 1);
    /* a page naming another unknown project, rolled back: its catch-up went with it, and the
     * next try (after od_refs_settle, as the writer does) queues it again at once */
    if (od_db_cmd(db, "DELETE FROM sync_jobs WHERE unique_key LIKE 'sync:harvest:%:full'", 0,
                  NULL) < 0)
        fail_msg("%s", od_err());
    struct e u[] = {{2005, "2026-01-06", "1.00", "2026-06-01T09:00:00Z", 881, true}};
    begin(db);
    store_page(db, d, u, 1, false);
    od_db_rollback(db);
    od_refs_settle(false);
    od_rollup_delta_free(d);
    d = od_rollup_delta_new();
    assert_int_equal(num(jobs), 0);
    begin(db);
    store_page(db, d, u, 1, false);
    commit(db, d);
    od_refs_settle(true);
    assert_int_equal(num(jobs), 1);
    od_rollup_delta_free(d);
    assert_consistent();
}

static void run_sql(const char *sql)
{
    if (od_db_cmd(db, sql, 0, NULL) < 0) fail_msg("%s: %s", sql, od_err());
}

/* Day rows (sql/0014) of listed months follow every change, in both writer modes: with
 * od_rollup_delta_begin (day sums kept for listed months only) and without (every day summed,
 * the apply sorts it out). */
static void day_rollups_follow_listed_months(void **state) /* and dekad rollups */
{
    (void)state;
    struct od_rollup_delta *d = od_rollup_delta_new();
    /* February listed by hand (no month qualifies by the policy here), built by the rebuild */
    run_sql("UPDATE profit_rollup_daily_policy SET min_entries = 1000000000");
    run_sql("INSERT INTO profit_rollup_daily_months (month) VALUES ('2026-02-01')");
    struct od_rollup_diff diffs[OD_ROLLUP_TABLES];
    assert_true(od_rollup_rebuild(db, true, diffs) > 0);
    assert_true(num("SELECT count(*) FROM profit_rollup_client_day") > 0);
    assert_int_equal(num("SELECT count(*) FROM profit_rollup_client_day WHERE day < '2026-02-01' "
                         "OR day >= '2026-03-01'"),
                     0);
    assert_consistent();
    /* begin mode: into February from January (1010), out of it to March (1006), newer in place
     * (1100), new (3001, 3002 on one day and key), an older version (1005: ignored) */
    struct e p[] = {
        {1010, "2026-02-03", "2.00", "2026-07-01T09:00:00Z", 11, true},
        {1006, "2026-03-09", "3.00", "2026-07-01T09:00:00Z", 12, true},
        {1100, "2026-02-15", "6.00", "2026-07-01T09:00:00Z", 15, false},
        {3001, "2026-02-20", "1.00", "2026-07-01T09:00:00Z", 16, true},
        {3002, "2026-02-20", "0.75", "2026-07-01T09:00:00Z", 16, true},
        {1005, "2026-02-21", "9.00", "2026-01-01T09:00:00Z", 11, true},
    };
    assert_int_equal(od_db_begin(db), 0);
    assert_int_equal(od_rollup_delta_begin(db, d), 0);
    store_page(db, d, p, OD_ARRAY_LEN(p), false);
    commit(db, d);
    assert_consistent();
    assert_int_equal(num("SELECT entries FROM profit_rollup_project_day WHERE project_id = 16 "
                         "AND day = '2026-02-20'"),
                     2);
    /* and its dekad: the 11th to the 20th */
    assert_int_equal(num("SELECT entries FROM profit_rollup_project_dekad WHERE project_id = 16 "
                         "AND dekad = '2026-02-11'"),
                     2);
    /* lock-only mode: February out to January and back in on another day */
    struct e q[] = {
        {3001, "2026-01-20", "1.00", "2026-07-02T09:00:00Z", 16, true},
        {1010, "2026-02-04", "2.00", "2026-07-02T09:00:00Z", 11, true},
    };
    begin(db);
    store_page(db, d, q, OD_ARRAY_LEN(q), false);
    commit(db, d);
    assert_consistent();
    /* the policy lists June in the transaction whose entries make it qualify (built from the raw
     * rows, this transaction's included); the next transaction adds to its day rows */
    run_sql("UPDATE profit_rollup_daily_policy SET min_entries = 3, min_entries_per_project = 1");
    struct e j1[] = {
        {4001, "2026-06-01", "1.00", "2026-07-03T09:00:00Z", 11, true},
        {4002, "2026-06-02", "1.00", "2026-07-03T09:00:00Z", 11, true},
        {4003, "2026-06-02", "1.00", "2026-07-03T09:00:00Z", 12, false},
    };
    struct e j2[] = {
        {4004, "2026-06-02", "4.00", "2026-07-03T09:00:00Z", 11, true},
        {4001, "2026-06-30", "1.00", "2026-07-04T09:00:00Z", 11, true},
    };
    assert_int_equal(od_db_begin(db), 0);
    assert_int_equal(od_rollup_delta_begin(db, d), 0);
    store_page(db, d, j1, OD_ARRAY_LEN(j1), false);
    commit(db, d);
    assert_int_equal(num("SELECT count(*) FROM profit_rollup_daily_months WHERE month = "
                         "'2026-06-01'"),
                     1);
    assert_consistent();
    assert_int_equal(od_db_begin(db), 0);
    assert_int_equal(od_rollup_delta_begin(db, d), 0);
    store_page(db, d, j2, OD_ARRAY_LEN(j2), false);
    commit(db, d);
    assert_int_equal(num("SELECT entries FROM profit_rollup_client_day WHERE client_id = 1 AND "
                         "day = '2026-06-02'"),
                     3);
    /* 4001 moved from the first dekad to the last (the 21st to the month's end) */
    assert_int_equal(num("SELECT entries FROM profit_rollup_project_dekad WHERE project_id = 11 "
                         "AND dekad = '2026-06-21'"),
                     1);
    assert_int_equal(num("SELECT entries FROM profit_rollup_project_dekad WHERE project_id = 11 "
                         "AND dekad = '2026-06-01'"),
                     2);
    assert_consistent();
    /* March listed after the delta began (only possible without the lock held throughout):
     * its day rows are built from the raw rows, not left short */
    run_sql("UPDATE profit_rollup_daily_policy SET min_entries = 1000000000");
    struct e m[] = {{4005, "2026-03-10", "2.50", "2026-07-05T09:00:00Z", 13, true}};
    assert_int_equal(od_db_begin(db), 0);
    assert_int_equal(od_rollup_delta_begin(db, d), 0);
    run_sql("INSERT INTO profit_rollup_daily_months (month) VALUES ('2026-03-01')");
    store_page(db, d, m, OD_ARRAY_LEN(m), false);
    commit(db, d);
    assert_true(num("SELECT count(*) FROM profit_rollup_project_day WHERE day >= '2026-03-01' "
                    "AND day < '2026-04-01'") >= 3);
    assert_consistent();
    /* a soft delete (reconcile) of February's entries not seen: the day rows follow */
    int64_t deleted = 0;
    const int64_t seen[] = {1010};
    assert_int_equal(od_db_begin(db), 0);
    assert_int_equal(
        od_rollup_soft_delete(db, "2026-02-01", "2026-02-28", "2100-01-01", seen, 1, &deleted), 0);
    assert_int_equal(od_db_commit(db), 0);
    assert_true(deleted > 0);
    assert_int_equal(num("SELECT sum(entries) FROM profit_rollup_person_day WHERE day >= "
                         "'2026-02-01' AND day < '2026-03-01'"),
                     1);
    assert_consistent();
    run_sql("UPDATE profit_rollup_daily_policy SET min_entries = 15000, "
            "min_entries_per_project = 60");
    od_rollup_delta_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_pages_one_transaction),
        cmocka_unit_test(rolled_back_transaction_leaves_nothing),
        cmocka_unit_test(second_connection_prepares_its_own_lookup),
        cmocka_unit_test(unknown_reference_queues_a_catch_up),
        cmocka_unit_test(day_rollups_follow_listed_months),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
