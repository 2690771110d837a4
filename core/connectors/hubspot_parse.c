/* hubspot_parse — HubSpot field tables, page envelopes, associations. See hubspot_parse.h. */
#include "core/connectors/hubspot_parse.h"
#include "core/base/util.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQ true
#define OPT false

static const struct od_field owner_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"email", "email", OD_F_STEXT, OPT, NULL},
    {"first_name", "firstName", OD_F_STEXT, OPT, NULL},
    {"last_name", "lastName", OD_F_STEXT, OPT, NULL},
    {"archived", "archived", OD_F_BOOL, OPT, "f"},
    {"created_at", "createdAt", OD_F_TS, OPT, NULL},
    {"updated_at", "updatedAt", OD_F_TS, REQ, NULL},
};

static const struct od_field company_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"name", "properties.name", OD_F_STEXT, OPT, NULL},
    {"domain", "properties.domain", OD_F_STEXT, OPT, NULL},
    {"properties", "properties", OD_F_RAW, OPT, "{}"},
    {"archived", "archived", OD_F_BOOL, OPT, "f"},
    {"created_at", "createdAt", OD_F_TS, OPT, NULL},
    {"updated_at", "updatedAt", OD_F_TS, REQ, NULL},
};

static const struct od_field deal_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"name", "properties.dealname", OD_F_STEXT, OPT, NULL},
    {"amount", "properties.amount", OD_F_SMONEY, OPT, NULL},
    {"dealstage", "properties.dealstage", OD_F_STEXT, OPT, NULL},
    {"pipeline", "properties.pipeline", OD_F_STEXT, OPT, NULL},
    {"closedate", "properties.closedate", OD_F_TS, OPT, NULL},
    {"owner_id", "properties.hubspot_owner_id", OD_F_ID, OPT, NULL},
    {"properties", "properties", OD_F_RAW, OPT, "{}"},
    {"archived", "archived", OD_F_BOOL, OPT, "f"},
    {"created_at", "createdAt", OD_F_TS, OPT, NULL},
    {"updated_at", "updatedAt", OD_F_TS, REQ, NULL},
};

static const struct od_resource resources[] = {
    {"hubspot", "owners", "/crm/v3/owners", "results", "hubspot_owners", owner_fields,
     (int)OD_ARRAY_LEN(owner_fields), true},
    {"hubspot", "companies", "/crm/v3/objects/companies", "results", "hubspot_companies",
     company_fields, (int)OD_ARRAY_LEN(company_fields), false},
    {"hubspot", "deals", "/crm/v3/objects/deals", "results", "hubspot_deals", deal_fields,
     (int)OD_ARRAY_LEN(deal_fields), false},
};

const struct od_resource *od_hubspot_resource(const char *name)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(resources); i++)
        if (strcmp(resources[i].name, name) == 0) return &resources[i];
    return NULL;
}

const char *od_hubspot_properties(const struct od_resource *res)
{
    if (strcmp(res->name, "deals") == 0)
        return "dealname,amount,dealstage,pipeline,closedate,hubspot_owner_id,hs_lastmodifieddate";
    if (strcmp(res->name, "companies") == 0) return "name,domain,hs_lastmodifieddate";
    return "";
}

/* Vendor examples wrap the answer in {"data": ...}. */
static const struct od_jv *unwrap(const struct od_jv *root)
{
    const struct od_jv *data = od_jv_get(root, "data");
    if (data && data->type == OD_JV_OBJECT && !od_jv_get(root, "results")) return data;
    return root;
}

int od_hubspot_page_parse(const struct od_resource *res, const char *body, size_t len,
                          struct od_hubspot_page *out)
{
    memset(out, 0, sizeof *out);
    out->total = -1;
    struct od_json *doc = od_json_parse(body, len);
    if (!doc) {
        char pre[96];
        snprintf(pre, sizeof pre, "HubSpot %s page", res->name);
        return od_err_prefix(pre);
    }
    const struct od_jv *root = unwrap(od_json_root(doc));
    const struct od_jv *recs = od_jv_get(root, "results");
    if (!recs || recs->type != OD_JV_ARRAY) {
        od_json_free(doc);
        return od_seterr("HubSpot %s page has no \"results\" array", res->name);
    }
    const struct od_jv *after = od_jv_path(root, "paging.next.after");
    if (after && after->type != OD_JV_STRING && after->type != OD_JV_NUMBER) {
        od_json_free(doc);
        return od_seterr("HubSpot %s page: paging.next.after is not a string", res->name);
    }
    out->doc = doc;
    out->records = recs;
    out->after = after ? after->text : NULL;
    if (out->after && !*out->after) out->after = NULL;
    const char *total = od_jv_number(od_jv_get(root, "total"));
    if (total) out->total = strtoll(total, NULL, 10);
    return 0;
}

void od_hubspot_page_release(struct od_hubspot_page *pg)
{
    od_json_free(pg->doc);
    memset(pg, 0, sizeof *pg);
}

static int parse_id(const struct od_jv *v, int64_t *out)
{
    const char *t = v ? v->text : NULL;
    if (!t || (v->type != OD_JV_STRING && v->type != OD_JV_NUMBER) || !*t) return -1;
    char *end;
    errno = 0;
    long long x = strtoll(t, &end, 10);
    if (errno || *end || x <= 0) return -1;
    *out = x;
    return 0;
}

int od_hubspot_assoc_parse(const char *body, size_t len, struct od_assoc **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct od_json *doc = od_json_parse(body, len);
    if (!doc) return od_err_prefix("HubSpot associations");
    const struct od_jv *recs = od_jv_get(unwrap(od_json_root(doc)), "results");
    if (!recs || recs->type != OD_JV_ARRAY) {
        od_json_free(doc);
        return od_seterr("HubSpot associations answer has no \"results\" array");
    }
    size_t cap = 0;
    for (const struct od_jv *r = od_jv_first(recs); r; r = od_jv_next(r)) {
        int64_t from;
        if (parse_id(od_jv_path(r, "from.id"), &from) < 0) {
            free(*out);
            *out = NULL;
            *n = 0;
            od_json_free(doc);
            return od_seterr("HubSpot associations: a result has no valid from.id");
        }
        for (const struct od_jv *t = od_jv_first(od_jv_get(r, "to")); t; t = od_jv_next(t)) {
            int64_t to;
            if (parse_id(od_jv_get(t, "toObjectId"), &to) < 0) continue;
            if (*n == cap) {
                cap = cap ? cap * 2 : 64;
                *out = od_xrealloc(*out, cap * sizeof **out);
            }
            (*out)[(*n)++] = (struct od_assoc){from, to};
        }
    }
    od_json_free(doc);
    return 0;
}

int od_hubspot_after_check(const struct od_resource *res, const char *after)
{
    size_t n = strlen(after);
    if (n == 0 || n > OD_HUBSPOT_AFTER_MAX)
        return od_seterr("HubSpot %s page: paging.next.after is %zu bytes long (1 to %d "
                         "expected); not following it — the listing stops here",
                         res->name, n, OD_HUBSPOT_AFTER_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)after[i] < 0x20 || (unsigned char)after[i] >= 0x7f)
            return od_seterr("HubSpot %s page: paging.next.after has a control or non-ASCII "
                             "byte at offset %zu; not following it — the listing stops here",
                             res->name, i);
    return 0;
}

void od_hubspot_after_encode(struct strbuf *sb, const char *after)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)after; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            sb_addch(sb, (char)*p);
        } else {
            sb_addch(sb, '%');
            sb_addch(sb, hex[*p >> 4]);
            sb_addch(sb, hex[*p & 15]);
        }
    }
}
