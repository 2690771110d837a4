/* fuzz_hubspot_page — one HubSpot body through every parser the sync runs on one, minus the
 * database: the list/search page envelope (od_hubspot_page_parse, also in the vendor's
 * {"data": ...} wrapping) under owners, companies and deals with every record through the
 * field tables into COPY rows or dead letters (fuzz_rows.h lists the checks), and the v4
 * associations batch-read answer (od_hubspot_assoc_parse), and the deal pipelines answer
 * (od_hubspot_stages_parse). A body is either rejected with a terminal-safe message and nothing
 * allocated, or accepted; paging.next.after is NULL or non-empty; association pairs are positive
 * ids with a positive type, an [A-Z_] category and a label cut only between characters; stages
 * have ids and a probability that is empty or a 6-place decimal in [0, 1].
 * FUZZ_SOURCES: core/connectors/store.c core/base/json.c core/connectors/fields.c
 * FUZZ_SOURCES: core/connectors/hubspot_parse.c core/base/money.c core/base/util.c
 * FUZZ_SOURCES: core/base/sanitize.c core/base/time.c core/db/db.c core/base/config.c
 * FUZZ_SOURCES: core/base/log.c core/base/log_redact.c core/base/url.c
 * FUZZ_SOURCES: core/base/config_env.c
 * FUZZ_PKGS: libpq inih libcjson
 * FUZZ_DICT: json.dict */
#include "core/connectors/hubspot_parse.h"
#include "tests/fuzz/fuzz_rows.h"

static const char *const names[] = {"owners", "companies", "deals"};

static void check_stages(const char *body, size_t size)
{
    struct od_deal_stages st;
    if (od_hubspot_stages_parse(body, size, &st) < 0) {
        FUZZ_CHECK(st.v == NULL && st.doc == NULL && fuzz_terminal_safe(od_err()));
        return;
    }
    FUZZ_CHECK(st.n > 0);
    for (size_t i = 0; i < st.n; i++) {
        const struct od_deal_stage *s = &st.v[i];
        FUZZ_CHECK(s->pipeline_id && *s->pipeline_id && s->stage_id && *s->stage_id);
        FUZZ_CHECK(!s->probability[0] ||
                   (strlen(s->probability) == 8 && s->probability[1] == '.' &&
                    (s->probability[0] == '0' || !strcmp(s->probability, "1.000000"))));
    }
    od_hubspot_stages_release(&st);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *body = (const char *)data;
    for (size_t i = 0; i < OD_ARRAY_LEN(names); i++) {
        const struct od_resource *res = od_hubspot_resource(names[i]);
        FUZZ_CHECK(res != NULL);
        struct od_hubspot_page pg;
        if (od_hubspot_page_parse(res, body, size, &pg) < 0) {
            FUZZ_CHECK(pg.doc == NULL && fuzz_terminal_safe(od_err()));
            continue;
        }
        FUZZ_CHECK(!pg.after || *pg.after);
        fuzz_check_records(res, pg.doc, pg.records);
        od_hubspot_page_release(&pg);
    }
    struct od_assoc *pairs = NULL;
    size_t n = 99;
    if (od_hubspot_assoc_parse(body, size, &pairs, &n) < 0) {
        FUZZ_CHECK(pairs == NULL && n == 0 && fuzz_terminal_safe(od_err()));
        return 0;
    }
    FUZZ_CHECK((n == 0) == (pairs == NULL));
    for (size_t i = 0; i < n; i++) {
        const struct od_assoc *a = &pairs[i];
        FUZZ_CHECK(a->deal_id > 0 && a->company_id > 0 && a->type_id > 0);
        FUZZ_CHECK(a->category[0] &&
                   strspn(a->category, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(a->category));
        FUZZ_CHECK(fuzz_valid_utf8(a->label, strlen(a->label)));
        FUZZ_CHECK(a->has_label || !a->label[0]);
    }
    free(pairs);
    check_stages(body, size);
    return 0;
}
