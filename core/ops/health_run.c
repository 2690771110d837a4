/* health_run — see health_run.h: runs a table of checks within their deadlines, on one shared
 * database connection, and adds up their results. */
#include "core/ops/health_run.h"
#include "core/base/time.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static enum od_health_status overall(const struct od_health_report *r)
{
    bool any[4] = {false, false, false, false};
    for (size_t i = 0; i < r->n; i++)
        any[r->results[i].status] = true;
    if (any[OD_HEALTH_FAIL]) return OD_HEALTH_FAIL;
    if (any[OD_HEALTH_WARN]) return OD_HEALTH_WARN;
    return any[OD_HEALTH_PASS] ? OD_HEALTH_PASS : OD_HEALTH_UNKNOWN;
}

int od_health_run_checks(const struct od_health_env *env, const struct od_health_check *checks,
                         size_t n, struct od_health_report *out)
{
    memset(out, 0, sizeof(*out));
    struct od_hctx h = {.env = env, .rep = out};
    h.timeout_ms = env->cfg ? env->cfg->health.check_timeout_ms : 3000;
    int64_t start = od_now_ms();
    int64_t deadline = start + (env->deadline_ms > 0 ? env->deadline_ms : 8000);
    for (size_t i = 0; i < n; i++) {
        const struct od_health_check *c = &checks[i];
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
