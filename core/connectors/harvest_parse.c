/* harvest_parse — Harvest v2 field tables and page envelope. See harvest_parse.h. */
#include "core/connectors/harvest_parse.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQ true
#define OPT false

static const struct od_field client_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"name", "name", OD_F_TEXT, REQ, NULL},
    {"is_active", "is_active", OD_F_BOOL, OPT, "t"},
    {"currency", "currency", OD_F_TEXT, OPT, NULL},
    {"created_at", "created_at", OD_F_TS, OPT, NULL},
    {"updated_at", "updated_at", OD_F_TS, REQ, NULL},
};

static const struct od_field project_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"client_id", "client.id", OD_F_ID, REQ, NULL},
    {"name", "name", OD_F_TEXT, REQ, NULL},
    {"code", "code", OD_F_TEXT, OPT, NULL},
    {"is_active", "is_active", OD_F_BOOL, OPT, "t"},
    {"is_billable", "is_billable", OD_F_BOOL, OPT, "t"},
    {"is_fixed_fee", "is_fixed_fee", OD_F_BOOL, OPT, "f"},
    {"bill_by", "bill_by", OD_F_TEXT, OPT, NULL},
    {"budget", "budget", OD_F_MONEY, OPT, NULL},
    {"budget_by", "budget_by", OD_F_TEXT, OPT, NULL},
    {"cost_budget", "cost_budget", OD_F_MONEY, OPT, NULL},
    {"hourly_rate", "hourly_rate", OD_F_MONEY, OPT, NULL},
    {"fee", "fee", OD_F_MONEY, OPT, NULL},
    {"starts_on", "starts_on", OD_F_DATE, OPT, NULL},
    {"ends_on", "ends_on", OD_F_DATE, OPT, NULL},
    {"created_at", "created_at", OD_F_TS, OPT, NULL},
    {"updated_at", "updated_at", OD_F_TS, REQ, NULL},
};

static const struct od_field user_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"first_name", "first_name", OD_F_TEXT, OPT, NULL},
    {"last_name", "last_name", OD_F_TEXT, OPT, NULL},
    {"email", "email", OD_F_TEXT, OPT, NULL},
    {"is_active", "is_active", OD_F_BOOL, OPT, "t"},
    {"is_contractor", "is_contractor", OD_F_BOOL, OPT, "f"},
    {"cost_rate", "cost_rate", OD_F_MONEY, OPT, NULL},
    {"default_hourly_rate", "default_hourly_rate", OD_F_MONEY, OPT, NULL},
    {"created_at", "created_at", OD_F_TS, OPT, NULL},
    {"updated_at", "updated_at", OD_F_TS, REQ, NULL},
};

static const struct od_field task_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"name", "name", OD_F_TEXT, REQ, NULL},
    {"billable_by_default", "billable_by_default", OD_F_BOOL, OPT, NULL},
    {"default_hourly_rate", "default_hourly_rate", OD_F_MONEY, OPT, NULL},
    {"is_active", "is_active", OD_F_BOOL, OPT, "t"},
    {"created_at", "created_at", OD_F_TS, OPT, NULL},
    {"updated_at", "updated_at", OD_F_TS, REQ, NULL},
};

/* The order here is the COPY column order of the time-entry stage (rollup.c relies on the
 * names, not the order). */
static const struct od_field entry_fields[] = {
    {"id", "id", OD_F_ID, REQ, NULL},
    {"spent_date", "spent_date", OD_F_DATE, REQ, NULL},
    {"user_id", "user.id", OD_F_ID, REQ, NULL},
    {"client_id", "client.id", OD_F_ID, REQ, NULL},
    {"project_id", "project.id", OD_F_ID, REQ, NULL},
    {"task_id", "task.id", OD_F_ID, OPT, NULL},
    {"hours", "hours", OD_F_HOURS, REQ, NULL},
    {"rounded_hours", "rounded_hours", OD_F_HOURS, OPT, NULL},
    {"billable", "billable", OD_F_BOOL, OPT, "f"},
    {"billable_rate", "billable_rate", OD_F_MONEY, OPT, NULL},
    {"cost_rate", "cost_rate", OD_F_MONEY, OPT, NULL},
    {"is_running", "is_running", OD_F_BOOL, OPT, "f"},
    {"is_locked", "is_locked", OD_F_BOOL, OPT, "f"},
    {"notes", "notes", OD_F_TEXT, OPT, NULL},
    {"created_at", "created_at", OD_F_TS, OPT, NULL},
    {"updated_at", "updated_at", OD_F_TS, REQ, NULL},
};

#define RES(n, t, f)                                                                               \
    {                                                                                              \
        "harvest", n, "/v2/" n, n, t, f, (int)OD_ARRAY_LEN(f), false                               \
    }
static const struct od_resource resources[] = {
    RES("clients", "harvest_clients", client_fields),
    RES("projects", "harvest_projects", project_fields),
    RES("users", "harvest_users", user_fields),
    RES("tasks", "harvest_tasks", task_fields),
    RES("time_entries", "harvest_time_entries", entry_fields),
};

const struct od_resource *od_harvest_resource(const char *name)
{
    for (size_t i = 0; i < OD_ARRAY_LEN(resources); i++)
        if (strcmp(resources[i].name, name) == 0) return &resources[i];
    return NULL;
}

int od_harvest_page_parse(const struct od_resource *res, const char *body, size_t len,
                          struct od_harvest_page *out)
{
    memset(out, 0, sizeof *out);
    out->total_entries = -1;
    struct od_json *doc = od_json_parse(body, len);
    if (!doc) {
        char pre[96];
        snprintf(pre, sizeof pre, "Harvest %s page", res->name);
        return od_err_prefix(pre);
    }
    const struct od_jv *root = od_json_root(doc);
    const struct od_jv *recs = od_jv_get(root, res->collection);
    if (!recs || recs->type != OD_JV_ARRAY) {
        od_json_free(doc);
        return od_seterr("Harvest %s page has no \"%s\" array", res->name, res->collection);
    }
    const struct od_jv *next = od_jv_path(root, "links.next");
    if (next && next->type != OD_JV_NULL && next->type != OD_JV_STRING) {
        od_json_free(doc);
        return od_seterr("Harvest %s page: links.next is neither a URL nor null", res->name);
    }
    const char *total = od_jv_number(od_jv_get(root, "total_entries"));
    out->doc = doc;
    out->records = recs;
    out->next = od_jv_string(next);
    if (out->next && !*out->next) out->next = NULL;
    if (total) out->total_entries = strtoll(total, NULL, 10);
    return 0;
}

void od_harvest_page_release(struct od_harvest_page *pg)
{
    od_json_free(pg->doc);
    memset(pg, 0, sizeof *pg);
}
