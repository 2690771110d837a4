/* cmd_rollup — `opsdeck rollup rebuild [--check]`: recompute the profit rollups from the raw
 * time entries, report every table that differs, and (without --check) replace them. */
#include "cmd/command.h"
#include "cmd/output.h"
#include "core/base/config.h"
#include "core/connectors/rollup.h"
#include "core/db/db.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt rollup_rebuild_opts[] = {
    {.name = "--check", .help = "only compare; change nothing"}, OD_OUTPUT_OPTS_TJ, {0}};
static const struct od_subcommand rollup_subs[] = {
    {.name = "rebuild",
     .help = "recompute the rollups from raw time entries, compare, replace them",
     .opts = rollup_rebuild_opts},
    {0}};

static const char usage[] =
    "usage: opsdeck rollup rebuild [--check] [--format table|json] [--json]\n\n"
    "Recomputes profit_rollup_project_month, _client_month, _person_month,\n"
    "_project_person_month and the day rollups _client_day, _project_day and _person_day (of\n"
    "the months listed in profit_rollup_daily_months) from harvest_time_entries (live rows\n"
    "only) and compares them with the stored tables, which the sync keeps equal page by page.\n"
    "Prints one line per table with the number of keys that differ (missing, extra or other\n"
    "values) and an example key. Without --check the months the day-rollup policy\n"
    "(profit_rollup_daily_policy) asks for are listed first, then the tables are replaced by\n"
    "the recomputation, in one transaction, while syncs writing time entries wait.\n\n"
    "  --check   only compare; change nothing\n"
    "  --format F  table (default) or json: {\"tables\":[{\"table\":...,\"differing\":N,\n"
    "            \"example\":...|null}],\"differing\":N,\"rebuilt\":true|false} (docs/json.md)\n"
    "  --json    the same as --format json\n\n"
    "Exit status: 0 no difference (or rebuilt), 1 differences found with --check or failure,\n"
    "2 usage.\n";

const struct od_command cmd_rollup_def = {
    .name = "rollup",
    .summary = "Recompute the profit rollups from raw time entries (or only check them)",
    .usage = usage,
    .run = run,
    .subs = rollup_subs,
};

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    bool check = false;
    struct od_output out = {.format = OD_FORMAT_TABLE};
    if (argc < 2 || strcmp(argv[1], "rebuild") != 0)
        return od_cmd_usage_error(&cmd_rollup_def, "expected 'rebuild'");
    for (int i = 2; i < argc; i++) {
        int f = od_output_arg(&cmd_rollup_def, argc, argv, &i, OD_FORMATS_TJ, &out);
        if (f == 2) return 2;
        if (f == 1)
            continue;
        else if (strcmp(argv[i], "--check") == 0)
            check = true;
        else
            return od_cmd_usage_error(&cmd_rollup_def, "unknown option '%s'", argv[i]);
    }
    PGconn *c = od_db_connect(ctx->cfg, "opsdeck-rollup");
    if (!c) return od_cmd_error("rollup", 1, "%s", od_err());
    struct od_rollup_diff diffs[OD_ROLLUP_TABLES];
    int64_t total = od_rollup_rebuild(c, !check, diffs);
    PQfinish(c);
    if (total < 0) return od_cmd_error("rollup", 1, "%s", od_err());
    if (out.format == OD_FORMAT_JSON) {
        cJSON *arr, *doc = od_output_doc("tables", &arr);
        for (int i = 0; i < OD_ROLLUP_TABLES; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "table", diffs[i].table);
            od_json_add_i64(o, "differing", diffs[i].differing);
            od_json_add_str(o, "example", diffs[i].differing ? diffs[i].example : NULL);
            cJSON_AddItemToArray(arr, o);
        }
        od_json_add_i64(doc, "differing", total);
        cJSON_AddBoolToObject(doc, "rebuilt", !check && total > 0);
        od_output_emit(doc, "tables", &out, NULL);
        return check && total > 0 ? 1 : 0;
    }
    for (int i = 0; i < OD_ROLLUP_TABLES; i++) {
        printf("%-36s %s", diffs[i].table, diffs[i].differing ? "" : "ok\n");
        if (diffs[i].differing)
            printf("%lld key(s) differ, e.g. %s%s\n", (long long)diffs[i].differing,
                   diffs[i].example, check ? "" : " (rebuilt)");
    }
    if (total == 0) printf("rollups match the raw time entries\n");
    return check && total > 0 ? 1 : 0;
}
