/* main — start-up, global options, and dispatch to the subcommand table.
 *
 * Start-up order (DESIGN §2), before any thread: setlocale, sodium_init, curl_global_init,
 * core dumps off. Then the configuration is loaded and validated (a bad value exits 2 naming
 * the key), logging is opened, and the command runs. With no command, the console (`ui`)
 * starts when it is built in; otherwise help is shown. */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/db/db.h"
#include "core/net/ratelimit.h"
#include "core/base/util.h"
#include <curl/curl.h>
#include <locale.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define X(n) extern const struct od_command n;
#include "commands.inc"
#undef X

static const struct od_command *const commands[] = {
#define X(n) &n,
#include "commands.inc"
#undef X
    NULL};

const struct od_command *const *od_commands(void)
{
    return commands;
}

const struct od_cli_opt od_global_opts[] = {
    {.name = "--config",
     .arg = "FILE",
     .kind = OD_CLI_FILE,
     .help = "read this configuration file (default: $OPSDECK_CONFIG, then "
             "$XDG_CONFIG_HOME/opsdeck/opsdeck.ini)"},
    {.name = "--version", .help = "print the version and exit"},
    {.name = "--help", .help = "list the commands and exit"},
    {0}};

static const struct od_command *find_command(const char *name)
{
    for (const struct od_command *const *c = commands; *c; c++)
        if (strcmp((*c)->name, name) == 0) return *c;
    return NULL;
}

static void print_main_help(FILE *out)
{
    fprintf(out, "usage: opsdeck [--config FILE] [--version] [--help] <command> [<args>]\n\n"
                 "opsdeck: a terminal console for Harvest and HubSpot syncs, profitability and "
                 "health.\n\nCommands:\n");
    for (const struct od_command *const *c = commands; *c; c++)
        if (od_cmd_visible(*c)) fprintf(out, "   %-12s %s\n", (*c)->name, (*c)->summary);
    fprintf(out, "\nRun 'opsdeck help <command>' or 'opsdeck <command> --help' for details.\n"
                 "Configuration: --config FILE, $OPSDECK_CONFIG, or "
                 "$XDG_CONFIG_HOME/opsdeck/opsdeck.ini;\nevery key can be set as "
                 "OPSDECK_<SECTION>_<KEY> (see docs/configuration.md).\n");
}

int od_cmd_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
    }
    return 0;
}

int od_cmd_help(const struct od_command *cmd)
{
    fputs(cmd->usage, stdout);
    return 0;
}

int od_cmd_usage_error(const struct od_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "opsdeck %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'opsdeck %s --help' for usage.\n", cmd->name);
    return 2;
}

static void harden_process(void)
{
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl); /* secrets must never land in a core dump */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int open_logging(const struct od_config *cfg, const struct od_command *cmd)
{
    enum od_log_level level = OD_LOG_INFO;
    od_log_level_parse(cfg->log.level, &level);
    if (cfg->log.file && *cfg->log.file)
        return od_log_open(cfg->log.file, level, (int64_t)cfg->log.max_kb * 1024, cfg->log.keep);
    if (strcmp(cmd->name, "ui") == 0) {
        char *dir = od_state_dir();
        char *path = od_xasprintf("%s/opsdeck.log", dir);
        int rc = od_log_open(path, level, (int64_t)cfg->log.max_kb * 1024, cfg->log.keep);
        free(path);
        free(dir);
        return rc;
    }
    /* Headless commands: stderr, and only warnings unless asked for more by config. */
    if (level < OD_LOG_WARN && !getenv("OPSDECK_LOG_LEVEL") && strcmp(cmd->name, "worker"))
        level = OD_LOG_WARN;
    return od_log_open(NULL, level, 0, 0);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (sodium_init() < 0) {
        fputs("opsdeck: cannot initialise libsodium\n", stderr);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    harden_process();

    const char *config_path = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
            printf("opsdeck %s\n", OPSDECK_VERSION);
            curl_global_cleanup();
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_main_help(stdout);
            curl_global_cleanup();
            return 0;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config_path = argv[i] + 9;
        } else {
            break; /* options of the default command (e.g. --theme for ui) */
        }
    }
    const char *name = i < argc ? argv[i] : "ui";
    const struct od_command *cmd = find_command(name);
    if (i < argc && argv[i][0] == '-') cmd = find_command("ui"), i--;
    if (!cmd) {
        if (i >= argc) {
            print_main_help(stdout);
            curl_global_cleanup();
            return 0;
        }
        fprintf(stderr, "opsdeck: '%s' is not an opsdeck command. See 'opsdeck --help'.\n", name);
        curl_global_cleanup();
        return 2;
    }
    int cargc = i < argc ? argc - i : 1;
    char *ui_argv[] = {(char *)"ui", NULL};
    char **cargv = i < argc ? argv + i : ui_argv;
    if (strcmp(cmd->name, "help") != 0 && od_cmd_wants_help(cargc, cargv)) {
        curl_global_cleanup();
        return od_cmd_help(cmd);
    }

    struct od_config cfg;
    struct od_ctx ctx = {&cfg, NULL};
    int rc;
    if (cmd->flags & OD_CMD_NO_CONFIG) { /* help, man, completion: even with a broken config */
        od_config_defaults(&cfg);
        rc = cmd->run(&ctx, cargc, cargv);
        od_config_release(&cfg);
        curl_global_cleanup();
        return rc;
    }
    if (od_config_load(&cfg, config_path, &ctx.config_path) < 0) {
        fprintf(stderr, "opsdeck: configuration error: %s\n", od_err());
        od_config_release(&cfg);
        curl_global_cleanup();
        return 2;
    }
    if (open_logging(&cfg, cmd) < 0) {
        fprintf(stderr, "opsdeck: %s\n", od_err());
        od_config_release(&cfg);
        curl_global_cleanup();
        return 2;
    }
    od_ratelimit_configure(&cfg);
    rc = cmd->run(&ctx, cargc, cargv);
    if (od_db_connect_failures() > 0 && (rc != 0 || !strcmp(cmd->name, "ui")) &&
        !od_cmd_machine_output(cargc, cargv))
        od_cmd_db_hint(&ctx, cmd->name, stderr);
    od_log_close();
    od_config_release(&cfg);
    curl_global_cleanup();
    return rc;
}

/* `opsdeck help [CMD]` lives here because it needs the table. */
static int run_help(struct od_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc < 2) {
        print_main_help(stdout);
        return 0;
    }
    const struct od_command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "opsdeck help: no such command '%s'. See 'opsdeck --help'.\n", argv[1]);
        return 2;
    }
    return od_cmd_help(c);
}

static const struct od_cli_opt help_opts[] = {
    {.arg = "COMMAND", .kind = OD_CLI_COMMAND, .help = "the command to explain"}, {0}};

static const char usage[] = "usage: opsdeck help [COMMAND]\n";

const struct od_command cmd_help_def = {
    .name = "help",
    .summary = "Show help for a command",
    .usage = usage,
    .run = run_help,
    .flags = OD_CMD_NO_CONFIG,
    .opts = help_opts,
};
