/* sim_harvest_json — Harvest v2 object serialisers. See sim_harvest.h. */
#include "tests/sim/sim_harvest.h"
#include <stdio.h>

static void add_date(cJSON *o, const char *key, int32_t day)
{
    char d[16];
    fmt_date(day, d);
    cJSON_AddStringToObject(o, key, d);
}

static cJSON *ref(int64_t id, const char *name)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    return o;
}

cJSON *harvest_client_json(const struct sim_client *c)
{
    char key[40];
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", c->id);
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddBoolToObject(o, "is_active", c->is_active);
    cJSON_AddStringToObject(o, "address", "123 Main St.\r\nAnytown, LA 71223");
    snprintf(key, sizeof key, "%016llx%016llx",
             (unsigned long long)world_hash(sim_world.seed, 50, (uint64_t)c->id),
             (unsigned long long)world_hash(sim_world.seed, 51, (uint64_t)c->id));
    cJSON_AddStringToObject(o, "statement_key", key);
    json_add_iso_s(o, "created_at", c->created_s);
    json_add_iso_s(o, "updated_at", c->updated_s);
    cJSON_AddStringToObject(o, "currency", "EUR");
    return o;
}

cJSON *harvest_project_json(const struct sim_project *p)
{
    const struct sim_client *c = &sim_world.clients[p->client];
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", p->id);
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "code", p->code);
    cJSON_AddBoolToObject(o, "is_active", p->is_active);
    cJSON_AddStringToObject(o, "bill_by", p->hourly_rate == SIM_NULL ? "People" : "Project");
    json_add_fixed2(o, "budget", p->budget);
    cJSON_AddStringToObject(o, "budget_by", p->budget == SIM_NULL ? "none" : "project");
    cJSON_AddBoolToObject(o, "budget_is_monthly", false);
    cJSON_AddBoolToObject(o, "notify_when_over_budget", p->budget != SIM_NULL);
    cJSON_AddRawToObject(o, "over_budget_notification_percentage", "80.0");
    cJSON_AddNullToObject(o, "over_budget_notification_date");
    cJSON_AddBoolToObject(o, "show_budget_to_all", false);
    json_add_iso_s(o, "created_at", p->created_s);
    json_add_iso_s(o, "updated_at", p->updated_s);
    add_date(o, "starts_on", p->starts_day);
    cJSON_AddNullToObject(o, "ends_on");
    cJSON_AddBoolToObject(o, "is_billable", p->is_billable);
    cJSON_AddBoolToObject(o, "is_fixed_fee", p->is_fixed_fee);
    cJSON_AddStringToObject(o, "notes", "");
    cJSON *cl = ref(c->id, c->name);
    cJSON_AddStringToObject(cl, "currency", "EUR");
    cJSON_AddItemToObject(o, "client", cl);
    cJSON_AddNullToObject(o, "cost_budget");
    cJSON_AddBoolToObject(o, "cost_budget_include_expenses", false);
    json_add_fixed2(o, "hourly_rate", p->hourly_rate);
    json_add_fixed2(o, "fee", p->is_fixed_fee ? 1000000 : SIM_NULL);
    return o;
}

cJSON *harvest_user_json(const struct sim_user *u, int index)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", u->id);
    cJSON_AddStringToObject(o, "first_name", u->first);
    cJSON_AddStringToObject(o, "last_name", u->last);
    cJSON_AddStringToObject(o, "email", u->email);
    cJSON_AddStringToObject(o, "telephone", "");
    cJSON_AddStringToObject(o, "timezone", "Eastern Time (US & Canada)");
    cJSON_AddBoolToObject(o, "has_access_to_all_future_projects", false);
    cJSON_AddBoolToObject(o, "is_contractor", u->is_contractor);
    cJSON_AddBoolToObject(o, "is_active", u->is_active);
    json_add_iso_s(o, "created_at", u->created_s);
    json_add_iso_s(o, "updated_at", u->updated_s);
    cJSON_AddNumberToObject(o, "weekly_capacity", 126000);
    json_add_fixed2(o, "default_hourly_rate", u->default_rate);
    json_add_fixed2(o, "cost_rate", u->cost_rate);
    cJSON *roles = cJSON_AddArrayToObject(o, "roles");
    cJSON_AddItemToArray(roles, cJSON_CreateString(index == 0 ? "Founder" : "Consultant"));
    cJSON *access = cJSON_AddArrayToObject(o, "access_roles");
    cJSON_AddItemToArray(access, cJSON_CreateString(index == 0 ? "administrator" : "member"));
    cJSON_AddStringToObject(o, "avatar_url", "https://cache.harvestapp.com/assets/profile.png");
    return o;
}

cJSON *harvest_task_json(const struct sim_task *t)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", t->id);
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddBoolToObject(o, "billable_by_default", t->billable);
    cJSON_AddNullToObject(o, "default_hourly_rate");
    cJSON_AddBoolToObject(o, "is_default", t->billable);
    cJSON_AddBoolToObject(o, "is_active", true);
    json_add_iso_s(o, "created_at", sim_world.t0_s - 86400 * 700);
    json_add_iso_s(o, "updated_at", sim_world.t0_s - 86400 * 700);
    return o;
}

cJSON *harvest_cost_rates_json(const struct sim_user *u, int index)
{
    cJSON *arr = cJSON_CreateArray();
    if (u->cost_rate == SIM_NULL) return arr;
    int32_t start = (int32_t)(u->created_s / 86400), mid = start + 200;
    for (int k = 0; k < 2; k++) {
        cJSON *o = cJSON_CreateObject();
        od_json_add_i64(o, "id", 825000 + index * 2 + k);
        json_add_fixed2(o, "amount", k ? u->cost_rate : u->cost_rate * 9 / 10);
        add_date(o, "start_date", k ? mid : start);
        if (k)
            cJSON_AddNullToObject(o, "end_date");
        else
            add_date(o, "end_date", mid - 1);
        json_add_iso_s(o, "created_at", u->created_s);
        json_add_iso_s(o, "updated_at", u->created_s);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}
