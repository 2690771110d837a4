/* cmd_health — `opsdeck health [--json]`: run the health checks (core/ops/health.c) once and exit
 * with their overall status, for people, scripts and monitoring. */
#include "cmd/command.h"
#include "core/db/db.h"
#include "core/ops/health.h"
#include "core/base/util.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt health_opts[] = {
    {.name = "--json", .help = "the IETF health-check draft shape instead of one line per check"},
    {0}};

static const char usage[] =
    "usage: opsdeck health [--json]\n\n"
    "Runs every health check once (each with its own deadline; the whole run answers within\n"
    "about 10 s even when the database is unreachable) and prints one line per result, or with\n"
    "--json the IETF health-check draft shape:\n"
    "  {\"status\":\"pass|warn|fail\",\"checks\":{\"database:latency\":[{\"status\":...,\n"
    "   \"observedValue\":...,\"observedUnit\":...,\"output\":...}], ...}}\n"
    "Checks that only the worker process can answer (breakers, caches, listener) say\n"
    "\"unknown\" here; the worker's /healthz has them. See docs/runbook.md for each check.\n\n"
    "Exit status: 0 pass, 1 warn, 2 fail, 3 unknown (and 2 for bad usage).\n";

const struct od_command cmd_health_def = {
    .name = "health",
    .summary = "Check the database, providers, queue, workers and syncs",
    .usage = usage,
    .run = run,
    .opts = health_opts,
};

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else
            return od_cmd_usage_error(&cmd_health_def, "unknown option '%s'", argv[i]);
    }
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-health");
    struct od_health_env env = {.cfg = ctx->cfg, .pool = pool};
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
    return rc;
}
