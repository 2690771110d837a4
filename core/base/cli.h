/* cli — command-line options and arguments as data, and the text generated from them.
 *
 * opsdeck's command table (cmd/command.h) and opsdeck-sim describe every option and positional
 * argument with struct od_cli_opt: its name, its argument and what kind of value that is (so a
 * shell can complete it), and one line of help. From those tables come the man pages, the
 * bash/zsh completion and the simulator's --help, so none of them can drift from the table.
 *
 *   static const struct od_cli_opt report_opts[] = {
 *       {.name = "--by", .arg = "G", .kind = OD_CLI_ENUM, .values = "client|project|month|person",
 *        .help = "grouping (default client)"},
 *       {.arg = "FILE", .kind = OD_CLI_FILE, .required = true, .help = "the dump to restore"},
 *       {0}};                                             // a table ends with an empty entry
 *
 * Roff output is for man(7) pages and is read by groff -ww without warnings: text is escaped
 * (backslash, a leading dot or quote, non-ASCII as \[uXXXX]) and options use \- so they can be
 * copied from the rendered page. */
#ifndef OD_CLI_H
#define OD_CLI_H
#include <stdbool.h>
#include <stdio.h>

/* What the argument of an option (or a positional argument) is: completion offers values of
 * this kind. */
enum od_cli_kind {
    OD_CLI_SWITCH = 0, /* an option without an argument */
    OD_CLI_TEXT,       /* free text (an id, an email, a number): nothing to offer */
    OD_CLI_ENUM,       /* one of .values */
    OD_CLI_FILE,       /* a file name */
    OD_CLI_DIR,        /* a directory */
    OD_CLI_COMMAND,    /* an opsdeck command name */
};

struct od_cli_opt {
    const char *name;      /* "--by"; NULL for a positional argument */
    const char *arg;       /* placeholder of the argument ("G", "FILE"); NULL for a switch */
    enum od_cli_kind kind; /* what the argument is */
    const char *values;    /* OD_CLI_ENUM: the allowed values, "client|project|month|person" */
    const char *help;      /* one line, no trailing period */
    bool required;         /* an option that must be given, or a positional that must be */
};

/* True for the empty entry that ends a table. */
static inline bool od_cli_end(const struct od_cli_opt *o)
{
    return !o->name && !o->arg;
}

/* --- roff (man pages) --- */
/* Text escaped for a roff text line (never a request): may start a line. */
void od_roff_text(FILE *out, const char *s);
/* .TH and the NAME section: "opsdeck", 1, "opsdeck 0.1.0", one-line description. The date is
 * $SOURCE_DATE_EPOCH when set (reproducible builds), else today. */
void od_roff_head(FILE *out, const char *name, int section, const char *source, const char *what);
/* The synopsis words of a table: [\fB\-\-by\fR \fIG\fR] \fIFILE\fR ... (no newline). */
void od_roff_synopsis(FILE *out, const struct od_cli_opt *opts);
/* One .TP paragraph per entry of a table: tag (option and argument, or the values of an
 * enumeration) and help. */
void od_roff_options(FILE *out, const struct od_cli_opt *opts);

/* --- plain text (--help) --- */
/* "  --listen ADDR:PORT          help" lines, the help column at `col`. */
void od_cli_print_options(FILE *out, const struct od_cli_opt *opts, int col);

#endif
