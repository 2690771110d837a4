/* fuzz_harvest_page — one Harvest list page body through what the sync does with it, minus the
 * database: the envelope (od_harvest_page_parse) under every resource, then every record
 * through the field tables into COPY rows or dead letters (fuzz_rows.h lists the checks).
 * A page is either rejected with a terminal-safe message and nothing allocated, or accepted
 * with a records array and links.next that is NULL or non-empty.
 * FUZZ_SOURCES: core/connectors/store.c core/base/json.c core/connectors/fields.c
 * FUZZ_SOURCES: core/connectors/harvest_parse.c core/base/money.c core/base/util.c
 * FUZZ_SOURCES: core/base/sanitize.c core/base/time.c core/db/db.c core/base/config.c
 * FUZZ_SOURCES: core/base/log.c core/base/log_redact.c core/base/url.c
 * FUZZ_SOURCES: core/base/config_env.c
 * FUZZ_PKGS: libpq inih libcjson
 * FUZZ_DICT: json.dict */
#include "core/connectors/harvest_parse.h"
#include "tests/fuzz/fuzz_rows.h"

static const char *const names[] = {"clients", "projects", "users", "tasks", "time_entries"};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(names); i++) {
        const struct od_resource *res = od_harvest_resource(names[i]);
        FUZZ_CHECK(res != NULL);
        struct od_harvest_page pg;
        if (od_harvest_page_parse(res, (const char *)data, size, &pg) < 0) {
            FUZZ_CHECK(pg.doc == NULL && fuzz_terminal_safe(od_err()));
            continue;
        }
        FUZZ_CHECK(!pg.next || *pg.next);
        fuzz_check_records(res, pg.doc, pg.records);
        od_harvest_page_release(&pg);
    }
    return 0;
}
