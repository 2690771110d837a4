/* hubspot_pipelines — the hubspot/pipelines job: GET /crm/v3/pipelines/deals (one answer, no
 * paging) into hubspot_deal_stages, replaced whole in one transaction, so what "won" means
 * (a stage with metadata.isClosed true and probability 1.0, sql/0010_won_deals.sql) follows
 * the portal's pipelines. A malformed answer, or one without any stage, changes nothing (the
 * job retries). Runs before deals in the sync plan (core/sync/syncplan.c). */
#include "core/base/json.h"
#include "core/base/log.h"
#include "core/connectors/fetch.h"
#include "core/connectors/hubspot_parse.h"
#include "core/connectors/hubspot_sync.h"
#include "core/db/db.h"
#include <stdlib.h>

#define PIPELINES_PATH "/crm/v3/pipelines/deals"

/* The stages as a JSON array for jsonb_to_recordset. */
static char *stages_json(const struct od_deal_stages *st)
{
    struct strbuf sb = STRBUF_INIT;
    sb_addch(&sb, '[');
    for (size_t i = 0; i < st->n; i++) {
        const struct od_deal_stage *s = &st->v[i];
        sb_add(&sb, i ? ",{\"pipeline_id\":" : "{\"pipeline_id\":");
        od_json_quote(&sb, s->pipeline_id);
        sb_add(&sb, ",\"stage_id\":");
        od_json_quote(&sb, s->stage_id);
        sb_add(&sb, ",\"pipeline_label\":");
        od_json_quote(&sb, s->pipeline_label);
        sb_add(&sb, ",\"label\":");
        od_json_quote(&sb, s->label);
        sb_addf(&sb, ",\"display_order\":%ld,\"is_closed\":%s,\"archived\":%s,\"probability\":",
                s->display_order, s->is_closed ? "true" : "false", s->archived ? "true" : "false");
        od_json_quote(&sb, s->probability[0] ? s->probability : NULL);
        sb_addch(&sb, '}');
    }
    sb_addch(&sb, ']');
    return sb_detach(&sb);
}

static int store_stages(PGconn *c, const char *json)
{
    const char *p[1] = {json};
    if (od_db_cmd(c, "DELETE FROM hubspot_deal_stages", 0, NULL) < 0) return -1;
    return od_db_cmd(
        c,
        "INSERT INTO hubspot_deal_stages (pipeline_id, stage_id, pipeline_label, label,"
        " display_order, is_closed, probability, archived)"
        " SELECT pipeline_id, stage_id, pipeline_label, label, display_order,"
        " is_closed, probability::numeric, archived"
        " FROM jsonb_to_recordset($1::jsonb) AS x(pipeline_id text, stage_id text,"
        " pipeline_label text, label text, display_order integer, is_closed boolean,"
        " probability text, archived boolean)"
        " ON CONFLICT (pipeline_id, stage_id) DO NOTHING", /* a repeat: first wins */
        1, p);
}

enum od_job_result od_hubspot_pipelines(struct od_job_ctx *ctx)
{
    struct od_fetch f;
    enum od_job_result r = od_fetch_open(&f, ctx, "hubspot");
    if (r != OD_JOB_OK) return r;
    char *url = od_fetch_url(&f, PIPELINES_PATH);
    struct od_http_resp resp = {0};
    struct od_deal_stages st = {0};
    r = od_fetch_request(&f, url, NULL, false, &resp);
    if (r == OD_JOB_OK &&
        od_hubspot_stages_parse(resp.body.buf ? resp.body.buf : "", resp.body.len, &st) < 0) {
        od_log_warn("hubspot pipelines: %s", od_err());
        r = OD_JOB_RETRY;
    }
    if (r == OD_JOB_OK) {
        char *json = stages_json(&st);
        PGconn *c = od_fetch_begin(&f);
        if (!c || store_stages(c, json) < 0)
            r = od_fetch_db_failed(&f, c);
        else
            r = od_fetch_commit(&f, c);
        free(json);
        if (r == OD_JOB_OK) od_job_progress(ctx, (int64_t)st.n, (int64_t)st.n);
    }
    od_hubspot_stages_release(&st);
    od_http_resp_release(&resp);
    free(url);
    od_fetch_close(&f);
    return r;
}
