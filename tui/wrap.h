/* wrap — break text into lines of at most w terminal columns, at spaces where it can and
 * inside a word only when the word alone is wider than the line (a long URL, a JSON blob).
 * Widths are display widths (core/base/sanitize.h): a wide character never straddles two
 * lines. Continuation lines are indented by `hang` columns (a hanging indent, so "Label:
 * value" keeps its value column); the spaces a line was broken at are dropped.
 *
 *   struct tui_wrap_line lines[...];
 *   size_t n = tui_wrap(text, 40, 12, lines, cap);   // text must be sanitized already
 *   for (i < n && i < cap) draw lines[i].indent spaces, then text[off .. off+len)
 * Returns how many lines the text needs (may exceed cap: only cap are filled). An empty text
 * is one empty line. */
#ifndef TUI_WRAP_H
#define TUI_WRAP_H
#include <stddef.h>
#include <stdint.h>
#include "tui/grid.h"

struct tui_wrap_line {
    size_t off, len; /* bytes of the text on this line */
    int indent;      /* columns of indentation before it */
};

size_t tui_wrap(const char *text, int w, int hang, struct tui_wrap_line *lines, size_t cap);
/* The hanging indent that suits "Label:   value" (the column the value starts at) when it is
 * within max columns of the start, else fallback. */
int tui_wrap_hang(const char *text, int max, int fallback);
/* Draw text (from outside: sanitized here) wrapped into r, at most r.h rows (the last one
 * then ends with "…"). Returns the rows used. */
int tui_grid_text_wrapped(struct tui_grid *g, struct tui_rect r, const char *text, uint8_t role,
                          int hang);

#endif
