/* form — labelled input fields (text or masked for passwords), e.g. the login screen.
 * Tab/Down and Enter move to the next field, S-Tab/Up to the previous one; Enter on the last
 * field submits (TUI_SUBMIT in the result). Every other key edits the focused field (see
 * tui/edit.h: UTF-8, Backspace, cursor movement). Esc is not handled: the screen decides.
 * A message line under the fields shows errors ("invalid username or password").
 * Masked values are wiped from memory when cleared or released. */
#ifndef TUI_FORM_H
#define TUI_FORM_H
#include <stdbool.h>
#include "tui/edit.h"
#include "tui/grid.h"
#include "tui/keymap.h"

struct tui_field_spec {
    const char *label;
    bool masked;
};

struct tui_form {
    int n, focus;
    const char **label;     /* borrowed strings, owned array */
    struct tui_edit *field; /* owned */
    char *message;          /* owned or NULL */
    uint8_t message_role;
};

void tui_form_init(struct tui_form *f, const struct tui_field_spec *specs, int n);
void tui_form_release(struct tui_form *f);
unsigned tui_form_key(struct tui_form *f, const struct tui_key *k);
/* Pasted text into the focused field (tui_edit_paste); TUI_* flags, 0 without fields. */
unsigned tui_form_paste(struct tui_form *f, const char *text);
/* Labels right-aligned in a column, fields after them, the message below. */
void tui_form_draw(struct tui_form *f, struct tui_grid *g, struct tui_rect r);
const char *tui_form_value(const struct tui_form *f, int i); /* borrowed */
void tui_form_set_value(struct tui_form *f, int i, const char *s);
/* Wipe every field and focus the first. */
void tui_form_clear(struct tui_form *f);
/* NULL clears the message. */
void tui_form_set_message(struct tui_form *f, uint8_t role, const char *text);

#endif
