/* hubspot_parse — HubSpot CRM payloads: field tables of owners, companies and deals (every
 * property value arrives as a string: amount is parsed as money, dates as ISO 8601, ids as
 * digits), list/search page envelopes ({results, paging.next.after, total}) and the v4
 * association batch-read answer (deal -> companies).
 *
 *   const struct od_resource *res = od_hubspot_resource("deals");
 *   struct od_hubspot_page pg;
 *   od_hubspot_page_parse(res, body, len, &pg);       // pg.records, pg.after (NULL = last)
 *   od_hubspot_assoc_parse(body, len, &pairs, &n);    // int64 pairs {deal, company}
 * The vendor examples that wrap a response in {"data": ...} are accepted too. */
#ifndef OD_CONNECTORS_HUBSPOT_PARSE_H
#define OD_CONNECTORS_HUBSPOT_PARSE_H
#include "core/connectors/fields.h"
#include "core/base/json.h"
#include <stdint.h>

/* Names: owners companies deals. */
const struct od_resource *od_hubspot_resource(const char *name);
/* Comma-separated property list requested for a resource ("" for owners). */
const char *od_hubspot_properties(const struct od_resource *res);

struct od_hubspot_page {
    struct od_json *doc;
    const struct od_jv *records;
    const char *after; /* paging.next.after, NULL on the last page */
    int64_t total;     /* search "total", -1 when absent */
};

int od_hubspot_page_parse(const struct od_resource *res, const char *body, size_t len,
                          struct od_hubspot_page *out);
void od_hubspot_page_release(struct od_hubspot_page *pg);

/* paging.next.after is an opaque cursor (a record id in practice). Accepted: 1 to
 * OD_HUBSPOT_AFTER_MAX bytes of printable ASCII; anything else -1 + od_err naming the resource
 * and what is wrong (the caller fails the job rather than follow it). */
#define OD_HUBSPOT_AFTER_MAX 256
int od_hubspot_after_check(const struct od_resource *res, const char *after);
/* Appends after percent-encoded for a query string (RFC 3986 unreserved bytes kept). */
void od_hubspot_after_encode(struct strbuf *sb, const char *after);

struct od_assoc {
    int64_t deal_id, company_id;
};
/* All pairs of a batch-read answer into a new array (*out, caller frees; *n pairs).
 * -1 + od_err when malformed. */
int od_hubspot_assoc_parse(const char *body, size_t len, struct od_assoc **out, size_t *n);

#endif
