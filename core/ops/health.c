/* health — see health.h. Statuses, reports and their output formats; the runner is
 * health_run.c, the checks are rows in health_checks.c. */
#include "core/ops/health.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "core/base/json.h"
#include "core/base/time.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"pass", "warn", "fail", "unknown"};

const char *od_health_status_name(enum od_health_status s)
{
    return (unsigned)s < OD_ARRAY_LEN(status_names) ? status_names[s] : "unknown";
}

int od_health_exit_code(enum od_health_status s)
{
    return (unsigned)s < OD_ARRAY_LEN(status_names) ? (int)s : 3;
}

long long od_health_proc_status(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long v = -1;
    size_t kl = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') v = atoll(line + kl + 1);
    if (f) fclose(f);
    return v;
}

void od_health_report_release(struct od_health_report *r)
{
    free(r->results);
    memset(r, 0, sizeof(*r));
}

void od_health_json(const struct od_health_report *r, struct strbuf *out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", od_health_status_name(r->status));
    cJSON_AddStringToObject(doc, "description", "opsdeck");
    cJSON *checks = cJSON_AddObjectToObject(doc, "checks");
    for (size_t i = 0; i < r->n; i++) {
        const struct od_health_result *x = &r->results[i];
        cJSON *arr = cJSON_GetObjectItemCaseSensitive(checks, x->name);
        if (!arr) arr = cJSON_AddArrayToObject(checks, x->name);
        cJSON *o = cJSON_CreateObject();
        if (*x->component_id) cJSON_AddStringToObject(o, "componentId", x->component_id);
        cJSON_AddStringToObject(o, "componentType", x->component_type);
        cJSON_AddStringToObject(o, "status", od_health_status_name(x->status));
        if (*x->observed_value) cJSON_AddRawToObject(o, "observedValue", x->observed_value);
        if (x->observed_unit) cJSON_AddStringToObject(o, "observedUnit", x->observed_unit);
        cJSON_AddStringToObject(o, "time", x->time);
        cJSON_AddStringToObject(o, "output", x->output);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = od_json_print(doc);
    sb_add(out, s);
    sb_addch(out, '\n');
    free(s);
}

void od_health_table(const struct od_health_report *r, struct strbuf *out)
{
    sb_addf(out, "%-7s  %-28s  %-24s  %14s  %s\n", "STATUS", "CHECK", "COMPONENT", "VALUE",
            "OUTPUT");
    for (size_t i = 0; i < r->n; i++) {
        const struct od_health_result *x = &r->results[i];
        char value[64];
        od_health_format_value(x->observed_value, x->observed_unit, value, sizeof value);
        sb_addf(out, "%-7s  %-28s  ", od_health_status_name(x->status), x->name);
        char *s = od_sanitize(x->component_id);
        od_pad_right(out, s, 24);
        free(s);
        sb_add(out, "  ");
        od_pad_left(out, value, 14);
        sb_add(out, "  ");
        s = od_sanitize(x->output);
        sb_add(out, s);
        free(s);
        sb_addch(out, '\n');
    }
    sb_addf(out, "overall: %s (%zu checks in %lld ms)\n", od_health_status_name(r->status), r->n,
            (long long)r->took_ms);
    od_health_todo(r, out);
}
