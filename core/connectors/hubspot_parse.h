/* hubspot_parse — HubSpot CRM payloads: field tables of owners, companies and deals (every
 * property value arrives as a string: amount is parsed as money, dates as ISO 8601, ids as
 * digits), list/search page envelopes ({results, paging.next.after, total}) and the v4
 * association batch-read answer (deal -> companies).
 *
 *   const struct od_resource *res = od_hubspot_resource("deals");
 *   struct od_hubspot_page pg;
 *   od_hubspot_page_parse(res, body, len, &pg);       // pg.records, pg.after (NULL = last)
 *   od_hubspot_assoc_parse(body, len, &pairs, &n);    // {deal, company, type} per type
 *   od_hubspot_stages_parse(body, len, &st);           // st.v[0..st.n): one per stage
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

#define OD_ASSOC_LABEL_MAX 128
struct od_assoc {
    int64_t deal_id, company_id;
    int32_t type_id;   /* associationTypes[].typeId: 5 Primary, 341 plain deal -> company */
    char category[20]; /* HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED ([A-Z_]+) */
    bool has_label;    /* label is not null */
    char label[OD_ASSOC_LABEL_MAX]; /* "Primary", a custom label (cut at a UTF-8 boundary) */
};
/* One entry per (deal, company, association type) of a batch-read answer into a new array
 * (*out, caller frees; *n entries); a company listed without types gets one entry of the plain
 * type 341. -1 + od_err when malformed. */
int od_hubspot_assoc_parse(const char *body, size_t len, struct od_assoc **out, size_t *n);

/* One stage of a deal pipeline. Strings are borrowed from the parsed document. */
struct od_deal_stage {
    const char *pipeline_id, *pipeline_label, *stage_id, *label;
    long display_order;
    bool is_closed;       /* metadata.isClosed: "true"/"false" (or a JSON boolean) */
    bool archived;        /* the stage or its pipeline */
    char probability[16]; /* metadata.probability normalised ("1.000000"), "" when absent */
};
struct od_deal_stages {
    struct od_json *doc;
    struct od_deal_stage *v;
    size_t n;
};
/* Parse a pipelines answer ({results:[{id, label, archived, stages:[{id, label, displayOrder,
 * archived, metadata:{isClosed, probability}}]}]}). Every pipeline and stage needs an id; a
 * probability must be a decimal in [0, 1] (string or number); isClosed "true"/"false". An answer
 * with no stage at all is refused (a portal always has one). -1 + od_err naming what is wrong. */
int od_hubspot_stages_parse(const char *body, size_t len, struct od_deal_stages *out);
void od_hubspot_stages_release(struct od_deal_stages *st);

#endif
