/* harvest_parse — Harvest v2 payloads: the field tables of clients, projects, users, tasks and
 * time entries (what each column comes from, its type, what is required), and the page
 * envelope ({<collection>: [...], total_entries, links.next}).
 *
 *   const struct od_resource *res = od_harvest_resource("time_entries");
 *   struct od_harvest_page pg;
 *   if (od_harvest_page_parse(res, body, len, &pg) < 0) -> od_err() (the page is malformed)
 *   for (r = od_jv_first(pg.records); r; r = od_jv_next(r)) od_row_extract(&row, pg.doc, r, ...)
 *   od_harvest_page_release(&pg);
 * A malformed page is an error for the whole page; a bad record is the record's alone. */
#ifndef OD_CONNECTORS_HARVEST_PARSE_H
#define OD_CONNECTORS_HARVEST_PARSE_H
#include "core/connectors/fields.h"
#include "core/base/json.h"
#include <stdint.h>

/* NULL for an unknown name. Names: clients projects users tasks time_entries. */
const struct od_resource *od_harvest_resource(const char *name);

struct od_harvest_page {
    struct od_json *doc;
    const struct od_jv *records; /* the array */
    const char *next;            /* links.next, NULL on the last page */
    int64_t total_entries;       /* -1 when absent */
};

int od_harvest_page_parse(const struct od_resource *res, const char *body, size_t len,
                          struct od_harvest_page *out);
void od_harvest_page_release(struct od_harvest_page *pg);

#endif
