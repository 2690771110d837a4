/* sim_search — POST /crm/v3/objects/deals/search and
 * POST /crm/v4/associations/deals/companies/batch/read.
 *
 * Search: filterGroups are ORed, filters inside a group ANDed. Filterable: hs_lastmodifieddate,
 * createdate, closedate (epoch-ms strings or ISO datetimes), hs_object_id (number), dealstage
 * (EQ/NEQ). One sort rule (default hs_object_id ascending; ties by id). Archived deals never
 * match. limit <= 200; after + limit beyond 10,000 results is refused with 400 as upstream. */
#include "tests/sim/sim_hubspot.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_CAP 10000

enum op { OP_EQ, OP_NEQ, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_BETWEEN };
static const char *const op_names[] = {"EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN"};
static const char *const num_props[] = {"hs_lastmodifieddate", "createdate", "closedate",
                                        "hs_object_id"};

struct filter {
    int prop; /* index into num_props, or -1 for dealstage */
    enum op op;
    int64_t lo, hi;
    const char *str;
};

static int64_t num_value(const struct sim_deal *d, int prop)
{
    switch (prop) {
    case 0:
        return d->updated_ms;
    case 1:
        return d->created_ms;
    case 2:
        return d->closedate_ms;
    default:
        return d->id;
    }
}

static int parse_value(const cJSON *v, int prop, int64_t *out)
{
    char *end;
    if (cJSON_IsNumber(v)) {
        *out = (int64_t)v->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(v)) return -1;
    *out = strtoll(v->valuestring, &end, 10);
    if (*v->valuestring && !*end) return 0;
    return prop < 3 ? parse_iso_ms(v->valuestring, out) : -1;
}

static int parse_filter(const cJSON *f, struct filter *out)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "propertyName");
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(f, "operator");
    if (!cJSON_IsString(name) || !cJSON_IsString(op))
        return od_seterr("each filter needs propertyName and operator");
    out->prop = -2;
    for (int i = 0; i < (int)OD_ARRAY_LEN(num_props); i++)
        if (!strcmp(name->valuestring, num_props[i])) out->prop = i;
    if (!strcmp(name->valuestring, "dealstage")) out->prop = -1;
    if (out->prop == -2) return od_seterr("the simulator cannot filter on %s", name->valuestring);
    int k = -1;
    for (int i = 0; i < (int)OD_ARRAY_LEN(op_names); i++)
        if (!strcmp(op->valuestring, op_names[i])) k = i;
    if (k < 0 || (out->prop == -1 && k > OP_NEQ))
        return od_seterr("operator %s is not supported on %s", op->valuestring, name->valuestring);
    out->op = (enum op)k;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "value");
    if (out->prop == -1) {
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

static bool filter_match(const struct sim_deal *d, const struct filter *f)
{
    if (f->prop == -1) return (strcmp(d->stage, f->str) == 0) == (f->op == OP_EQ);
    int64_t v = num_value(d, f->prop);
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

struct sort_ctx {
    int prop;
    bool desc;
};

static int cmp_deals(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *s = arg;
    const struct sim_deal *x = &sim_world.deals[*(const int *)a];
    const struct sim_deal *y = &sim_world.deals[*(const int *)b];
    int64_t vx = num_value(x, s->prop), vy = num_value(y, s->prop);
    int c = vx < vy ? -1 : vx > vy;
    if (s->desc) c = -c;
    return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

/* Parse the request; fills groups (ngroups x up to 6 filters). -1 with od_seterr on error. */
static int parse_search(const cJSON *req, struct filter groups[5][6], int nf[5], int *ngroups,
                        struct sort_ctx *sort, long *limit, long *after)
{
    const cJSON *fg = cJSON_GetObjectItemCaseSensitive(req, "filterGroups");
    const cJSON *g, *f;
    int total = 0;
    *ngroups = 0;
    cJSON_ArrayForEach(g, fg)
    {
        if (*ngroups == 5) return od_seterr("too many filterGroups (max 5)");
        nf[*ngroups] = 0;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(g, "filters"))
        {
            if (nf[*ngroups] == 6 || ++total > 18)
                return od_seterr("too many filters (max 6 per group, 18 in all)");
            if (parse_filter(f, &groups[*ngroups][nf[*ngroups]++]) < 0) return -1;
        }
        (*ngroups)++;
    }
    const cJSON *sorts = cJSON_GetObjectItemCaseSensitive(req, "sorts");
    const cJSON *s0 = cJSON_GetArrayItem(sorts, 0);
    sort->prop = 3;
    sort->desc = false;
    if (cJSON_GetArraySize(sorts) > 1) return od_seterr("only one sort is allowed");
    if (s0) {
        const cJSON *pn = cJSON_GetObjectItemCaseSensitive(s0, "propertyName");
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(s0, "direction");
        sort->prop = -1;
        for (int i = 0; i < (int)OD_ARRAY_LEN(num_props); i++)
            if (cJSON_IsString(pn) && !strcmp(pn->valuestring, num_props[i])) sort->prop = i;
        if (sort->prop < 0)
            return od_seterr("the simulator can only sort on dates and hs_object_id");
        sort->desc = cJSON_IsString(dir) && !strcmp(dir->valuestring, "DESCENDING");
    }
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(req, "limit");
    const cJSON *ja = cJSON_GetObjectItemCaseSensitive(req, "after");
    *limit = cJSON_IsNumber(jl) ? (long)jl->valuedouble : 10;
    *after = cJSON_IsNumber(ja)   ? (long)ja->valuedouble
             : cJSON_IsString(ja) ? strtol(ja->valuestring, NULL, 10)
                                  : 0;
    if (*limit < 1 || *limit > 200) return od_seterr("limit must be between 1 and 200");
    if (*after < 0) return od_seterr("after must be a non-negative integer string");
    if (*after + *limit > SEARCH_CAP)
        return od_seterr("Cannot page beyond %d results: after + limit (%ld) exceeds the "
                         "search limit",
                         SEARCH_CAP, *after + *limit);
    return 0;
}

void search_handle(struct sim_req *r)
{
    struct filter groups[5][6];
    int nf[5], ngroups;
    struct sort_ctx sort;
    long limit = 10, after = 0;
    cJSON *req = cJSON_ParseWithLength(r->body.buf ? r->body.buf : "", r->body.len);
    if (!req || parse_search(req, groups, nf, &ngroups, &sort, &limit, &after) < 0) {
        hubspot_error(r, 400, "VALIDATION_ERROR", req ? od_err() : "Invalid input JSON");
        cJSON_Delete(req);
        return;
    }
    struct sim_world *w = &sim_world;
    struct prop_list pl;
    props_from_json(&pl, cJSON_GetObjectItemCaseSensitive(req, "properties"), true);
    int *sel = od_xcalloc((size_t)w->ndeals, sizeof *sel), n = 0;
    cJSON *doc = cJSON_CreateObject();
    pthread_rwlock_rdlock(&w->lock);
    for (int i = 0; i < w->ndeals; i++) {
        const struct sim_deal *d = &w->deals[i];
        bool any = ngroups == 0;
        for (int g = 0; g < ngroups && !any; g++) {
            bool all = true;
            for (int k = 0; k < nf[g] && all; k++)
                all = filter_match(d, &groups[g][k]);
            any = all;
        }
        if (any && !d->archived) sel[n++] = i;
    }
    cJSON_Delete(req); /* dealstage filters point into it */
    qsort_r(sel, (size_t)n, sizeof *sel, cmp_deals, &sort);
    json_add_int(doc, "total", n);
    cJSON *results = cJSON_AddArrayToObject(doc, "results");
    for (long i = after; i < n && i < after + limit; i++)
        cJSON_AddItemToArray(results, deal_json(&w->deals[sel[i]], &pl));
    pthread_rwlock_unlock(&w->lock);
    if (after + limit < n) {
        char next[32];
        snprintf(next, sizeof next, "%ld", after + limit);
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
    json_add_str_or_null(t, "label", label);
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
        cJSON *res = cJSON_CreateObject(), *to = cJSON_CreateObject(), *types;
        json_add_id_str(cJSON_AddObjectToObject(res, "from"), "id", sim_world.deals[k].id);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "to"), to);
        json_add_int(to, "toObjectId", sim_world.companies[sim_world.deals[k].company].id);
        types = cJSON_AddArrayToObject(to, "associationTypes");
        cJSON_AddItemToArray(types, assoc_type(5, "Primary"));
        cJSON_AddItemToArray(types, assoc_type(341, NULL));
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
