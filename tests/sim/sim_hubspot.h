/* sim_hubspot — HubSpot CRM objects: property values (all strings) and object JSON shared by
 * the list endpoints (sim_hubspot.c) and search (companies, deals) / associations (sim_search.c).
 * Callers hold sim_world.lock for reading. */
#ifndef SIM_HUBSPOT_H
#define SIM_HUBSPOT_H
#include "tests/sim/sim.h"

/* A property list: names requested, or the defaults of the object type. */
struct prop_list {
    char **names;
    int n;
};

void props_from_csv(struct prop_list *pl, const char *csv, bool deals);
void props_from_json(struct prop_list *pl, const cJSON *arr, bool deals);
void props_release(struct prop_list *pl);

cJSON *deal_json(const struct sim_deal *d, const struct prop_list *pl);
cJSON *company_json(const struct sim_company *c, const struct prop_list *pl);
/* Deal index from a deal id string, -1 if unknown. */
int deal_index(const char *id);

/* Searchable object types: search_object() maps a path to one ("/crm/v3/objects/deals/search"
 * -> SIM_OBJ_DEALS), -1 for any other path; search_handle() answers the search request r. */
enum sim_object { SIM_OBJ_COMPANIES, SIM_OBJ_DEALS };
int search_object(const char *path);
void search_handle(struct sim_req *r, enum sim_object kind);
void assoc_handle(struct sim_req *r);

#endif
