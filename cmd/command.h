/* command — the subcommand table, git-builtin style.
 *
 * Each cmd/cmd_NAME.c defines exactly one line starting with
 *     const struct od_command cmd_NAME_def = {...};
 * The Makefile collects those into the table main.c dispatches on; no list to edit.
 *
 * run() gets argv with argv[0] = the command name and returns the exit status
 * (0 ok, 1 failure, 2 bad usage/config, as documented per command). The global
 * options (--config) are already consumed and the configuration is loaded in `ctx`. */
#ifndef OD_COMMAND_H
#define OD_COMMAND_H
#include <stdio.h>

struct od_config;

struct od_ctx {
    struct od_config *cfg;   /* loaded and validated; owned by main */
    const char *config_path; /* NULL when no file was read */
};

struct od_command {
    const char *name;
    const char *summary; /* one line for `opsdeck --help` */
    const char *usage;   /* full help text for `opsdeck help NAME` / `NAME --help` */
    int (*run)(struct od_ctx *ctx, int argc, char **argv);
    unsigned flags;
};

/* flags */
#define OD_CMD_NO_CONFIG 1u /* runs before/without configuration (help, version) */

/* Shared helpers for commands. */
/* True when argv has -h or --help before any "--". */
int od_cmd_wants_help(int argc, char **argv);
/* Print the command's usage to stdout; returns 0. */
int od_cmd_help(const struct od_command *cmd);
/* After a failed database connection: where the URL came from, how to set another (hint.c). */
void od_cmd_db_hint(const struct od_ctx *ctx, const char *cmd_name, FILE *out);
/* Print "opsdeck NAME: msg" + hint to stderr; returns 2. */
int od_cmd_usage_error(const struct od_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
