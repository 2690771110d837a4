/* edit — a one-line UTF-8 text editor: the input of form fields, the `:` command line and the
 * table filter. Keys are raw keys (tui/keymap.h), so letters bound to actions elsewhere are
 * still typed: printable characters insert, Backspace/Delete remove one character, Left/Right/
 * Home/End (and C-a/C-e) move, C-u clears, C-w removes the word before the cursor.
 * Drawing scrolls horizontally so the cursor stays visible, and places the terminal cursor.
 * A masked edit shows one "•" ("*" in ASCII) per character; its text is wiped when cleared. */
#ifndef TUI_EDIT_H
#define TUI_EDIT_H
#include <stdbool.h>
#include <stddef.h>
#include "core/base/util.h"

struct tui_grid;

struct tui_edit {
    struct strbuf text; /* owned UTF-8 */
    size_t cur;         /* cursor: byte offset into text, on a character boundary */
    bool masked;
    size_t max_len; /* bytes; 0: 1024 */
};

/* tui_edit_key results */
#define TUI_EDIT_HANDLED 1u /* the key was an editing key */
#define TUI_EDIT_CHANGED 2u /* the text changed */

void tui_edit_init(struct tui_edit *e, bool masked);
void tui_edit_release(struct tui_edit *e); /* wipes the text */
void tui_edit_clear(struct tui_edit *e);   /* wipes the text */
void tui_edit_set(struct tui_edit *e, const char *s);
const char *tui_edit_str(const struct tui_edit *e); /* borrowed; never NULL */
unsigned tui_edit_key(struct tui_edit *e, int key);
/* Insert pasted text (tui/paste.h) at the cursor, as typing would: printable characters only,
 * up to max_len (the rest is dropped). TUI_EDIT_CHANGED when something went in. */
unsigned tui_edit_paste(struct tui_edit *e, const char *text);
/* Draw into w columns at x,y; with focus the grid cursor is placed at the edit cursor. */
void tui_edit_draw(const struct tui_edit *e, struct tui_grid *g, int x, int y, int w,
                   unsigned char role, bool focus);

#endif
