/* cmd_health — `opsdeck health [--json]`: run the health checks (core/ops/health.c) once and exit
 * with their overall status, for people, scripts and monitoring; `--runbook CHECK` prints what
 * to do about one check. */
#include "cmd/command.h"
#include "core/db/db.h"
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/ops/health.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt health_opts[] = {
    {.name = "--format",
     .arg = "F",
     .kind = OD_CLI_ENUM,
     .values = "table|json",
     .help = "table (default) or json (the IETF health-check draft shape)"},
    {.name = "--json", .help = "the same as --format json"},
    {.name = "--runbook",
     .arg = "CHECK",
     .kind = OD_CLI_TEXT,
     .help = "print the runbook section of CHECK (e.g. harvest:token) and exit"},
    {0}};

static const char usage[] =
    "usage: opsdeck health [--format table|json] [--json]\n"
    "       opsdeck health --runbook CHECK\n\n"
    "Runs every health check once (each with its own deadline; the whole run answers within\n"
    "about 10 s even when the database is unreachable) and prints one line per result, or with\n"
    "--json the IETF health-check draft shape:\n"
    "  {\"status\":\"pass|warn|fail\",\"checks\":{\"database:latency\":[{\"status\":...,\n"
    "   \"observedValue\":...,\"observedUnit\":...,\"output\":...}], ...}}\n"
    "Checks that only the worker process can answer (breakers, caches, listener) say\n"
    "\"unknown\" here; the worker's /healthz has them. The table shows values in human units\n"
    "(25.7 MiB, 1 h 12 min) and ends with what to do about each failing or warning check;\n"
    "JSON keeps raw numbers with their unit.\n"
    "Providers are probed with the sync's own credential (Harvest GET /v2/users/me, HubSpot\n"
    "GET /crm/v3/owners?limit=1): a refused credential fails PROVIDER:token.\n\n"
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
    if (!t) {
        fprintf(stderr, "opsdeck health: no runbook section for '%s' (see docs/runbook.md)\n",
                name);
        return 2;
    }
    printf("%s\n\n%s\n", name, t);
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc &&
                 (strcmp(argv[i + 1], "json") == 0 || strcmp(argv[i + 1], "table") == 0))
            json = strcmp(argv[++i], "json") == 0;
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
    struct strbuf out = STRBUF_INIT;
    if (json)
        od_health_json(&rep, &out);
    else
        od_health_table(&rep, &out);
    fputs(sb_str(&out), stdout);
    sb_release(&out);
    int rc = od_health_exit_code(rep.status);
    od_health_report_release(&rep);
    od_pool_close(pool);
    od_vault_close(vault);
    return rc;
}
