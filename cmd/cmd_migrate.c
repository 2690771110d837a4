/* cmd_migrate — `opsdeck migrate [--status]`: apply or list database migrations. */
#include "cmd/command.h"
#include "cmd/output.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/migrate.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt migrate_opts[] = {
    {.name = "--status", .help = "list migrations with the time each was applied, or 'pending'"},
    OD_OUTPUT_OPTS_TCJ,
    {0}};

static const char usage[] =
    "usage: opsdeck migrate [--status [--format table|csv|json] [--json] [--csv-raw]]\n\n"
    "Applies every pending migration in order, each in its own transaction, and records it in\n"
    "schema_migrations. Safe to run twice and from several hosts at once (advisory lock).\n\n"
    "  --status   list migrations with the time each was applied, or 'pending'\n"
    "  --format F with --status: table (default), csv or json: {\"migrations\":[{\"name\":...,\n"
    "             \"applied_at\":...|null}],\"pending\":N} (docs/json.md)\n"
    "  --json     the same as --format json\n"
    "  --csv-raw  CSV text cells exactly as stored (no formula guard)\n\n"
    "Exit status: 0 success (with --status: nothing pending), 1 failure or pending, 2 usage.\n";

const struct od_command cmd_migrate_def = {
    .name = "migrate",
    .summary = "Apply database migrations (or list them with --status)",
    .usage = usage,
    .run = run,
    .opts = migrate_opts,
};

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    int status = 0;
    struct od_output out = {.format = OD_FORMAT_TABLE};
    bool format_given = false;
    for (int i = 1; i < argc; i++) {
        int f = od_output_arg(&cmd_migrate_def, argc, argv, &i, OD_FORMATS_TCJ, &out);
        if (f == 2) return 2;
        if (f == 1)
            format_given = true;
        else if (strcmp(argv[i], "--status") == 0)
            status = 1;
        else
            return od_cmd_usage_error(&cmd_migrate_def, "unknown option '%s'", argv[i]);
    }
    if (format_given && !status)
        return od_cmd_usage_error(&cmd_migrate_def, "--format and --json go with --status");
    PGconn *c = od_db_connect(ctx->cfg, "opsdeck-migrate");
    if (!c) return od_cmd_error("migrate", 1, "%s", od_err());
    int rc = 0;
    if (status && out.format != OD_FORMAT_TABLE) {
        struct od_migration *m;
        size_t n;
        int pending = od_migrate_list(c, &m, &n);
        if (pending < 0) {
            od_cmd_error("migrate", 1, "%s", od_err());
        } else {
            cJSON *arr, *doc = od_output_doc("migrations", &arr);
            for (size_t i = 0; i < n; i++) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", m[i].name);
                od_output_add_time(o, "applied_at", m[i].applied_at);
                cJSON_AddItemToArray(arr, o);
            }
            od_json_add_i64(doc, "pending", pending);
            od_output_emit(doc, "migrations", &out, NULL);
        }
        free(m);
        rc = pending == 0 ? 0 : 1;
    } else if (status) {
        int pending = od_migrate_status(c, stdout);
        if (pending < 0) od_cmd_error("migrate", 1, "%s", od_err());
        rc = pending == 0 ? 0 : 1;
    } else {
        int applied = 0;
        if (od_migrate_apply(c, stdout, &applied) < 0) {
            fprintf(stderr, "opsdeck migrate: %s\n", od_err());
            rc = 1;
        } else if (applied == 0) {
            printf("database is up to date\n");
        } else {
            printf("applied %d migration%s\n", applied, applied == 1 ? "" : "s");
        }
    }
    PQfinish(c);
    return rc;
}
