/* sim_pipelines — the deal pipelines of the simulated portal (GET /crm/v3/pipelines/deals,
 * sim_hubspot.c) and what follows from them: which stage is won (closed with probability
 * "1.0", whatever its id) and which company a deal counts for (its Primary company among those
 * not archived, else its only one). Used by the world, the API and the truth alike, so they
 * cannot disagree. See sim_world.h. */
#include "tests/sim/sim_world.h"
#include "core/base/util.h"
#include <string.h>

/* The default pipeline uses HubSpot's internal ids; the second one has custom (numeric) ids,
 * its won stage is not "closedwon", and "Verbal yes" has probability 1.0 but is not closed. */
static const struct sim_stage default_stages[] = {
    {"appointmentscheduled", "Appointment Scheduled", "0.2", false},
    {"qualifiedtobuy", "Qualified To Buy", "0.4", false},
    {"presentationscheduled", "Presentation Scheduled", "0.6", false},
    {"decisionmakerboughtin", "Decision Maker Bought-In", "0.8", false},
    {"contractsent", "Contract Sent", "0.9", false},
    {"closedwon", "Closed Won", "1.0", true},
    {"closedlost", "Closed Lost", "0.0", true},
};
static const struct sim_stage renewal_stages[] = {
    {"58123401", "Renewal due", "0.5", false},
    {"58123402", "Verbal yes", "1.0", false},
    {"58123403", "Renewed", "1.0", true},
    {"58123404", "Churned", "0.0", true},
};
const struct sim_pipeline sim_pipelines[] = {
    {"default", "Sales Pipeline", default_stages, (int)OD_ARRAY_LEN(default_stages)},
    {"19347810", "Renewals", renewal_stages, (int)OD_ARRAY_LEN(renewal_stages)},
};
const int sim_npipelines = (int)OD_ARRAY_LEN(sim_pipelines);
const struct sim_stage *world_stage(const char *id, int *pipeline)
{
    for (int p = 0; id && p < sim_npipelines; p++)
        for (int k = 0; k < sim_pipelines[p].nstages; k++)
            if (!strcmp(sim_pipelines[p].stages[k].id, id)) {
                if (pipeline) *pipeline = p;
                return &sim_pipelines[p].stages[k];
            }
    return NULL;
}

bool world_stage_won(const struct sim_stage *st)
{
    return st && st->closed && !strcmp(st->probability, "1.0");
}

int world_deal_company(const struct sim_world *w, const struct sim_deal *d)
{
    int c[2] = {d->company, d->company2}, live = 0, only = -1;
    for (int k = 0; k < 2; k++) {
        if (c[k] < 0 || w->companies[c[k]].archived) continue;
        if (d->primary == k) return c[k];
        live++;
        only = c[k];
    }
    return live == 1 ? only : -1;
}
