/* prompt — a question with a one-line text field in a box, e.g. the password asked again
 * before an admin action. Enter answers with the text, Esc cancels. A masked prompt shows one
 * bullet per character; the text is wiped when the prompt closes. The app opens it
 * (tui_app_prompt) and calls back with the answer; this module is the widget. */
#ifndef TUI_PROMPT_H
#define TUI_PROMPT_H
#include <stdbool.h>
#include "tui/edit.h"
#include "tui/grid.h"
#include "tui/keymap.h"

struct tui_prompt {
    bool open;
    char *question; /* owned */
    struct tui_edit edit;
};

enum tui_prompt_answer { TUI_PROMPT_PENDING, TUI_PROMPT_ENTER, TUI_PROMPT_CANCEL };

void tui_prompt_open(struct tui_prompt *p, const char *question, bool masked);
/* Wipes the text; safe on a closed (or zeroed) prompt. */
void tui_prompt_close(struct tui_prompt *p);
enum tui_prompt_answer tui_prompt_key(struct tui_prompt *p, int key);
const char *tui_prompt_text(const struct tui_prompt *p); /* borrowed; valid until close */
/* Centred in area; places the terminal cursor in the field. */
void tui_prompt_draw(const struct tui_prompt *p, struct tui_grid *g, struct tui_rect area);

#endif
