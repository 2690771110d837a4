/* cmdline — the `:` command line: a table of commands supplied by the app and the screens,
 * Tab completion (command names, then each command's argument words; a second Tab cycles),
 * history (Up/Down, the last 50 lines), Esc cancels, Enter runs.
 *
 *   static const char *const *fmt_words(int argi, void *ud) { ... {"csv", "json", NULL} }
 *   static unsigned run_export(struct tui_app *app, int argc, char **argv, void *ud) {...}
 *   static const struct tui_command cmds[] = {
 *       {"export", "csv|json [FILE]", "export the table", fmt_words, run_export},
 *   };
 *   tui_app_add_commands(app, cmds, 1, state);
 *
 * Arguments are split on blanks; "double quotes" keep blanks inside one argument. A command
 * reports its own errors (tui_app_toast); run returns TUI_* flags (e.g. TUI_QUIT). */
#ifndef TUI_CMDLINE_H
#define TUI_CMDLINE_H
#include <stdbool.h>
#include "tui/edit.h"
#include "tui/grid.h"
#include "tui/keymap.h"

struct tui_app;

struct tui_command {
    const char *name; /* "theme" */
    const char *args; /* usage of the arguments, "NAME" */
    const char *help; /* one line */
    /* Words that may stand at argument argi (1-based), NULL-terminated and borrowed; NULL
     * for no completion. */
    const char *const *(*complete)(int argi, void *ud);
    unsigned (*run)(struct tui_app *app, int argc, char **argv, void *ud);
};

#define TUI_CMDLINE_HISTORY 50

struct tui_cmdline {
    bool open;
    struct tui_edit edit;
    struct tui_cmd_entry {
        const struct tui_command *cmd; /* borrowed */
        void *ud;
        const char *context; /* borrowed: the screen whose command it is (help), or NULL */
    } * cmds;
    int ncmds, cap;
    char *hist[TUI_CMDLINE_HISTORY]; /* owned, oldest first */
    int nhist, hist_pos;
    char *draft;        /* owned: the line being typed before browsing history */
    struct strbuf hint; /* completion candidates shown after the line */
    char *cycle_prefix; /* owned: the word being cycled by repeated Tab */
    int cycle;
};

void tui_cmdline_init(struct tui_cmdline *c);
void tui_cmdline_release(struct tui_cmdline *c);
/* Register commands (table borrowed); ud is passed to their callbacks. context names the
 * screen they belong to (help lists them under it; they run from anywhere), NULL for none. */
void tui_cmdline_add(struct tui_cmdline *c, const struct tui_command *cmds, size_t n, void *ud);
void tui_cmdline_add_ctx(struct tui_cmdline *c, const struct tui_command *cmds, size_t n, void *ud,
                         const char *context);
void tui_cmdline_open(struct tui_cmdline *c);
void tui_cmdline_close(struct tui_cmdline *c);
/* Editing, completion, history. Enter gives TUI_SUBMIT: then call tui_cmdline_exec(). */
unsigned tui_cmdline_key(struct tui_cmdline *c, int key);
/* Run the entered line (also adds it to the history and closes the line). Returns the
 * command's flags, or -1 with od_seterr for an unknown command or unbalanced quotes. */
int tui_cmdline_exec(struct tui_cmdline *c, struct tui_app *app, unsigned *flags);
/* Run a line directly (e.g. from a test or a startup option). */
int tui_cmdline_run(struct tui_cmdline *c, struct tui_app *app, const char *line, unsigned *flags);
void tui_cmdline_draw(const struct tui_cmdline *c, struct tui_grid *g, int x, int y, int w);

#endif
