/* sim_json — JSON building helpers shared by the handlers, and the providers' error bodies.
 * Money and hours are written from fixed-point integers as exact decimals ("12.50"), never
 * through a double. */
#include "tests/sim/sim.h"
#include <stdio.h>
#include <stdlib.h>

void json_add_fixed2(cJSON *o, const char *key, int64_t v)
{
    char buf[32];
    if (v == SIM_NULL) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    fmt_fixed2(v, buf);
    cJSON_AddRawToObject(o, key, buf);
}

void json_add_fixed2_str(cJSON *o, const char *key, int64_t v)
{
    char buf[32];
    fmt_fixed2(v, buf);
    cJSON_AddStringToObject(o, key, buf);
}

void json_add_iso_s(cJSON *o, const char *key, int64_t s)
{
    char buf[32];
    fmt_iso_s(s, buf);
    cJSON_AddStringToObject(o, key, buf);
}

void json_add_iso_ms(cJSON *o, const char *key, int64_t ms)
{
    char buf[32];
    fmt_iso_ms(ms, buf);
    cJSON_AddStringToObject(o, key, buf);
}

void json_add_id_str(cJSON *o, const char *key, int64_t id)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    cJSON_AddStringToObject(o, key, buf);
}

/* Harvest's OAuth-style error body: {"error":"invalid_token","error_description":"..."}. */
void harvest_error(struct sim_req *r, int status, const char *error, const char *desc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", error);
    cJSON_AddStringToObject(o, "error_description", desc);
    resp_json(r, status, o);
}

/* HubSpot's error body (hubspot_error_response.json): status, message, correlationId, category. */
void hubspot_error(struct sim_req *r, int status, const char *category, const char *message)
{
    char id[40];
    cJSON *o = cJSON_CreateObject();
    sim_uuid(r->seq, id);
    cJSON_AddStringToObject(o, "status", "error");
    cJSON_AddStringToObject(o, "message", message);
    cJSON_AddStringToObject(o, "correlationId", id);
    cJSON_AddStringToObject(o, "category", category);
    resp_json(r, status, o);
}
