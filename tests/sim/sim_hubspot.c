/* sim_hubspot — HubSpot CRM list endpoints (companies, deals, owners, deal pipelines), routing of
 * the search
 * endpoints (companies, deals; sim_search.c) on the search rate-limit bucket, authentication
 * (private-app token or a sim-issued OAuth access token) and object/property JSON.
 * Every property value is a string; unset properties that were asked for are null. */
#include "tests/sim/sim_hubspot.h"
#include "tests/sim/sim_limits.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const deal_defaults[] = {"dealname", "amount", "closedate", "pipeline",
                                            "dealstage"};
static const char *const company_defaults[] = {"name", "domain"};
static const char *const always[] = {"createdate", "hs_lastmodifieddate", "hs_object_id"};

bool hubspot_auth(struct sim_req *r)
{
    const char *auth = req_header(r, "Authorization");
    const char *tok = auth && !strncasecmp(auth, "Bearer ", 7) ? auth + 7 : NULL;
    int64_t ago = 0;
    if (tok && !strcmp(tok, sim_cfg.hubspot_token)) return true;
    int st = tok ? oauth_check_access(tok, &ago) : 0;
    if (st == 1) return true;
    if (st < 0) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "The OAuth token used to make this call expired %lld second(s) ago.",
                 (long long)ago);
        hubspot_error(r, 401, "EXPIRED_AUTHENTICATION", msg);
    } else {
        hubspot_error(r, 401, "INVALID_AUTHENTICATION",
                      "Authentication credentials not found. This API supports OAuth 2.0 "
                      "authentication and you can find more details at "
                      "https://developers.hubspot.com/docs/methods/auth/oauth-overview");
    }
    return false;
}

static void props_add(struct prop_list *pl, const char *name, size_t len)
{
    for (int i = 0; i < pl->n; i++)
        if (strlen(pl->names[i]) == len && !strncmp(pl->names[i], name, len)) return;
    pl->names = od_xrealloc(pl->names, (size_t)(pl->n + 1) * sizeof *pl->names);
    pl->names[pl->n++] = od_xstrndup(name, len);
}

static void props_defaults(struct prop_list *pl, bool deals, bool requested)
{
    if (!requested) {
        const char *const *d = deals ? deal_defaults : company_defaults;
        size_t n = deals ? OD_ARRAY_LEN(deal_defaults) : OD_ARRAY_LEN(company_defaults);
        for (size_t i = 0; i < n; i++)
            props_add(pl, d[i], strlen(d[i]));
    }
    for (size_t i = 0; i < OD_ARRAY_LEN(always); i++)
        props_add(pl, always[i], strlen(always[i]));
}

void props_from_csv(struct prop_list *pl, const char *csv, bool deals)
{
    memset(pl, 0, sizeof *pl);
    for (const char *p = csv; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len) props_add(pl, p, len);
        p = comma ? comma + 1 : NULL;
    }
    props_defaults(pl, deals, pl->n > 0);
}

void props_from_json(struct prop_list *pl, const cJSON *arr, bool deals)
{
    const cJSON *it;
    memset(pl, 0, sizeof *pl);
    cJSON_ArrayForEach(it, arr)
    {
        if (cJSON_IsString(it) && *it->valuestring)
            props_add(pl, it->valuestring, strlen(it->valuestring));
    }
    props_defaults(pl, deals, pl->n > 0);
}

void props_release(struct prop_list *pl)
{
    for (int i = 0; i < pl->n; i++)
        free(pl->names[i]);
    free(pl->names);
    memset(pl, 0, sizeof *pl);
}

/* Value of one property: true if the object has it (value may be NULL = null). */
static bool deal_prop(const struct sim_deal *d, const char *name, char buf[64], const char **val)
{
    *val = buf;
    if (!strcmp(name, "dealname"))
        *val = d->name;
    else if (!strcmp(name, "amount"))
        d->amount == SIM_NULL ? (void)(*val = NULL) : fmt_fixed2(d->amount, buf);
    else if (!strcmp(name, "closedate"))
        fmt_iso_ms(d->closedate_ms, buf);
    else if (!strcmp(name, "pipeline"))
        *val = sim_pipelines[d->pipeline].id;
    else if (!strcmp(name, "dealstage"))
        *val = d->stage->id;
    else if (!strcmp(name, "hubspot_owner_id"))
        snprintf(buf, 64, "%lld", (long long)sim_world.owners[d->owner].id);
    else if (!strcmp(name, "createdate"))
        fmt_iso_ms(d->created_ms, buf);
    else if (!strcmp(name, "hs_lastmodifieddate"))
        fmt_iso_ms(d->updated_ms, buf);
    else if (!strcmp(name, "hs_object_id"))
        snprintf(buf, 64, "%lld", (long long)d->id);
    else if (!strcmp(name, "hs_is_closed_won"))
        *val = world_stage_won(d->stage) ? "true" : "false";
    else if (!strcmp(name, "hs_is_closed"))
        *val = d->stage->closed ? "true" : "false";
    else
        return false;
    return true;
}

static bool company_prop(const struct sim_company *c, const char *name, char buf[64],
                         const char **val)
{
    *val = buf;
    if (!strcmp(name, "name"))
        *val = c->name[0] ? c->name : NULL;
    else if (!strcmp(name, "domain"))
        *val = c->domain[0] ? c->domain : NULL;
    else if (!strcmp(name, "createdate"))
        fmt_iso_ms(c->created_ms, buf);
    else if (!strcmp(name, "hs_lastmodifieddate"))
        fmt_iso_ms(c->updated_ms, buf);
    else if (!strcmp(name, "hs_object_id"))
        snprintf(buf, 64, "%lld", (long long)c->id);
    else
        return false;
    return true;
}

static cJSON *object_json(int64_t id, int64_t created_ms, int64_t updated_ms, int64_t archived_ms,
                          cJSON *props)
{
    cJSON *o = cJSON_CreateObject();
    json_add_id_str(o, "id", id);
    cJSON_AddItemToObject(o, "properties", props);
    json_add_iso_ms(o, "createdAt", created_ms);
    json_add_iso_ms(o, "updatedAt", updated_ms);
    cJSON_AddBoolToObject(o, "archived", archived_ms != 0);
    if (archived_ms) json_add_iso_ms(o, "archivedAt", archived_ms);
    return o;
}

cJSON *deal_json(const struct sim_deal *d, const struct prop_list *pl)
{
    cJSON *props = cJSON_CreateObject();
    char buf[64];
    const char *v;
    for (int i = 0; i < pl->n; i++)
        if (deal_prop(d, pl->names[i], buf, &v)) od_json_add_str(props, pl->names[i], v);
    return object_json(d->id, d->created_ms, d->updated_ms, d->archived ? d->archived_ms : 0,
                       props);
}

cJSON *company_json(const struct sim_company *c, const struct prop_list *pl)
{
    cJSON *props = cJSON_CreateObject();
    char buf[64];
    const char *v;
    for (int i = 0; i < pl->n; i++)
        if (company_prop(c, pl->names[i], buf, &v)) od_json_add_str(props, pl->names[i], v);
    return object_json(c->id, c->created_ms, c->updated_ms, c->archived ? c->archived_ms : 0,
                       props);
}

int deal_index(const char *id)
{
    char *end;
    long long v = id ? strtoll(id, &end, 10) : -1;
    if (!id || *end || v < SIM_DEAL_ID0 || v >= SIM_DEAL_ID0 + sim_world.ndeals) return -1;
    return (int)(v - SIM_DEAL_ID0);
}

static cJSON *owner_json(const struct sim_owner *o)
{
    cJSON *j = cJSON_CreateObject();
    json_add_id_str(j, "id", o->id);
    cJSON_AddStringToObject(j, "email", o->email);
    cJSON_AddStringToObject(j, "type", "PERSON");
    cJSON_AddStringToObject(j, "firstName", o->first);
    cJSON_AddStringToObject(j, "lastName", o->last);
    od_json_add_i64(j, "userId", 9000000 + o->id % 1000000);
    od_json_add_i64(j, "userIdIncludingInactive", 9000000 + o->id % 1000000);
    json_add_iso_ms(j, "createdAt", o->created_ms);
    json_add_iso_ms(j, "updatedAt", o->updated_ms);
    cJSON_AddBoolToObject(j, "archived", false);
    return j;
}

enum list_kind { LIST_COMPANIES, LIST_DEALS, LIST_OWNERS };

/* Does slot i of the collection belong in the listing? */
static bool list_member(enum list_kind k, int i, bool archived)
{
    if (k == LIST_COMPANIES)
        return sim_world.companies[i].exists && sim_world.companies[i].archived == archived;
    if (k == LIST_DEALS) return sim_world.deals[i].archived == archived;
    return !archived;
}

static void list_objects(struct sim_req *r, enum list_kind kind)
{
    static const int64_t id0[] = {SIM_COMPANY_ID0, SIM_DEAL_ID0, SIM_OWNER_ID0};
    static const int stride[] = {1, 1, 13};
    struct sim_world *w = &sim_world;
    int n = kind == LIST_COMPANIES ? w->ncompanies : kind == LIST_DEALS ? w->ndeals : w->nowners;
    long limit, after;
    const char *arch = req_arg(r, "archived");
    if (arg_long(r, "limit", 1, kind == LIST_OWNERS ? 500 : 100, kind == LIST_OWNERS ? 100 : 10,
                 &limit) < 0 ||
        arg_long(r, "after", 0, LONG_MAX, id0[kind], &after) < 0 ||
        (arch && strcmp(arch, "true") && strcmp(arch, "false"))) {
        hubspot_error(r, 400, "VALIDATION_ERROR",
                      "Invalid input: limit must be 1-100, after a value from paging.next.after, "
                      "archived true or false");
        return;
    }
    bool archived = arch && !strcmp(arch, "true");
    struct prop_list pl;
    props_from_csv(&pl, req_arg(r, "properties"), kind == LIST_DEALS);
    cJSON *doc = cJSON_CreateObject();
    cJSON *results = cJSON_AddArrayToObject(doc, "results");
    pthread_rwlock_rdlock(&w->lock);
    int i = after > id0[kind] ? (int)((after - id0[kind] + stride[kind] - 1) / stride[kind]) : 0;
    for (long got = 0; i < n; i++) {
        if (!list_member(kind, i, archived)) continue;
        if (got++ == limit) break;
        cJSON_AddItemToArray(results, kind == LIST_COMPANIES ? company_json(&w->companies[i], &pl)
                                      : kind == LIST_DEALS   ? deal_json(&w->deals[i], &pl)
                                                             : owner_json(&w->owners[i]));
    }
    pthread_rwlock_unlock(&w->lock);
    props_release(&pl);
    if (i < n) {
        struct strbuf link = STRBUF_INIT;
        char next[32];
        snprintf(next, sizeof next, "%lld", (long long)(id0[kind] + (int64_t)i * stride[kind]));
        cJSON *nx = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "paging"), "next");
        cJSON_AddStringToObject(nx, "after", next);
        req_base_url(r, &link);
        sb_addf(&link, "%s?limit=%ld&after=%s", r->url, limit, next);
        if (req_arg(r, "properties")) {
            sb_add(&link, "&properties=");
            url_encode(&link, req_arg(r, "properties"));
        }
        if (archived) sb_add(&link, "&archived=true");
        cJSON_AddStringToObject(nx, "link", sb_str(&link));
        sb_release(&link);
    }
    resp_json(r, 200, doc);
}

/* GET /crm/v3/pipelines/deals: every pipeline with its stages (no paging). Stage metadata values
 * are strings, as upstream ({"isClosed":"true","probability":"1.0"}). */
static void list_pipelines(struct sim_req *r)
{
    char created[32];
    fmt_iso_ms(0, created); /* default pipelines have createdAt 0 upstream */
    cJSON *doc = cJSON_CreateObject(), *results = cJSON_AddArrayToObject(doc, "results");
    for (int p = 0; p < sim_npipelines; p++) {
        const struct sim_pipeline *pl = &sim_pipelines[p];
        cJSON *pj = cJSON_CreateObject(), *stages;
        cJSON_AddStringToObject(pj, "label", pl->label);
        cJSON_AddNumberToObject(pj, "displayOrder", p);
        cJSON_AddStringToObject(pj, "id", pl->id);
        stages = cJSON_AddArrayToObject(pj, "stages");
        for (int k = 0; k < pl->nstages; k++) {
            const struct sim_stage *st = &pl->stages[k];
            cJSON *sj = cJSON_CreateObject();
            cJSON_AddStringToObject(sj, "label", st->label);
            cJSON_AddNumberToObject(sj, "displayOrder", k);
            cJSON *md = cJSON_AddObjectToObject(sj, "metadata");
            cJSON_AddStringToObject(md, "isClosed", st->closed ? "true" : "false");
            cJSON_AddStringToObject(md, "probability", st->probability);
            cJSON_AddStringToObject(sj, "id", st->id);
            cJSON_AddStringToObject(sj, "createdAt", created);
            cJSON_AddStringToObject(sj, "updatedAt", created);
            cJSON_AddBoolToObject(sj, "archived", false);
            cJSON_AddItemToArray(stages, sj);
        }
        cJSON_AddStringToObject(pj, "createdAt", created);
        cJSON_AddStringToObject(pj, "updatedAt", created);
        cJSON_AddBoolToObject(pj, "archived", false);
        cJSON_AddItemToArray(results, pj);
    }
    resp_json(r, 200, doc);
}

/* GET /crm/v3/objects/deals/{id} and /crm/v3/objects/companies/{id}: one object with the
 * requested properties; archived deals only with archived=true (else 404, as HubSpot). */
static void get_object(struct sim_req *r, const char *idstr, bool deals)
{
    struct sim_world *w = &sim_world;
    const char *arch = req_arg(r, "archived");
    bool archived = arch && !strcmp(arch, "true");
    char *end;
    long long id = strtoll(idstr, &end, 10);
    struct prop_list pl;
    props_from_csv(&pl, req_arg(r, "properties"), deals);
    cJSON *doc = NULL;
    pthread_rwlock_rdlock(&w->lock);
    if (deals) {
        int i = deal_index(idstr);
        if (i >= 0 && (!w->deals[i].archived || archived)) doc = deal_json(&w->deals[i], &pl);
    } else if (!*end && id >= SIM_COMPANY_ID0 && id < SIM_COMPANY_ID0 + w->ncompanies &&
               w->companies[id - SIM_COMPANY_ID0].exists) {
        doc = company_json(&w->companies[id - SIM_COMPANY_ID0], &pl);
    }
    pthread_rwlock_unlock(&w->lock);
    props_release(&pl);
    if (doc)
        resp_json(r, 200, doc);
    else
        hubspot_error(r, 404, "OBJECT_NOT_FOUND", "Object not found.");
}

void hubspot_handle(struct sim_req *r, const char *path)
{
    static const char deals_p[] = "/crm/v3/objects/deals/",
                      companies_p[] = "/crm/v3/objects/companies/";
    bool get = !strcmp(r->method, "GET"), post = !strcmp(r->method, "POST");
    int search = post ? search_object(path) : -1;
    if (!hubspot_auth(r) || !limits_gate(r, search >= 0 ? BUCKET_SEARCH : BUCKET_HUBSPOT)) return;
    if (get && !strcmp(path, "/crm/v3/objects/companies"))
        list_objects(r, LIST_COMPANIES);
    else if (get && !strcmp(path, "/crm/v3/objects/deals"))
        list_objects(r, LIST_DEALS);
    else if (get && !strcmp(path, "/crm/v3/owners"))
        list_objects(r, LIST_OWNERS);
    else if (get && !strcmp(path, "/crm/v3/pipelines/deals"))
        list_pipelines(r);
    else if (get && !strncmp(path, deals_p, sizeof deals_p - 1))
        get_object(r, path + sizeof deals_p - 1, true);
    else if (get && !strncmp(path, companies_p, sizeof companies_p - 1))
        get_object(r, path + sizeof companies_p - 1, false);
    else if (search >= 0)
        search_handle(r, (enum sim_object)search);
    else if (post && !strcmp(path, "/crm/v4/associations/deals/companies/batch/read"))
        assoc_handle(r);
    else
        hubspot_error(r, 404, "OBJECT_NOT_FOUND", "Unknown endpoint in the simulator");
}
