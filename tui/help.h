/* help — the `?` overlay, generated from the key table and the command table: the current
 * screen's keys and `:` commands first, then those that work everywhere; every action with
 * its keys and its line of help. Actions the user's role may not run are listed greyed ("not
 * permitted") rather than hidden, so people learn what exists. */
#ifndef TUI_HELP_H
#define TUI_HELP_H
#include <stdbool.h>
#include "tui/cmdline.h"
#include "tui/keymap.h"
#include "tui/overlay.h"

/* allow(action, ud) says whether the role may run an action; NULL allows everything.
 * nscreens: screen.N actions past it are left out; screens (may be NULL) holds the title of
 * screen N at N-1, NULL for one the header does not offer (its key is left out too, and the
 * others read "show TITLE"). cmds may be NULL (no commands listed). */
void tui_help_build(struct tui_overlay *o, const struct tui_keymap *km,
                    const struct tui_cmdline *cmds, const char *context, const char *const *screens,
                    int nscreens, bool (*allow)(const char *action, void *ud), void *ud);

#endif
