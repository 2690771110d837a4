/* test_hubspot_parse — the real HubSpot example payloads (tests/fixtures) through the parser
 * the sync uses: every property is a string (amount -> money, dates -> ISO), ids are strings,
 * paging.next.after drives the next page (percent-encoded into the next list URL; absurd
 * cursors refused), associations give deal -> company pairs with their association types
 * (Primary = HUBSPOT_DEFINED 5), pipelines give stages with isClosed/probability. */
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
    /* one entry per association type: 3 + 3 + 1 + 2 */
    assert_int_equal(n, 9);
    assert_int_equal(pairs[0].deal_id, 33451);
    assert_int_equal(pairs[0].company_id, 5790939450LL);
    assert_int_equal(pairs[0].type_id, 1);
    assert_string_equal(pairs[0].category, "HUBSPOT_DEFINED");
    assert_true(pairs[0].has_label);
    assert_string_equal(pairs[0].label, "Primary");
    assert_false(pairs[1].has_label); /* "label": null */
    assert_int_equal(pairs[1].type_id, 279);
    assert_string_equal(pairs[2].category, "USER_DEFINED");
    assert_string_equal(pairs[2].label, "Billing contact");
    assert_int_equal(pairs[6].company_id, 6675245424LL);
    assert_int_equal(pairs[8].deal_id, 29851);
    assert_int_equal(pairs[8].company_id, 17705714757LL);
    assert_string_equal(pairs[8].label, "Decision maker");
    free(pairs);
    /* a company without types is the plain association; bad types are skipped; a long label is
     * cut at a character boundary */
    char label[160] = "xy";
    for (int i = 0; i < 63; i++)
        strcat(label, "\xc3\xa9"); /* "é": 2 + 63 x 2 = 128 bytes, one more than fits */
    char big[512];
    snprintf(big, sizeof big,
             "{\"results\":[{\"from\":{\"id\":\"7\"},\"to\":[{\"toObjectId\":8},"
             "{\"toObjectId\":\"9\",\"associationTypes\":[{\"category\":\"bad cat\","
             "\"typeId\":5},{\"category\":\"HUBSPOT_DEFINED\",\"typeId\":5,\"label\":"
             "\"%s\"}]}]}]}",
             label);
    assert_int_equal(od_hubspot_assoc_parse(big, strlen(big), &pairs, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(pairs[0].company_id, 8);
    assert_int_equal(pairs[0].type_id, 341);
    assert_false(pairs[0].has_label);
    assert_int_equal(pairs[1].company_id, 9);
    assert_int_equal(pairs[1].type_id, 5);
    assert_int_equal(strlen(pairs[1].label), 126); /* 127 would cut the last "é" in half */
    assert_int_equal(strncmp(pairs[1].label, label, 126), 0);
    free(pairs);
    free(body);
    assert_int_equal(od_hubspot_assoc_parse("{\"results\":[{\"to\":[]}]}", 23, &pairs, &n), -1);
}

static void test_pipelines(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_slurp("hubspot_deal_pipelines_response.json", &len);
    struct od_deal_stages st;
    assert_int_equal(od_hubspot_stages_parse(body, len, &st), 0);
    assert_int_equal(st.n, 6);
    int won = 0;
    for (size_t i = 0; i < st.n; i++)
        if (st.v[i].is_closed && !strcmp(st.v[i].probability, "1.000000")) won++;
    assert_int_equal(won, 2); /* closedwon, and "Renewed" in the second pipeline */
    assert_string_equal(st.v[2].stage_id, "closedwon");
    assert_string_equal(st.v[2].pipeline_id, "default");
    assert_string_equal(st.v[3].probability, "0.000000");
    assert_true(st.v[3].is_closed);
    assert_string_equal(st.v[5].pipeline_id, "812723471");
    assert_string_equal(st.v[5].stage_id, "1234914");
    assert_string_equal(st.v[5].label, "Renewed");
    assert_int_equal(st.v[5].display_order, 1);
    od_hubspot_stages_release(&st);
    free(body);
    static const struct {
        const char *json, *err;
    } bad[] = {
        {"{\"results\":[]}", "no stage"},
        {"{\"results\":{}}", "no \"results\""},
        {"{\"results\":[{\"stages\":[{\"id\":\"a\"}]}]}", "pipeline has no id"},
        {"{\"results\":[{\"id\":\"p\",\"stages\":[{\"label\":\"x\"}]}]}", "stage has no id"},
        {"{\"results\":[{\"id\":\"p\",\"stages\":[{\"id\":\"s\",\"metadata\":"
         "{\"probability\":\"1.5\"}}]}]}",
         "between 0 and 1"},
        {"{\"results\":[{\"id\":\"p\",\"stages\":[{\"id\":\"s\",\"metadata\":"
         "{\"probability\":\"1.0x\"}}]}]}",
         "between 0 and 1"},
        {"{\"results\":[{\"id\":\"p\",\"stages\":[{\"id\":\"s\",\"metadata\":"
         "{\"isClosed\":\"yes\"}}]}]}",
         "isClosed"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(od_hubspot_stages_parse(bad[i].json, strlen(bad[i].json), &st), -1);
        if (!strstr(od_err(), bad[i].err)) print_error("%s -> %s\n", bad[i].json, od_err());
        assert_non_null(strstr(od_err(), bad[i].err));
        assert_null(st.v);
    }
    /* numbers and booleans are accepted too; "1" is 1.0 */
    const char *ok = "{\"results\":[{\"id\":\"p\",\"archived\":true,\"stages\":[{\"id\":\"s\","
                     "\"metadata\":{\"isClosed\":true,\"probability\":1}}]}]}";
    assert_int_equal(od_hubspot_stages_parse(ok, strlen(ok), &st), 0);
    assert_true(st.v[0].is_closed && st.v[0].archived);
    assert_string_equal(st.v[0].probability, "1.000000");
    od_hubspot_stages_release(&st);
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
        cmocka_unit_test(test_after_cursor),     cmocka_unit_test(test_pipelines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
