/* cmd_config — `opsdeck config --show | --keys | --check`. */
#include "cmd/command.h"
#include "core/base/config.h"
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt config_opts[] = {
    {.name = "--show",
     .help = "print the effective configuration as INI, secrets redacted (the default)"},
    {.name = "--keys",
     .help = "print every key with default, allowed values and meaning (Markdown)"},
    {.name = "--check", .help = "validate only; exit 0 when valid, 2 naming a bad key"},
    {0}};

static const char usage[] =
    "usage: opsdeck config [--show | --keys | --check]\n\n"
    "  --show    print the effective configuration (defaults, file, OPSDECK_* variables)\n"
    "            as INI, with secrets redacted (the default)\n"
    "  --keys    print every key with default, allowed values and meaning (Markdown)\n"
    "  --check   validate only; exit 0 when valid (a bad value exits 2 naming the key)\n";

const struct od_command cmd_config_def = {
    .name = "config",
    .summary = "Show the effective configuration (secrets redacted)",
    .usage = usage,
    .run = run,
    .opts = config_opts,
};

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *mode = "--show";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--show") || !strcmp(argv[i], "--keys") || !strcmp(argv[i], "--check"))
            mode = argv[i];
        else
            return od_cmd_usage_error(&cmd_config_def, "unknown option '%s'", argv[i]);
    }
    if (!strcmp(mode, "--keys")) {
        od_config_print_keys(stdout);
    } else if (!strcmp(mode, "--check")) {
        printf("configuration is valid%s%s\n", ctx->config_path ? " (" : "",
               ctx->config_path ? ctx->config_path : "");
        if (ctx->config_path) printf(")\n");
    } else {
        printf("# effective configuration; file: %s\n",
               ctx->config_path ? ctx->config_path : "(none)");
        od_config_print(ctx->cfg, stdout);
    }
    return 0;
}
