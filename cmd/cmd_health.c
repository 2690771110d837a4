/* cmd_health — `opsdeck health [--format table|csv|json]`: run the health checks (core/ops/health.c) once and exit
 * with their overall status, for people, scripts and monitoring; `--runbook CHECK` prints what
 * to do about one check. */
#include "cmd/command.h"
#include "cmd/output.h"
#include "core/db/db.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/base/log.h"
#include "core/ops/health.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt health_opts[] = {
    OD_OUTPUT_OPTS_TCJ,
    {.name = "--runbook",
     .arg = "CHECK",
     .kind = OD_CLI_TEXT,
     .help = "print the runbook section of CHECK (e.g. harvest:token) and exit"},
    {0}};

static const char usage[] =
    "usage: opsdeck health [--format table|csv|json] [--json] [--csv-raw]\n"
    "       opsdeck health --runbook CHECK\n\n"
    "Runs every health check once (each with its own deadline; the whole run answers within\n"
    "about 10 s even when the database is unreachable) and prints one line per result, or with\n"
    "--format json one document (docs/json.md):\n"
    "  {\"status\":\"pass|warn|fail|unknown\",\"checks\":[{\"name\":\"database:latency\",\n"
    "   \"status\":...,\"observed_value\":...,\"observed_unit\":...,\"output\":...}, ...],...}\n"
    "(the worker's /healthz serves the IETF health-check draft shape).\n"
    "Checks that only the worker process can answer (breakers, caches, listener) say\n"
    "\"unknown\" here; the worker's /healthz has them. The table shows values in human units\n"
    "(25.7 MiB, 1 h 12 min) and ends with what to do about each failing or warning check;\n"
    "JSON and CSV keep raw numbers with their unit.\n"
    "Providers are probed with the sync's own credential (Harvest GET /v2/users/me, HubSpot\n"
    "GET /crm/v3/owners?limit=1): a refused credential fails PROVIDER:token.\n\n"
    "  --format F       table (default), csv or json\n"
    "  --json           the same as --format json\n"
    "  --csv-raw        CSV text cells exactly as stored (no formula guard)\n"
    "  --runbook CHECK  print the runbook section of CHECK (e.g. harvest:token) and exit\n\n"
    "Exit status: 0 pass, 1 warn, 2 fail, 3 unknown (and 2 for bad usage or an unknown CHECK).\n";

const struct od_command cmd_health_def = {
    .name = "health",
    .summary = "Check the database, providers, queue, workers and syncs",
    .usage = usage,
    .run = run,
    .opts = health_opts,
};

static int runbook(const char *name)
{
    const char *t = od_health_runbook(name);
    if (!t)
        return od_cmd_error("health", 2, "no runbook section for '%s' (see docs/runbook.md)", name);
    printf("%s\n\n%s\n", name, t);
    return 0;
}

/* One result as JSON; a zeroed one gives the members (CSV header). */
static cJSON *result_json(const struct od_health_result *x)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_str(o, "name", x->name);
    od_json_add_str(o, "component_type", x->component_type);
    od_json_add_str(o, "component_id", *x->component_id ? x->component_id : NULL);
    od_json_add_str(o, "status", od_health_status_name(x->status));
    if (*x->observed_value) /* a JSON number as text */
        cJSON_AddRawToObject(o, "observed_value", x->observed_value);
    else
        cJSON_AddNullToObject(o, "observed_value");
    od_json_add_str(o, "observed_unit", x->observed_unit);
    od_json_add_str(o, "output", x->output);
    od_output_add_time(o, "time", x->time);
    od_json_add_i64(o, "took_us", x->took_us);
    return o;
}

static void print_data(const struct od_health_report *rep, const struct od_output *out)
{
    cJSON *arr, *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", od_health_status_name(rep->status));
    cJSON_AddItemToObject(doc, "checks", arr = cJSON_CreateArray());
    for (size_t i = 0; i < rep->n; i++)
        cJSON_AddItemToArray(arr, result_json(&rep->results[i]));
    od_json_add_i64(doc, "took_ms", rep->took_ms);
    od_output_emit(doc, "checks", out, result_json(&(struct od_health_result){0}));
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    struct od_output out = {.format = OD_FORMAT_TABLE};
    for (int i = 1; i < argc; i++) {
        int f = od_output_arg(&cmd_health_def, argc, argv, &i, OD_FORMATS_TCJ, &out);
        if (f == 2) return 2;
        if (f == 1)
            continue;
        else if (strcmp(argv[i], "--runbook") == 0 && i + 1 < argc)
            return runbook(argv[i + 1]);
        else
            return od_cmd_usage_error(&cmd_health_def, "unknown option '%s'", argv[i]);
    }
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-health");
    /* Stored provider credentials need the key; without it the probes use the environment's. */
    struct od_vault *vault = NULL;
    const char *key = ctx->cfg->secrets.key_file;
    if (key && *key && !(vault = od_vault_open(key)))
        od_log_info("health: no secrets key (%s); probing with environment tokens", od_err());
    struct od_health_env env = {.cfg = ctx->cfg, .pool = pool, .vault = vault};
    struct od_health_report rep;
    od_health_run(&env, &rep);
    if (out.format != OD_FORMAT_TABLE) {
        print_data(&rep, &out);
    } else {
        struct strbuf sb = STRBUF_INIT;
        od_health_table(&rep, &sb);
        fputs(sb_str(&sb), stdout);
        sb_release(&sb);
    }
    int rc = od_health_exit_code(rep.status);
    od_health_report_release(&rep);
    od_pool_close(pool);
    od_vault_close(vault);
    return rc;
}
