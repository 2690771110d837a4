/* sim_admin — the simulator's own endpoints under /__sim (never faulted, never rate limited):
 *   GET  /__sim/truth    ground truth (sim_truth.c)
 *   GET  /__sim/stats    request counts, 429s, most requests seen in one rate-limit window
 *   POST /__sim/mutate   edit/add/delete records (sim_overlay.c)
 *   GET  /__sim/faults   current faults; POST to change them ({"reset":true} clears)
 *   GET  /__sim/health   {"ok":true,...} */
#include "tests/sim/sim.h"
#include "tests/sim/sim_faults.h"
#include "tests/sim/sim_limits.h"
#include "tests/sim/sim_overlay.h"
#include <string.h>

static void faults_post(struct sim_req *r)
{
    struct strbuf err = STRBUF_INIT;
    cJSON *req = cJSON_ParseWithLength(r->body.buf ? r->body.buf : "", r->body.len);
    if (faults_apply_json(req, &err) < 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", sb_str(&err));
        resp_json(r, 400, o);
    } else {
        resp_json(r, 200, faults_to_json());
    }
    cJSON_Delete(req);
    sb_release(&err);
}

static void health(struct sim_req *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", true);
    od_json_add_i64(o, "seed", (int64_t)sim_cfg.seed);
    od_json_add_i64(o, "scale", sim_cfg.scale);
    json_add_iso_s(o, "t0", sim_world.t0_s);
    resp_json(r, 200, o);
}

void admin_handle(struct sim_req *r, const char *path)
{
    bool get = !strcmp(r->method, "GET"), post = !strcmp(r->method, "POST");
    if (get && !strcmp(path, "/truth"))
        truth_handle(r);
    else if (get && !strcmp(path, "/stats"))
        resp_json(r, 200, limits_stats_json());
    else if (post && !strcmp(path, "/mutate"))
        mutate_handle(r);
    else if (get && !strcmp(path, "/faults"))
        resp_json(r, 200, faults_to_json());
    else if (post && !strcmp(path, "/faults"))
        faults_post(r);
    else if (get && !strcmp(path, "/health"))
        health(r);
    else
        resp_raw(r, 404, "application/json", "{\"error\":\"unknown /__sim endpoint\"}");
}
