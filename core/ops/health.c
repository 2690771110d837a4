/* health — see health.h. The runner, the shared database connection and the output formats;
 * the checks themselves are rows in health_checks.c. */
#include "core/ops/health.h"
#include "core/base/json.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/ops/health_checks.h"
#include "core/base/sanitize.h"
#include "core/base/time.h"
#include <cjson/cJSON.h>
#include <stdarg.h>
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

struct od_health_result *od_health_add(struct od_hctx *h, const struct od_health_check *c,
                                       enum od_health_status st, const char *unit,
                                       const char *value, const char *fmt, ...)
{
    struct od_health_report *rep = h->rep;
    if (rep->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 32;
        rep->results = od_xrealloc(rep->results, h->cap * sizeof(*rep->results));
    }
    struct od_health_result *r = &rep->results[rep->n++];
    memset(r, 0, sizeof(*r));
    r->name = c->name;
    r->component_type = c->type;
    r->status = st;
    r->observed_unit = unit;
    if (value) snprintf(r->observed_value, sizeof r->observed_value, "%s", value);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->output, sizeof r->output, fmt, ap);
    va_end(ap);
    od_time_format_ms(od_wall_ms(), r->time, sizeof r->time);
    return r;
}

PGresult *od_health_query(struct od_hctx *h, const char *sql, int n, const char *const *params)
{
    if (!h->db_tried) {
        h->db_tried = true;
        if (!h->env->pool) {
            snprintf(h->db_error, sizeof h->db_error, "no database configured");
        } else if (!(h->conn = od_pool_acquire(h->env->pool, h->timeout_ms))) {
            snprintf(h->db_error, sizeof h->db_error, "%s", od_err());
        } else {
            char ms[16];
            snprintf(ms, sizeof ms, "%d", h->timeout_ms);
            const char *p[1] = {ms};
            if (od_db_cmd(h->conn, "SELECT set_config('statement_timeout', $1, false)", 1, p) < 0) {
                snprintf(h->db_error, sizeof h->db_error, "%s", od_err());
                od_pool_release(h->env->pool, h->conn);
                h->conn = NULL;
            }
        }
    }
    if (!h->conn) {
        od_seterr("%s", h->db_error);
        return NULL;
    }
    return od_db_exec(h->conn, sql, n, params);
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

static enum od_health_status overall(const struct od_health_report *r)
{
    bool any[4] = {false, false, false, false};
    for (size_t i = 0; i < r->n; i++)
        any[r->results[i].status] = true;
    if (any[OD_HEALTH_FAIL]) return OD_HEALTH_FAIL;
    if (any[OD_HEALTH_WARN]) return OD_HEALTH_WARN;
    return any[OD_HEALTH_PASS] ? OD_HEALTH_PASS : OD_HEALTH_UNKNOWN;
}

int od_health_run(const struct od_health_env *env, struct od_health_report *out)
{
    memset(out, 0, sizeof(*out));
    struct od_hctx h = {.env = env, .rep = out};
    h.timeout_ms = env->cfg ? env->cfg->health.check_timeout_ms : 3000;
    int64_t start = od_now_ms();
    int64_t deadline = start + (env->deadline_ms > 0 ? env->deadline_ms : 8000);
    for (size_t i = 0; i < od_health_checks_count; i++) {
        const struct od_health_check *c = &od_health_checks[i];
        int64_t t0 = od_now_us();
        size_t before = out->n;
        if (od_now_ms() >= deadline)
            od_health_add(&h, c, OD_HEALTH_UNKNOWN, NULL, NULL,
                          "skipped: the health run reached its deadline");
        else
            c->run(&h, c);
        int64_t took = od_now_us() - t0;
        for (size_t k = before; k < out->n; k++)
            out->results[k].took_us = took;
    }
    if (h.conn) {
        od_db_cmd(h.conn, "RESET statement_timeout", 0, NULL);
        od_pool_release(env->pool, h.conn);
    }
    out->status = overall(out);
    out->took_ms = od_now_ms() - start;
    return 0;
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
        snprintf(value, sizeof value, "%s%s%s", x->observed_value,
                 *x->observed_value && x->observed_unit ? " " : "",
                 *x->observed_value && x->observed_unit ? x->observed_unit : "");
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
}
