/* hint — after a command could not reach the database: say where the database URL came from
 * and how to choose another, so a newcomer with no configuration (or the wrong one) knows
 * what to change. main.c calls od_cmd_db_hint() once the command has returned, when
 * od_db_connect_failures() says a connection failed, unless the output was asked for as JSON
 * (scripts parse it, often with stderr merged); the reason itself was printed first by the
 * command ("cannot connect to the database: REASON (database.url URL)"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/db/db.h"

/* Where the configuration file came from, for a person: the flag, the variable or the default. */
static const char *file_origin(const char *path)
{
    const char *env = getenv("OPSDECK_CONFIG");
    if (env && *env && !strcmp(env, path)) return "from $OPSDECK_CONFIG";
    char *def = od_config_default_path();
    int is_default = def && !strcmp(def, path);
    free(def);
    return is_default ? "the default location" : "from --config";
}

int od_cmd_machine_output(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--format=json") ||
            (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[i + 1], "json")))
            return 1;
    }
    return 0;
}

void od_cmd_db_hint(const struct od_ctx *ctx, const char *cmd_name, FILE *out)
{
    if (!strcmp(cmd_name, "ui")) { /* the console showed the reason on screen only */
        char last[512];
        od_db_last_connect_error(last, sizeof last);
        fprintf(out, "opsdeck ui: %s\n", last);
    }
    const char *env = getenv("OPSDECK_DATABASE_URL");
    const char *url = ctx->cfg ? ctx->cfg->database.url : NULL;
    if (env && *env) {
        fputs("hint: the database URL came from the environment variable OPSDECK_DATABASE_URL",
              out);
        if (ctx->config_path)
            fprintf(out, "\n      (it overrides [database] url in %s)", ctx->config_path);
        fputs(".\n", out);
    } else if (url && *url) {
        fprintf(out, "hint: the database URL came from [database] url in %s\n      (%s).\n",
                ctx->config_path ? ctx->config_path : "the configuration",
                ctx->config_path ? file_origin(ctx->config_path) : "defaults");
    } else {
        char *def = od_config_default_path();
        if (ctx->config_path)
            fprintf(out, "hint: %s (%s) sets no [database] url\n", ctx->config_path,
                    file_origin(ctx->config_path));
        else
            fprintf(out, "hint: no configuration file was found (looked for %s)\n", def);
        fputs("      and OPSDECK_DATABASE_URL is not set, so libpq's defaults were used\n"
              "      (PGHOST, PGPORT, PGDATABASE, PGUSER, ~/.pgpass).\n",
              out);
        free(def);
    }
    fputs("      Choose the database with --config FILE, OPSDECK_CONFIG=FILE or\n"
          "      OPSDECK_DATABASE_URL=postgresql://USER@HOST/DB\n"
          "      (`opsdeck config --show` prints the configuration in effect).\n",
          out);
}
