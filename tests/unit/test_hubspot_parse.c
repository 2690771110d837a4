/* test_hubspot_parse — the real HubSpot example payloads (tests/fixtures) through the parser
 * the sync uses: every property is a string (amount -> money, dates -> ISO), ids are strings,
 * paging.next.after drives the next page (percent-encoded into the next list URL; absurd
 * cursors refused), associations give deal -> company pairs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/connectors/fields.h"
#include "core/connectors/hubspot_parse.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "tests/lib/fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a page and extract every record; returns the number extracted. */
static int all_records(const char *file, const char *resname, struct od_hubspot_page *pg,
                       char **body)
{
    size_t len;
    *body = fixture_slurp(file, &len);
    const struct od_resource *res = od_hubspot_resource(resname);
    assert_int_equal(od_hubspot_page_parse(res, *body, len, pg), 0);
    struct od_row row = OD_ROW_INIT;
    struct strbuf reason = STRBUF_INIT;
    int n = 0;
    for (const struct od_jv *r = od_jv_first(pg->records); r; r = od_jv_next(r)) {
        sb_reset(&reason);
        int rc = od_row_extract(&row, pg->doc, r, res->fields, res->nfields, &reason);
        if (rc) print_error("%s: %s\n", file, sb_str(&reason));
        assert_int_equal(rc, 0);
        n++;
    }
    od_row_release(&row);
    sb_release(&reason);
    return n;
}

static void test_deal_search_page(void **state)
{
    struct od_hubspot_page pg;
    char *body;
    assert_int_equal(all_records("hubspot_deals_search_response.json", "deals", &pg, &body), 1);
    assert_int_equal(pg.total, 2);
    assert_string_equal(pg.after, "NTI1Cg%3D%3D");
    const struct od_resource *res = od_hubspot_resource("deals");
    struct od_row row = OD_ROW_INIT;
    struct strbuf reason = STRBUF_INIT;
    assert_int_equal(
        od_row_extract(&row, pg.doc, od_jv_first(pg.records), res->fields, res->nfields, &reason),
        0);
    assert_string_equal(fixture_col(res, &row, "id"), "87654321100");
    assert_string_equal(fixture_col(res, &row, "name"), "New Business Opportunity");
    assert_string_equal(fixture_col(res, &row, "amount"), "25000.00");
    assert_string_equal(fixture_col(res, &row, "closedate"), "2024-02-28T00:00:00.000Z");
    assert_string_equal(fixture_col(res, &row, "dealstage"), "qualifiedtobuy");
    assert_string_equal(fixture_col(res, &row, "archived"), "f");
    assert_null(fixture_col(res, &row, "owner_id"));
    assert_string_equal(fixture_col(res, &row, "updated_at"), "2024-01-15T00:24:54.571Z");
    assert_non_null(
        strstr(fixture_col(res, &row, "properties"), "\"dealstage\": \"qualifiedtobuy\""));
    od_row_release(&row);
    sb_release(&reason);
    od_hubspot_page_release(&pg);
    free(body);
}

static void test_other_pages(void **state)
{
    struct od_hubspot_page pg;
    char *body;
    assert_true(all_records("hubspot_deals_list_page.json", "deals", &pg, &body) > 0);
    od_hubspot_page_release(&pg);
    free(body);
    assert_true(all_records("hubspot_owners_list_response.json", "owners", &pg, &body) >= 2);
    od_hubspot_page_release(&pg);
    free(body);
    assert_true(all_records("hubspot_search_companies_response.json", "companies", &pg, &body) > 0);
    assert_int_equal(pg.total, 38);
    od_hubspot_page_release(&pg);
    free(body);
    assert_int_equal(all_records("hubspot_list_page_with_paging.json", "companies", &pg, &body), 1);
    assert_string_equal(pg.after, "513881705058");
    od_hubspot_page_release(&pg);
    free(body);
}

static void test_associations(void **state)
{
    size_t len, n;
    char *body = fixture_slurp("hubspot_associations_batch_read_response.json", &len);
    struct od_assoc *pairs;
    assert_int_equal(od_hubspot_assoc_parse(body, len, &pairs, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(pairs[0].deal_id, 33451);
    assert_int_equal(pairs[0].company_id, 5790939450LL);
    assert_int_equal(pairs[3].deal_id, 29851);
    assert_int_equal(pairs[3].company_id, 17705714757LL);
    free(pairs);
    free(body);
    assert_int_equal(od_hubspot_assoc_parse("{\"results\":[{\"to\":[]}]}", 23, &pairs, &n), -1);
}

static const char *deal_reason(const char *props)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"id\":\"12\",\"properties\":{%s},\"createdAt\":\"2026-01-01T00:00:00Z\","
             "\"updatedAt\":\"2026-01-02T00:00:00.5Z\",\"archived\":false}",
             props);
    return fixture_extract(od_hubspot_resource("deals"), json, "amount");
}

static void test_property_strings(void **state)
{
    assert_string_equal(deal_reason("\"amount\":\"1500.5\""), "1500.50");
    assert_string_equal(deal_reason("\"amount\":\"\""), "OK-null");
    assert_string_equal(deal_reason("\"amount\":\"1e3\""), "1000.00");
    assert_non_null(strstr(deal_reason("\"amount\":1500"), "not a decimal string"));
    assert_non_null(strstr(deal_reason("\"amount\":\"lots\""), "not a number"));
    assert_non_null(strstr(deal_reason("\"closedate\":\"next week\""), "closedate"));
    assert_string_equal(deal_reason("\"closedate\":\"2026-04-01\""), "OK-null");
    assert_string_equal(deal_reason("\"hubspot_owner_id\":\"\""), "OK-null");
    assert_non_null(strstr(deal_reason("\"hubspot_owner_id\":\"abc\""), "hubspot_owner_id"));
}

/* The list cursor goes into a query string: percent-encoded, any sane length, absurd refused. */
static void test_after_cursor(void **state)
{
    (void)state;
    const struct od_resource *res = od_hubspot_resource("deals");
    struct strbuf sb = STRBUF_INIT;
    od_hubspot_after_encode(&sb, "7000000123");
    assert_string_equal(sb_str(&sb), "7000000123");
    sb_reset(&sb);
    od_hubspot_after_encode(&sb, "a b&c=d/e?f%g+h#i~j-k_l.m");
    assert_string_equal(sb_str(&sb), "a%20b%26c%3Dd%2Fe%3Ff%25g%2Bh%23i~j-k_l.m");
    sb_release(&sb);
    char longer[OD_HUBSPOT_AFTER_MAX + 2];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(od_hubspot_after_check(res, "7000000123"), 0);
    assert_int_equal(od_hubspot_after_check(res, longer + 2), 0); /* 255 bytes: fine */
    longer[OD_HUBSPOT_AFTER_MAX] = '\0';
    assert_int_equal(od_hubspot_after_check(res, longer), 0); /* exactly the maximum */
    longer[OD_HUBSPOT_AFTER_MAX] = 'x';
    assert_int_equal(od_hubspot_after_check(res, longer), -1);
    assert_non_null(strstr(od_err(), "paging.next.after is 257 bytes"));
    assert_non_null(strstr(od_err(), "deals"));
    assert_int_equal(od_hubspot_after_check(res, ""), -1);
    assert_int_equal(od_hubspot_after_check(res, "abc\n"), -1);
    assert_non_null(strstr(od_err(), "control"));
    assert_int_equal(od_hubspot_after_check(res, "caf\xc3\xa9"), -1);
    /* a page carrying an absurd cursor still parses; the sync refuses to follow it */
    struct strbuf body = STRBUF_INIT;
    sb_addf(&body, "{\"results\":[],\"paging\":{\"next\":{\"after\":\"%s\"}}}", longer);
    struct od_hubspot_page pg;
    assert_int_equal(od_hubspot_page_parse(res, body.buf, body.len, &pg), 0);
    assert_int_equal(od_hubspot_after_check(res, pg.after), -1);
    od_hubspot_page_release(&pg);
    sb_release(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deal_search_page), cmocka_unit_test(test_other_pages),
        cmocka_unit_test(test_associations),     cmocka_unit_test(test_property_strings),
        cmocka_unit_test(test_after_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
