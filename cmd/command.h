/* command — the subcommand table, git-builtin style.
 *
 * Each cmd/cmd_NAME.c defines one command, with named initialisers, on a line that begins
 * exactly `const struct od_command cmd_NAME_def` (the Makefile's sed collects those lines into
 * the table main.c dispatches on; no list to edit):
 *     static const char usage[] = "usage: opsdeck NAME ...\n\n" "...";
 *     const struct od_command cmd_NAME_def = {
 *         .name = "NAME", .summary = "One line", .usage = usage, .run = run};
 *
 * Besides the help text, an entry describes its command line as data: .opts (the options and
 * positional arguments of the command itself) and .subs (its subcommands, each with its own
 * .opts), in core/base/cli.h terms. `opsdeck --help`, the man page (`opsdeck man`, built into
 * build/man/opsdeck.1) and the bash/zsh completion (`opsdeck completion bash|zsh`) are all
 * generated from this table, and tests/integration/cli_docs.sh checks that every option the
 * usage text names is in the table and the other way round.
 *
 * run() gets argv with argv[0] = the command name and returns the exit status
 * (0 ok, 1 failure, 2 bad usage/config, as documented per command). The global
 * options (--config) are already consumed and the configuration is loaded in `ctx`. */
#ifndef OD_COMMAND_H
#define OD_COMMAND_H
#include <stdio.h>
#include "core/base/cli.h"

struct od_config;

struct od_ctx {
    struct od_config *cfg;   /* loaded and validated; owned by main */
    const char *config_path; /* NULL when no file was read */
};

/* A subcommand: `opsdeck report profitability`. */
struct od_subcommand {
    const char *name;
    const char *help;              /* one line */
    const struct od_cli_opt *opts; /* its options and positional arguments ({0}-ended), or NULL */
};

struct od_command {
    const char *name;
    const char *summary; /* one line for `opsdeck --help` */
    const char *usage;   /* full help text for `opsdeck help NAME` / `NAME --help` */
    int (*run)(struct od_ctx *ctx, int argc, char **argv);
    unsigned flags;
    const struct od_subcommand *subs; /* {0}-ended, or NULL */
    /* Options and positional arguments of the command without a subcommand ({0}-ended, or NULL;
     * a command with subcommands and .opts also runs without one, e.g. `opsdeck jobs`). */
    const struct od_cli_opt *opts;
};

/* flags */
#define OD_CMD_NO_CONFIG 1u /* runs before/without configuration (help, version) */
#define OD_CMD_HIDDEN 2u    /* a build tool (man): not in --help, the man page or completion */

/* The table, NULL-ended (main.c). */
const struct od_command *const *od_commands(void);
/* Options every command accepts before its name (--config, --version, --help). */
extern const struct od_cli_opt od_global_opts[];
/* True for a command a user sees (not OD_CMD_HIDDEN). */
static inline int od_cmd_visible(const struct od_command *c)
{
    return !(c->flags & OD_CMD_HIDDEN);
}

/* Shared helpers for commands. */
/* True when argv has -h or --help before any "--". */
int od_cmd_wants_help(int argc, char **argv);
/* Print the command's usage to stdout; returns 0. */
int od_cmd_help(const struct od_command *cmd);
/* After a failed database connection: where the URL came from, how to set another (hint.c). */
void od_cmd_db_hint(const struct od_ctx *ctx, const char *cmd_name, FILE *out);
/* True when argv asks for JSON (--json, --format json): no advice text then. */
int od_cmd_machine_output(int argc, char **argv);
/* Print "opsdeck NAME: msg" + hint to stderr; returns 2. */
int od_cmd_usage_error(const struct od_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
