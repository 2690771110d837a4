/* confirm — the yes/no dialog shown before anything that changes data. It defaults to No:
 * Enter on the untouched dialog answers No. y/Y answer yes, n/N/Esc answer no, Left/Right/Tab
 * move between the buttons. The app opens it (tui_app_confirm) and calls back with the answer;
 * this module is the widget. */
#ifndef TUI_CONFIRM_H
#define TUI_CONFIRM_H
#include <stdbool.h>
#include "tui/grid.h"
#include "tui/keymap.h"

struct tui_confirm {
    bool open;
    bool yes;       /* the focused button */
    char *question; /* owned */
};

enum tui_confirm_answer { TUI_CONFIRM_PENDING, TUI_CONFIRM_YES, TUI_CONFIRM_NO };

void tui_confirm_open(struct tui_confirm *c, const char *question);
void tui_confirm_close(struct tui_confirm *c);
enum tui_confirm_answer tui_confirm_key(struct tui_confirm *c, int key);
void tui_confirm_draw(const struct tui_confirm *c, struct tui_grid *g, struct tui_rect area);

#endif
