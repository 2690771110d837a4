/* fuzz_hubspot_page — one HubSpot body through every parser the sync runs on one, minus the
 * database: the list/search page envelope (od_hubspot_page_parse, also in the vendor's
 * {"data": ...} wrapping) under owners, companies and deals with every record through the
 * field tables into COPY rows or dead letters (fuzz_rows.h lists the checks), and the v4
 * associations batch-read answer (od_hubspot_assoc_parse). A body is either rejected with a
 * terminal-safe message and nothing allocated, or accepted; paging.next.after is NULL or
 * non-empty; association pairs are positive ids.
 * FUZZ_SOURCES: core/connectors/store.c core/base/json.c core/connectors/fields.c
 * FUZZ_SOURCES: core/connectors/hubspot_parse.c core/base/money.c core/base/util.c
 * FUZZ_SOURCES: core/base/sanitize.c core/base/time.c core/db/db.c core/base/config.c
 * FUZZ_SOURCES: core/base/log.c
 * FUZZ_PKGS: libpq inih libcjson
 * FUZZ_DICT: json.dict */
#include "core/connectors/hubspot_parse.h"
#include "tests/fuzz/fuzz_rows.h"

static const char *const names[] = {"owners", "companies", "deals"};

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
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(pairs[i].deal_id > 0 && pairs[i].company_id > 0);
    free(pairs);
    return 0;
}
