/* cmd_migrate — `opsdeck migrate [--status]`: apply or list database migrations. */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/migrate.h"
#include "core/base/util.h"
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt migrate_opts[] = {
    {.name = "--status", .help = "list migrations with the time each was applied, or 'pending'"},
    {0}};

static const char usage[] =
    "usage: opsdeck migrate [--status]\n\n"
    "Applies every pending migration in order, each in its own transaction, and records it in\n"
    "schema_migrations. Safe to run twice and from several hosts at once (advisory lock).\n\n"
    "  --status   list migrations with the time each was applied, or 'pending'\n\n"
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
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--status") == 0)
            status = 1;
        else
            return od_cmd_usage_error(&cmd_migrate_def, "unknown option '%s'", argv[i]);
    }
    PGconn *c = od_db_connect(ctx->cfg, "opsdeck-migrate");
    if (!c) {
        fprintf(stderr, "opsdeck migrate: %s\n", od_err());
        return 1;
    }
    int rc = 0;
    if (status) {
        int pending = od_migrate_status(c, stdout);
        if (pending < 0) fprintf(stderr, "opsdeck migrate: %s\n", od_err());
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
