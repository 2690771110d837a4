/* sim_harvest — Harvest v2 objects as JSON (shapes of the documented examples in
 * tests/fixtures/harvest_*.json). Callers hold sim_world.lock for reading. */
#ifndef SIM_HARVEST_H
#define SIM_HARVEST_H
#include "tests/sim/sim.h"

cJSON *harvest_client_json(const struct sim_client *c);
cJSON *harvest_project_json(const struct sim_project *p);
cJSON *harvest_user_json(const struct sim_user *u, int index);
cJSON *harvest_task_json(const struct sim_task *t);
/* sim_entry_json.c: the entry's JSON text appended to sb; as a cJSON raw item. */
void harvest_entry_text(const struct sim_entry *e, struct strbuf *sb);
cJSON *harvest_entry_json(const struct sim_entry *e);
cJSON *harvest_cost_rates_json(const struct sim_user *u, int index);

#endif
