/* sim_search — POST /crm/v3/objects/{companies,deals}/search and
 * POST /crm/v4/associations/deals/companies/batch/read.
 *
 * Search, one implementation for both object types (an object is seen through a `struct view`):
 * filterGroups are ORed, filters inside a group ANDed. Filterable: hs_lastmodifieddate,
 * createdate (epoch-ms strings or ISO datetimes), hs_object_id (number); deals also closedate
 * (a date) and dealstage (EQ/NEQ) — on companies those are refused with 400 like any property
 * the simulator does not know. One sort rule on a filterable number or date (default
 * hs_object_id ascending; ties by id). Archived deals and unused company slots never match.
 * limit <= 200; after + limit beyond 10,000 results is refused with 400 as upstream. */
#include "tests/sim/sim_hubspot.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_CAP 10000

enum op { OP_EQ, OP_NEQ, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_BETWEEN };
static const char *const op_names[] = {"EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN"};

/* Searchable properties; a view holds the numeric ones (all but SP_STAGE) in this order. */
enum sprop { SP_MODIFIED, SP_CREATED, SP_CLOSEDATE, SP_ID, SP_STAGE };
static const struct {
    const char *name;
    bool deal_only, date;
} sprops[] = {
    [SP_MODIFIED] = {"hs_lastmodifieddate", false, true},
    [SP_CREATED] = {"createdate", false, true},
    [SP_CLOSEDATE] = {"closedate", true, true},
    [SP_ID] = {"hs_object_id", false, false},
    [SP_STAGE] = {"dealstage", true, false},
};

static const char *const kind_names[] = {
    [SIM_OBJ_COMPANIES] = "companies", [SIM_OBJ_DEALS] = "deals"};

/* One object as search sees it. */
struct view {
    int64_t num[SP_STAGE];
    const char *stage; /* deals only */
    bool live;         /* searchable: an existing company, a deal not archived */
};

static void view_of(enum sim_object kind, int i, struct view *v)
{
    if (kind == SIM_OBJ_DEALS) {
        const struct sim_deal *d = &sim_world.deals[i];
        *v = (struct view){
            {d->updated_ms, d->created_ms, d->closedate_ms, d->id}, d->stage->id, !d->archived};
    } else {
        const struct sim_company *c = &sim_world.companies[i];
        *v = (struct view){
            {c->updated_ms, c->created_ms, 0, c->id}, NULL, c->exists && !c->archived};
    }
}

int search_object(const char *path)
{
    static const char pre[] = "/crm/v3/objects/";
    if (strncmp(path, pre, sizeof pre - 1)) return -1;
    for (int k = 0; k < (int)OD_ARRAY_LEN(kind_names); k++) {
        size_t n = strlen(kind_names[k]);
        if (!strncmp(path + sizeof pre - 1, kind_names[k], n) &&
            !strcmp(path + sizeof pre - 1 + n, "/search"))
            return k;
    }
    return -1;
}

struct filter {
    enum sprop prop;
    enum op op;
    int64_t lo, hi;
    const char *str; /* dealstage */
};

/* A searchable property of kind by name; -1 with od_seterr when there is none. */
static int sprop_find(enum sim_object kind, const cJSON *name, const char *what)
{
    for (int i = 0; i < (int)OD_ARRAY_LEN(sprops); i++)
        if (cJSON_IsString(name) && !strcmp(name->valuestring, sprops[i].name) &&
            (kind == SIM_OBJ_DEALS || !sprops[i].deal_only))
            return i;
    return od_seterr("the simulator cannot %s %s on %s", what, kind_names[kind],
                     cJSON_IsString(name) ? name->valuestring : "(no propertyName)");
}

static int parse_value(const cJSON *v, enum sprop prop, int64_t *out)
{
    char *end;
    if (cJSON_IsNumber(v)) {
        *out = (int64_t)v->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(v)) return -1;
    *out = strtoll(v->valuestring, &end, 10);
    if (*v->valuestring && !*end) return 0;
    return sprops[prop].date ? parse_iso_ms(v->valuestring, out) : -1;
}

static int parse_filter(enum sim_object kind, const cJSON *f, struct filter *out)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "propertyName");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(f, "operator");
    if (!cJSON_IsString(name) || !cJSON_IsString(op))
        return od_seterr("each filter needs propertyName and operator");
    int p = sprop_find(kind, name, "filter");
    if (p < 0) return -1;
    out->prop = (enum sprop)p;
    int k = -1;
    for (int i = 0; i < (int)OD_ARRAY_LEN(op_names); i++)
        if (!strcmp(op->valuestring, op_names[i])) k = i;
    if (k < 0 || (p == SP_STAGE && k > OP_NEQ))
        return od_seterr("operator %s is not supported on %s", op->valuestring, name->valuestring);
    out->op = (enum op)k;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "value");
    if (p == SP_STAGE) {
        if (!cJSON_IsString(v)) return od_seterr("dealstage filters need a string value");
        out->str = v->valuestring;
        return 0;
    }
    if (parse_value(v, out->prop, &out->lo) < 0 ||
        (k == OP_BETWEEN &&
         parse_value(cJSON_GetObjectItemCaseSensitive(f, "highValue"), out->prop, &out->hi) < 0))
        return od_seterr("filter on %s has a bad value (epoch milliseconds expected)",
                         name->valuestring);
    return 0;
}

static bool filter_match(const struct view *o, const struct filter *f)
{
    if (f->prop == SP_STAGE) return (strcmp(o->stage, f->str) == 0) == (f->op == OP_EQ);
    int64_t v = o->num[f->prop];
    switch (f->op) {
    case OP_EQ:
        return v == f->lo;
    case OP_NEQ:
        return v != f->lo;
    case OP_GT:
        return v > f->lo;
    case OP_GTE:
        return v >= f->lo;
    case OP_LT:
        return v < f->lo;
    case OP_LTE:
        return v <= f->lo;
    default:
        return v >= f->lo && v <= f->hi;
    }
}

/* A matching object: its index and sort key (negated for DESCENDING; values are >= 0). */
struct hit {
    int64_t key, id;
    int idx;
};

static int cmp_hits(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

struct search {
    struct filter groups[5][6];
    int nf[5], ngroups;
    enum sprop sort;
    bool desc;
    long limit, after;
};

/* Parse the request into s. -1 with od_seterr on error. */
static int parse_search(enum sim_object kind, const cJSON *req, struct search *s)
{
    const cJSON *fg = cJSON_GetObjectItemCaseSensitive(req, "filterGroups");
    const cJSON *g, *f;
    int total = 0;
    s->ngroups = 0;
    cJSON_ArrayForEach(g, fg)
    {
        if (s->ngroups == 5) return od_seterr("too many filterGroups (max 5)");
        int *nf = &s->nf[s->ngroups];
        *nf = 0;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(g, "filters"))
        {
            if (*nf == 6 || ++total > 18)
                return od_seterr("too many filters (max 6 per group, 18 in all)");
            if (parse_filter(kind, f, &s->groups[s->ngroups][(*nf)++]) < 0) return -1;
        }
        s->ngroups++;
    }
    const cJSON *sorts = cJSON_GetObjectItemCaseSensitive(req, "sorts");
    const cJSON *s0 = cJSON_GetArrayItem(sorts, 0);
    s->sort = SP_ID;
    s->desc = false;
    if (cJSON_GetArraySize(sorts) > 1) return od_seterr("only one sort is allowed");
    if (s0) {
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(s0, "direction");
        int p = sprop_find(kind, cJSON_GetObjectItemCaseSensitive(s0, "propertyName"), "sort");
        if (p < 0) return -1;
        if (p == SP_STAGE)
            return od_seterr("the simulator can only sort on dates and hs_object_id");
        s->sort = (enum sprop)p;
        s->desc = cJSON_IsString(dir) && !strcmp(dir->valuestring, "DESCENDING");
    }
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(req, "limit");
    const cJSON *ja = cJSON_GetObjectItemCaseSensitive(req, "after");
    s->limit = cJSON_IsNumber(jl) ? (long)jl->valuedouble : 10;
    s->after = cJSON_IsNumber(ja)   ? (long)ja->valuedouble
               : cJSON_IsString(ja) ? strtol(ja->valuestring, NULL, 10)
                                    : 0;
    if (s->limit < 1 || s->limit > 200) return od_seterr("limit must be between 1 and 200");
    if (s->after < 0) return od_seterr("after must be a non-negative integer string");
    if (s->after + s->limit > SEARCH_CAP)
        return od_seterr("Cannot page beyond %d results: after + limit (%ld) exceeds the "
                         "search limit",
                         SEARCH_CAP, s->after + s->limit);
    return 0;
}

static bool search_match(const struct search *s, const struct view *o)
{
    if (!o->live) return false;
    bool any = s->ngroups == 0;
    for (int g = 0; g < s->ngroups && !any; g++) {
        bool all = true;
        for (int k = 0; k < s->nf[g] && all; k++)
            all = filter_match(o, &s->groups[g][k]);
        any = all;
    }
    return any;
}

void search_handle(struct sim_req *r, enum sim_object kind)
{
    struct search s;
    cJSON *req = cJSON_ParseWithLength(r->body.buf ? r->body.buf : "", r->body.len);
    if (!req || parse_search(kind, req, &s) < 0) {
        hubspot_error(r, 400, "VALIDATION_ERROR", req ? od_err() : "Invalid input JSON");
        cJSON_Delete(req);
        return;
    }
    struct sim_world *w = &sim_world;
    bool deals = kind == SIM_OBJ_DEALS;
    struct prop_list pl;
    props_from_json(&pl, cJSON_GetObjectItemCaseSensitive(req, "properties"), deals);
    int count = deals ? w->ndeals : w->ncompanies, n = 0;
    struct hit *sel = od_xcalloc((size_t)count + 1, sizeof *sel);
    cJSON *doc = cJSON_CreateObject();
    pthread_rwlock_rdlock(&w->lock);
    for (int i = 0; i < count; i++) {
        struct view o;
        view_of(kind, i, &o);
        if (search_match(&s, &o))
            sel[n++] = (struct hit){s.desc ? -o.num[s.sort] : o.num[s.sort], o.num[SP_ID], i};
    }
    cJSON_Delete(req); /* dealstage filters point into it */
    qsort(sel, (size_t)n, sizeof *sel, cmp_hits);
    od_json_add_i64(doc, "total", n);
    cJSON *results = cJSON_AddArrayToObject(doc, "results");
    for (long i = s.after; i < n && i < s.after + s.limit; i++)
        cJSON_AddItemToArray(results, deals ? deal_json(&w->deals[sel[i].idx], &pl)
                                            : company_json(&w->companies[sel[i].idx], &pl));
    pthread_rwlock_unlock(&w->lock);
    if (s.after + s.limit < n) {
        char next[32];
        snprintf(next, sizeof next, "%ld", s.after + s.limit);
        cJSON *nx = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "paging"), "next");
        cJSON_AddStringToObject(nx, "after", next);
    }
    free(sel);
    props_release(&pl);
    resp_json(r, 200, doc);
}

static cJSON *assoc_type(int type_id, const char *label)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "category", "HUBSPOT_DEFINED");
    cJSON_AddNumberToObject(t, "typeId", type_id);
    od_json_add_str(t, "label", label);
    return t;
}

void assoc_handle(struct sim_req *r)
{
    cJSON *req = cJSON_ParseWithLength(r->body.buf ? r->body.buf : "", r->body.len);
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(req, "inputs"), *in;
    if (!cJSON_IsArray(inputs) || cJSON_GetArraySize(inputs) > 1000) {
        hubspot_error(r, 400, "VALIDATION_ERROR",
                      "Invalid input: expected {\"inputs\":[{\"id\":\"...\"}]} with at most 1000 "
                      "inputs");
        cJSON_Delete(req);
        return;
    }
    cJSON *doc = cJSON_CreateObject(), *errors = cJSON_CreateArray();
    cJSON_AddStringToObject(doc, "status", "COMPLETE");
    cJSON *results = cJSON_AddArrayToObject(doc, "results");
    pthread_rwlock_rdlock(&sim_world.lock);
    cJSON_ArrayForEach(in, inputs)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(in, "id");
        const char *ids = cJSON_IsString(id) ? id->valuestring : NULL;
        char num[32];
        if (cJSON_IsNumber(id)) {
            snprintf(num, sizeof num, "%.0f", id->valuedouble);
            ids = num;
        }
        int k = deal_index(ids);
        if (k < 0) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "status", "error");
            cJSON_AddStringToObject(e, "category", "OBJECT_NOT_FOUND");
            cJSON_AddStringToObject(e, "message", "No deal with this id");
            cJSON_AddItemToObject(e, "context", cJSON_CreateObject());
            cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_GetObjectItem(e, "context"), "ids"),
                                 cJSON_CreateString(ids ? ids : ""));
            cJSON_AddItemToArray(errors, e);
            continue;
        }
        const struct sim_deal *d = &sim_world.deals[k];
        cJSON *res = cJSON_CreateObject(), *tos;
        json_add_id_str(cJSON_AddObjectToObject(res, "from"), "id", d->id);
        tos = cJSON_AddArrayToObject(res, "to");
        /* archived companies lose their associations upstream (they are in the recycle bin) */
        for (int c = 0; c < 2; c++) {
            int ci = c ? d->company2 : d->company;
            if (ci < 0 || sim_world.companies[ci].archived) continue;
            cJSON *to = cJSON_CreateObject(), *types;
            od_json_add_i64(to, "toObjectId", sim_world.companies[ci].id);
            types = cJSON_AddArrayToObject(to, "associationTypes");
            if (d->primary == c) cJSON_AddItemToArray(types, assoc_type(5, "Primary"));
            cJSON_AddItemToArray(types, assoc_type(341, NULL));
            cJSON_AddItemToArray(tos, to);
        }
        cJSON_AddItemToArray(results, res);
    }
    pthread_rwlock_unlock(&sim_world.lock);
    cJSON_Delete(req);
    int nerr = cJSON_GetArraySize(errors);
    if (nerr) {
        cJSON_AddNumberToObject(doc, "numErrors", nerr);
        cJSON_AddItemToObject(doc, "errors", errors);
    } else {
        cJSON_Delete(errors);
    }
    json_add_iso_ms(doc, "startedAt", sim_world.t0_s * 1000);
    json_add_iso_ms(doc, "completedAt", sim_world.t0_s * 1000);
    resp_json(r, nerr ? 207 : 200, doc);
}
