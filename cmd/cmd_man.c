/* cmd_man — `opsdeck man`, hidden: writes the opsdeck(1) man page (roff) to stdout, generated
 * from the command table (cmd/command.h) so it lists every command, subcommand and option the
 * binary has. `make` runs it into build/man/opsdeck.1; `make install` and the Debian package
 * install that. The prose around the table (description, environment, files, exit status) is
 * here; what each command takes comes from its table entry. */
#include <stdio.h>
#include <string.h>
#include "cmd/command.h"

static int run(struct od_ctx *ctx, int argc, char **argv);

const struct od_command cmd_man_def = {
    "man",
    "Write the opsdeck(1) man page to stdout (a build step)",
    "usage: opsdeck man\n\n"
    "Writes the opsdeck(1) man page, generated from the command table, to stdout as roff.\n"
    "`make` builds build/man/opsdeck.1 with it. Read it with: opsdeck man | man -l -\n",
    run,
    OD_CMD_NO_CONFIG | OD_CMD_HIDDEN,
    .opts = NULL};

static const char description[] =
    ".SH DESCRIPTION\n"
    "opsdeck pulls time tracking from Harvest and deals from HubSpot into PostgreSQL, works out\n"
    "what every client, project, month and person earns and costs, flags what is wrong, and\n"
    "shows it live in a terminal console, also to people logged in over SSH.\n"
    ".PP\n"
    "Without a command, opsdeck opens the console (\\fBopsdeck ui\\fR).\n"
    "The other commands are for scripts and operators: migrations, syncs, reports, users,\n"
    "backups, the headless worker.\n"
    "Each prints its full help with \\fBopsdeck help\\fR \\fIcommand\\fR.\n"
    ".PP\n"
    "Configuration is an INI file: \\fB\\-\\-config\\fR \\fIFILE\\fR, else\n"
    "\\fB$OPSDECK_CONFIG\\fR, else \\fI$XDG_CONFIG_HOME/opsdeck/opsdeck.ini\\fR.\n"
    "Every key can also be set as \\fBOPSDECK_\\fR\\fISECTION\\fR\\fB_\\fR\\fIKEY\\fR,\n"
    "for example \\fBOPSDECK_DATABASE_URL\\fR; \\fBopsdeck config \\-\\-keys\\fR lists every "
    "key.\n";

static const char tail[] =
    ".SH ENVIRONMENT\n"
    ".TP\n.B OPSDECK_CONFIG\nThe configuration file, when \\fB\\-\\-config\\fR is not given.\n"
    ".TP\n.B OPSDECK_DATABASE_URL\n"
    "The PostgreSQL URL or conninfo string (the key \\fBdatabase.url\\fR).\n"
    "Without it and without \\fBdatabase.url\\fR, libpq's defaults apply\n"
    "(\\fBPGHOST\\fR, \\fBPGDATABASE\\fR, \\fBPGUSER\\fR, the service file, \\fI~/.pgpass\\fR).\n"
    "A command that cannot connect says which of these it used.\n"
    ".TP\n.BI OPSDECK_ SECTION _ KEY\nAny other configuration key, over the file.\n"
    ".TP\n.B OPSDECK_THEME\nThe console theme, when \\fB\\-\\-theme\\fR is not given.\n"
    ".TP\n.B NO_COLOR\nWhen set, the console uses no colour.\n"
    ".TP\n.B XDG_CONFIG_HOME\\fR, \\fBXDG_STATE_HOME\n"
    "Where the configuration file and the console log are looked for.\n"
    ".SH FILES\n"
    ".TP\n.I $XDG_CONFIG_HOME/opsdeck/opsdeck.ini\nThe configuration file (see above).\n"
    ".TP\n.I $XDG_STATE_HOME/opsdeck/opsdeck.log\n"
    "The console's log, JSON lines, rotated by size; headless commands log to stderr.\n"
    ".TP\n.I /etc/opsdeck/opsdeck.ini\n"
    "The configuration of the packaged \\fBopsdeck\\-worker\\fR service\n"
    "(named by \\fBOPSDECK_CONFIG\\fR in \\fI/etc/opsdeck/worker.env\\fR).\n"
    ".SH EXIT STATUS\n"
    ".TP\n.B 0\nSuccess.\n"
    ".TP\n.B 1\nFailure, with a message on stderr (the database, a refused change, a check that\n"
    "found differences).\n"
    ".TP\n.B 2\nUsage or configuration error: an unknown option, a bad value, a date range that\n"
    "ends before it starts, a configuration key with a bad value (named in the message).\n"
    ".TP\n.BI 128+ N\n"
    "The console (\\fBopsdeck ui\\fR) stopped by signal \\fIN\\fR once the terminal was\n"
    "restored: 143 after SIGTERM, 130 after SIGINT, 129 after SIGHUP.\n"
    ".PP\n"
    "\\fBopsdeck health\\fR reports the health it found instead: 0 pass, 1 warn, 2 fail,\n"
    "3 unknown.\n"
    ".SH SEE ALSO\n"
    ".BR opsdeck\\-sim (1),\n"
    ".BR psql (1),\n"
    ".BR pg_dump (1);\n"
    "the documentation in \\fI/usr/share/doc/opsdeck\\fR (or \\fIdocs/\\fR in the sources).\n";

/* One synopsis line (.PP, bold command words, then the options), the help under it. */
static void form(FILE *out, const char *cmd, const char *sub, const struct od_cli_opt *opts,
                 const char *help, const char *note)
{
    fprintf(out, ".PP\n\\fBopsdeck %s%s%s\\fR", cmd, sub ? " " : "", sub ? sub : "");
    od_roff_synopsis(out, opts);
    fputs("\n.RS\n", out);
    if (help) {
        od_roff_text(out, help);
        fputs(".\n", out);
    }
    if (note) {
        if (help) fputs(".br\n", out);
        od_roff_text(out, note);
        fputc('\n', out);
    }
    if (!note) od_roff_options(out, opts);
    fputs(".RE\n", out);
}

static void command_section(FILE *out, const struct od_command *c)
{
    fprintf(out, ".SS %s\n", c->name);
    od_roff_text(out, c->summary);
    fputs(".\n", out);
    if (c->opts || !c->subs) form(out, c->name, NULL, c->opts, NULL, NULL);
    for (const struct od_subcommand *s = c->subs; s && s->name; s++) {
        const char *note = c->opts && s->opts == c->opts ? "Takes the options above." : NULL;
        form(out, c->name, s->name, s->opts, s->help, note);
    }
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc > 1) return od_cmd_usage_error(&cmd_man_def, "takes no arguments");
    FILE *out = stdout;
    od_roff_head(out, "opsdeck", 1, "opsdeck " OPSDECK_VERSION,
                 "terminal console for Harvest and HubSpot syncs, profitability and health");
    fputs(".SH SYNOPSIS\n\\fBopsdeck\\fR", out);
    od_roff_synopsis(out, od_global_opts);
    fputs(" [\\fIcommand\\fR [\\fIargs\\fR]]\n", out);
    fputs(description, out);
    fputs(".SH OPTIONS\n", out);
    od_roff_options(out, od_global_opts);
    fputs(".SH COMMANDS\n", out);
    for (const struct od_command *const *c = od_commands(); *c; c++)
        if (od_cmd_visible(*c)) command_section(out, *c);
    fputs(tail, out);
    return 0;
}
