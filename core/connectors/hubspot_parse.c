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

/* Copy s into out (n bytes), cut at a UTF-8 character boundary. */
static void copy_utf8(char *out, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (len >= n) {
        len = n - 1;
        while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--; /* s[len] would start the cut character: drop it whole */
    }
    memcpy(out, s, len);
    out[len] = '\0';
}

static bool category_ok(const char *c)
{
    size_t n = c ? strlen(c) : 0;
    return n > 0 && n < 20 && strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == n;
}

static void assoc_push(struct od_assoc **out, size_t *n, size_t *cap, const struct od_assoc *a)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *out = od_xrealloc(*out, *cap * sizeof **out);
    }
    (*out)[(*n)++] = *a;
}

/* The entries of one {toObjectId, associationTypes} element. */
static void assoc_to(const struct od_jv *t, int64_t from, struct od_assoc **out, size_t *n,
                     size_t *cap)
{
    int64_t to;
    if (parse_id(od_jv_get(t, "toObjectId"), &to) < 0) return;
    size_t before = *n;
    for (const struct od_jv *ty = od_jv_first(od_jv_get(t, "associationTypes")); ty;
         ty = od_jv_next(ty)) {
        const char *num = od_jv_number(od_jv_get(ty, "typeId"));
        const char *cat = od_jv_string(od_jv_get(ty, "category"));
        const char *label = od_jv_string(od_jv_get(ty, "label"));
        long id;
        if (!num || od_parse_long(num, 1, INT32_MAX, &id) < 0 || !category_ok(cat)) continue;
        struct od_assoc a = {from, to, (int32_t)id, "", label != NULL, ""};
        snprintf(a.category, sizeof a.category, "%s", cat);
        if (label) copy_utf8(a.label, sizeof a.label, label);
        assoc_push(out, n, cap, &a);
    }
    if (*n == before) { /* no usable type: the plain deal -> company association */
        struct od_assoc a = {from, to, 341, "HUBSPOT_DEFINED", false, ""};
        assoc_push(out, n, cap, &a);
    }
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
        for (const struct od_jv *t = od_jv_first(od_jv_get(r, "to")); t; t = od_jv_next(t))
            assoc_to(t, from, out, n, &cap);
    }
    od_json_free(doc);
    return 0;
}

/* A probability ("1.0", "0.25", or a JSON number) normalised to 6 places in out; -1 when it is
 * not a plain decimal in [0, 1]. */
static int probability_norm(const char *s, char out[16])
{
    size_t ni = strspn(s, "0123456789");
    const char *frac = s[ni] == '.' ? s + ni + 1 : s + ni;
    size_t nf = strspn(frac, "0123456789");
    if (ni == 0 || ni > 3 || (s[ni] == '.' && nf == 0) || frac[nf] || nf > 6) return -1;
    long ip = strtol(s, NULL, 10), fp = 0;
    for (size_t i = 0; i < 6; i++)
        fp = fp * 10 + (i < nf ? frac[i] - '0' : 0);
    if (ip > 1 || (ip == 1 && fp > 0)) return -1;
    snprintf(out, 16, "%d.%06d", (int)ip, (int)fp); /* ip <= 1, fp < 10^6 */
    return 0;
}

static const char *str_or_num(const struct od_jv *v)
{
    const char *s = od_jv_string(v);
    return s ? s : od_jv_number(v);
}

/* One stage into st (pipeline fields already set); -1 + od_err when malformed. */
static int stage_parse(const struct od_jv *sv, struct od_deal_stage *st)
{
    st->stage_id = od_jv_string(od_jv_get(sv, "id"));
    if (!st->stage_id || !*st->stage_id)
        return od_seterr("HubSpot pipeline %s: a stage has no id", st->pipeline_id);
    st->label = od_jv_string(od_jv_get(sv, "label"));
    const char *ord = od_jv_number(od_jv_get(sv, "displayOrder"));
    if (!ord || od_parse_long(ord, -1000000, 1000000, &st->display_order) < 0)
        st->display_order = 0;
    if (od_jv_get(sv, "archived") && od_jv_get(sv, "archived")->type == OD_JV_TRUE)
        st->archived = true;
    const struct od_jv *md = od_jv_get(sv, "metadata");
    const struct od_jv *closed = od_jv_get(md, "isClosed");
    const char *cs = od_jv_string(closed);
    if (closed && closed->type == OD_JV_TRUE)
        st->is_closed = true;
    else if (cs && (!strcmp(cs, "true") || !strcmp(cs, "false")))
        st->is_closed = !strcmp(cs, "true");
    else if (!od_jv_is_null(closed) && !(closed && closed->type == OD_JV_FALSE))
        return od_seterr("HubSpot pipeline %s stage %s: metadata.isClosed is not \"true\" or "
                         "\"false\"",
                         st->pipeline_id, st->stage_id);
    const char *p = str_or_num(od_jv_get(md, "probability"));
    if (p && probability_norm(p, st->probability) < 0)
        return od_seterr("HubSpot pipeline %s stage %s: metadata.probability \"%.20s\" is not a "
                         "decimal between 0 and 1",
                         st->pipeline_id, st->stage_id, p);
    return 0;
}

int od_hubspot_stages_parse(const char *body, size_t len, struct od_deal_stages *out)
{
    memset(out, 0, sizeof *out);
    struct od_json *doc = od_json_parse(body, len);
    if (!doc) return od_err_prefix("HubSpot deal pipelines");
    out->doc = doc;
    const struct od_jv *pls = od_jv_get(unwrap(od_json_root(doc)), "results");
    if (!pls || pls->type != OD_JV_ARRAY) {
        od_hubspot_stages_release(out);
        return od_seterr("HubSpot deal pipelines answer has no \"results\" array");
    }
    size_t cap = 0;
    for (const struct od_jv *pl = od_jv_first(pls); pl; pl = od_jv_next(pl)) {
        const char *pid = od_jv_string(od_jv_get(pl, "id"));
        if (!pid || !*pid) {
            od_hubspot_stages_release(out);
            return od_seterr("HubSpot deal pipelines: a pipeline has no id");
        }
        bool parch = od_jv_get(pl, "archived") && od_jv_get(pl, "archived")->type == OD_JV_TRUE;
        for (const struct od_jv *sv = od_jv_first(od_jv_get(pl, "stages")); sv;
             sv = od_jv_next(sv)) {
            if (out->n == cap) {
                cap = cap ? cap * 2 : 16;
                out->v = od_xrealloc(out->v, cap * sizeof *out->v);
            }
            struct od_deal_stage *st = &out->v[out->n];
            memset(st, 0, sizeof *st);
            st->pipeline_id = pid;
            st->pipeline_label = od_jv_string(od_jv_get(pl, "label"));
            st->archived = parch;
            if (stage_parse(sv, st) < 0) {
                od_hubspot_stages_release(out);
                return -1;
            }
            out->n++;
        }
    }
    if (out->n == 0) {
        od_hubspot_stages_release(out);
        return od_seterr("HubSpot deal pipelines answer lists no stage; keeping the stored ones");
    }
    return 0;
}

void od_hubspot_stages_release(struct od_deal_stages *st)
{
    od_json_free(st->doc);
    free(st->v);
    memset(st, 0, sizeof *st);
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
