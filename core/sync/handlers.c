/* handlers — the table the worker looks a job's (provider, resource) up in. See job.h.
 * Connector rows come from core/connectors/, "system" rows from core/sync/handlers_system.h. */
#include "core/sync/handlers.h"
#include "core/connectors/harvest_sync.h"
#include "core/connectors/hubspot_sync.h"
#include "core/sync/handlers_system.h"
#include <stddef.h>

const struct od_job_handler od_sync_handlers[] = {
    {"harvest", "clients", od_harvest_clients, "Harvest clients (incremental by updated_since)"},
    {"harvest", "projects", od_harvest_projects, "Harvest projects (incremental)"},
    {"harvest", "users", od_harvest_users, "Harvest users (incremental)"},
    {"harvest", "tasks", od_harvest_tasks, "Harvest tasks (incremental)"},
    {"harvest", "time_entries", od_harvest_time_entries,
     "Harvest time entries (incremental) with profit rollups"},
    {"harvest", "reconcile", od_harvest_reconcile,
     "Harvest: re-list everything (entries: last sync.reconcile_days) and soft-delete the gone"},
    {"hubspot", "owners", od_hubspot_owners, "HubSpot owners (full list)"},
    {"hubspot", "pipelines", od_hubspot_pipelines,
     "HubSpot deal pipelines and stages (which stages are won)"},
    {"hubspot", "companies", od_hubspot_companies,
     "HubSpot companies (search on last modified, then the archived list)"},
    {"hubspot", "deals", od_hubspot_deals,
     "HubSpot deals (search on last modified, then the archived list) + companies"},
    {"hubspot", "deal_companies", od_hubspot_deal_companies,
     "HubSpot deal -> company associations of every stored deal"},
    {"hubspot", "reconcile", od_hubspot_reconcile,
     "HubSpot: re-list companies and deals (and archived deals), soft-delete the gone"},
    {"system", "noop", od_handler_system_noop, "does nothing (tests)"},
    {"system", "sleep", od_handler_system_sleep, "sleeps page by page (tests, demos)"},
    {"system", "fail", od_handler_system_fail, "always fails (tests)"},
    {"system", "evaluate", od_handler_system_evaluate,
     "automatic client/project links, then the exception rules (after each sync, periodic)"},
    {"system", "rollup_check", od_handler_system_rollup_check,
     "nightly: compare the profit rollups with the time entries (dead when they differ)"},
    {NULL, NULL, NULL, NULL},
};
