/* test_harvest_parse — the real Harvest example payloads (tests/fixtures, copied from the API
 * docs) through the same parser and field tables the sync uses; bad records are refused with
 * a reason, never stored half-right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/connectors/fields.h"
#include "core/connectors/harvest_parse.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "tests/lib/fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_time_entries_page(void **state)
{
    size_t len;
    char *body = fixture_slurp("harvest_time_entries_list_response.json", &len);
    const struct od_resource *res = od_harvest_resource("time_entries");
    struct od_harvest_page pg;
    assert_int_equal(od_harvest_page_parse(res, body, len, &pg), 0);
    assert_true(pg.records->count >= 1);
    assert_true(pg.total_entries >= (int64_t)pg.records->count);
    struct od_row row = OD_ROW_INIT;
    struct strbuf reason = STRBUF_INIT, copy = STRBUF_INIT;
    int good = 0;
    for (const struct od_jv *r = od_jv_first(pg.records); r; r = od_jv_next(r)) {
        sb_reset(&reason);
        assert_int_equal(od_row_extract(&row, pg.doc, r, res->fields, res->nfields, &reason), 0);
        od_row_copy_line(&row, &copy);
        good++;
    }
    /* The first entry of the docs example, value by value. */
    const struct od_jv *first = od_jv_first(pg.records);
    assert_int_equal(od_row_extract(&row, pg.doc, first, res->fields, res->nfields, &reason), 0);
    assert_string_equal(fixture_col(res, &row, "id"), "636709355");
    assert_string_equal(fixture_col(res, &row, "spent_date"), "2017-03-02");
    assert_string_equal(fixture_col(res, &row, "user_id"), "1782959");
    assert_string_equal(fixture_col(res, &row, "client_id"), "5735774");
    assert_string_equal(fixture_col(res, &row, "project_id"), "14307913");
    assert_string_equal(fixture_col(res, &row, "task_id"), "8083365");
    assert_string_equal(fixture_col(res, &row, "hours"), "2.11");
    assert_string_equal(fixture_col(res, &row, "rounded_hours"), "2.25");
    assert_string_equal(fixture_col(res, &row, "billable"), "t");
    assert_string_equal(fixture_col(res, &row, "billable_rate"), "100.00");
    assert_string_equal(fixture_col(res, &row, "is_locked"), "t");
    assert_string_equal(fixture_col(res, &row, "updated_at"), "2017-06-27T16:47:14Z");
    assert_int_equal(good, (int)pg.records->count);
    assert_true(copy.len > 0);
    /* links.next of the last page is null */
    assert_null(pg.next);
    od_row_release(&row);
    sb_release(&reason);
    sb_release(&copy);
    od_harvest_page_release(&pg);
    free(body);
}

static void test_single_entry_and_other_resources(void **state)
{
    size_t len;
    struct od_row row = OD_ROW_INIT;
    struct strbuf reason = STRBUF_INIT;
    char *body = fixture_slurp("harvest_time_entry.json", &len);
    struct od_json *doc = od_json_parse(body, len);
    assert_non_null(doc);
    const struct od_resource *te = od_harvest_resource("time_entries");
    assert_int_equal(od_row_extract(&row, doc, od_json_root(doc), te->fields, te->nfields, &reason),
                     0);
    od_json_free(doc);
    free(body);

    body = fixture_slurp("harvest_client.json", &len);
    doc = od_json_parse(body, len);
    const struct od_resource *cl = od_harvest_resource("clients");
    assert_int_equal(od_row_extract(&row, doc, od_json_root(doc), cl->fields, cl->nfields, &reason),
                     0);
    assert_non_null(fixture_col(cl, &row, "name"));
    od_json_free(doc);
    free(body);

    const char *pages[][2] = {{"harvest_projects_list_response.json", "projects"},
                              {"harvest_users_list_response.json", "users"}};
    for (size_t k = 0; k < 2; k++) {
        body = fixture_slurp(pages[k][0], &len);
        const struct od_resource *res = od_harvest_resource(pages[k][1]);
        struct od_harvest_page pg;
        assert_int_equal(od_harvest_page_parse(res, body, len, &pg), 0);
        assert_true(pg.records->count > 0);
        for (const struct od_jv *r = od_jv_first(pg.records); r; r = od_jv_next(r)) {
            sb_reset(&reason);
            int rc = od_row_extract(&row, pg.doc, r, res->fields, res->nfields, &reason);
            if (rc) print_error("%s: %s\n", pages[k][1], sb_str(&reason));
            assert_int_equal(rc, 0);
        }
        od_harvest_page_release(&pg);
        free(body);
    }
    od_row_release(&row);
    sb_release(&reason);
}

static void test_pagination_links(void **state)
{
    size_t len;
    char *body = fixture_slurp("harvest_pagination_first_page.json", &len);
    const struct od_resource *res = od_harvest_resource("clients");
    struct od_harvest_page pg;
    assert_int_equal(od_harvest_page_parse(res, body, len, &pg), 0);
    assert_non_null(pg.next);
    assert_non_null(strstr(pg.next, "cursor="));
    assert_int_equal(pg.total_entries, 257);
    /* The docs placeholder records are strings: each is a bad record, not a crash. */
    struct od_row row = OD_ROW_INIT;
    struct strbuf reason = STRBUF_INIT;
    assert_int_equal(
        od_row_extract(&row, pg.doc, od_jv_first(pg.records), res->fields, res->nfields, &reason),
        -1);
    assert_non_null(strstr(sb_str(&reason), "not a JSON object"));
    od_harvest_page_release(&pg);
    free(body);
    body = fixture_slurp("harvest_pagination_last_page.json", &len);
    assert_int_equal(od_harvest_page_parse(res, body, len, &pg), 0);
    assert_null(pg.next);
    od_harvest_page_release(&pg);
    free(body);
    od_row_release(&row);
    sb_release(&reason);
}

static const char *bad_reason(const char *json)
{
    return fixture_extract(od_harvest_resource("time_entries"), json, NULL);
}

#define ENTRY(over)                                                                                \
    "{" over "\"id\":1,\"spent_date\":\"2026-02-28\",\"user\":{\"id\":2},\"client\":{\"id\":3},"   \
    "\"project\":{\"id\":4},\"task\":{\"id\":5},\"hours\":1.5,\"billable\":true,"                  \
    "\"billable_rate\":null,\"cost_rate\":50,\"updated_at\":\"2026-03-01T10:00:00Z\"}"

static void test_validation(void **state)
{
    assert_string_equal(bad_reason(ENTRY("")), "OK");
    assert_non_null(strstr(bad_reason(ENTRY("\"spent_date\":\"2026-02-30\",")), "spent_date"));
    assert_non_null(strstr(bad_reason(ENTRY("\"spent_date\":\"yesterday\",")), "not a date"));
    assert_non_null(strstr(bad_reason(ENTRY("\"hours\":\"1.5\",")), "hours"));
    assert_non_null(strstr(bad_reason(ENTRY("\"hours\":-2,")), "negative"));
    assert_non_null(strstr(bad_reason(ENTRY("\"project\":null,")), "project.id"));
    assert_non_null(strstr(bad_reason(ENTRY("\"project\":{\"name\":\"x\"},")), "missing"));
    assert_non_null(strstr(bad_reason(ENTRY("\"user\":{\"id\":1.5},")), "user.id"));
    assert_non_null(strstr(bad_reason(ENTRY("\"billable\":\"yes\",")), "boolean"));
    assert_non_null(
        strstr(bad_reason(ENTRY("\"updated_at\":\"2026-13-01T00:00:00Z\",")), "updated_at"));
    assert_non_null(strstr(bad_reason(ENTRY("\"cost_rate\":1e40,")), "cost_rate"));
}

static void test_json_edges(void **state)
{
    const char *bad[] = {"",   "{",  "{\"a\":}", "[1,]",        "{\"a\" 1}", "\"\\x\"",
                         "01", "1.", "\"\xff\"", "\"\\ud800\"", "[1] x",     "{\"a\":tru}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_null(od_json_parse(bad[i], strlen(bad[i])));
    const char *ok = "{\"s\":\"a\\u00e9\\ud83d\\ude00\\n\",\"n\":-1.25e+3,\"a\":[true,false,null]}";
    struct od_json *doc = od_json_parse(ok, strlen(ok));
    assert_non_null(doc);
    assert_string_equal(od_jv_string(od_jv_get(od_json_root(doc), "s")),
                        "a\xc3\xa9\xf0\x9f\x98\x80\n");
    assert_string_equal(od_jv_number(od_jv_get(od_json_root(doc), "n")), "-1.25e+3");
    size_t n;
    const char *raw = od_jv_raw(doc, od_jv_get(od_json_root(doc), "a"), &n);
    assert_int_equal(n, strlen("[true,false,null]"));
    assert_memory_equal(raw, "[true,false,null]", n);
    od_json_free(doc);
    struct strbuf sb = STRBUF_INIT;
    od_json_quote(&sb, "a\"b\\\n\x01");
    assert_string_equal(sb_str(&sb), "\"a\\\"b\\\\\\n\\u0001\"");
    sb_release(&sb);
    sb_reset(&sb);
    od_copy_field(&sb, "a\tb\\c\nd");
    assert_string_equal(sb_str(&sb), "a\\tb\\\\c\\nd");
    sb_release(&sb);
}

/* Member lookup: a name that is a prefix of another, or longer than it, never matches; the
 * plain-ASCII fast path and the escaped path decode alike; a raw control byte is refused. */
static void test_json_lookup(void **state)
{
    (void)state;
    const char *src = "{\"project_id\":1,\"project\":{\"id\":7,\"name\":\"plain\"},"
                      "\"p\":\"esc\\u0061ped\",\"\":\"empty\"}";
    struct od_json *doc = od_json_parse(src, strlen(src));
    assert_non_null(doc);
    const struct od_jv *root = od_json_root(doc);
    assert_string_equal(od_jv_number(od_jv_path(root, "project.id")), "7");
    assert_string_equal(od_jv_number(od_jv_get(root, "project_id")), "1");
    assert_string_equal(od_jv_string(od_jv_path(root, "project.name")), "plain");
    assert_string_equal(od_jv_string(od_jv_get(root, "p")), "escaped");
    assert_string_equal(od_jv_string(od_jv_get(root, "")), "empty");
    assert_null(od_jv_get(root, "proj"));
    assert_null(od_jv_get(root, "project_idx"));
    assert_null(od_jv_path(root, "project.id.x"));
    assert_null(od_jv_path(root, "project.i"));
    od_json_free(doc);
    const char *ctl = "{\"a\":\"x\ty\"}";
    assert_null(od_json_parse(ctl, strlen(ctl)));
    struct strbuf sb = STRBUF_INIT;
    const int64_t v[] = {0, 7, -5, 1234567890123LL, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)v[i]);
        sb_reset(&sb);
        sb_addi64(&sb, v[i]);
        assert_string_equal(sb_str(&sb), want);
    }
    sb_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_lookup),
        cmocka_unit_test(test_time_entries_page),
        cmocka_unit_test(test_single_entry_and_other_resources),
        cmocka_unit_test(test_pagination_links),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_json_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
