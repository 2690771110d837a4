/* frame — the console's chrome drawn into a grid from explicit inputs: the tab line, the key
 * hints of the status line and the "terminal too small" notice. No app state, so the app draws
 * its frame with them and a test can draw one without an app.
 *
 *   const char *titles[] = {"Sync", "Exceptions"};
 *   tui_frame_tabs(g, titles, 2, 0, km, false, "opsdeck · ana (ops)");
 *   tui_frame_status(g, g->h - 1, km, NULL, 0, "12:03:04 · db ok");   // hints left, text right */
#ifndef TUI_FRAME_H
#define TUI_FRAME_H
#include <stdbool.h>
#include "tui/grid.h"
#include "tui/keymap.h"

/* Line 0: " 1 Sync  2 Exceptions " (each with the first key of screen.N; cur highlighted),
 * then title right-aligned, and " PAUSED " at the right edge when paused. n = 0: only the
 * title. */
void tui_frame_tabs(struct tui_grid *g, const char *const *titles, int n, int cur,
                    const struct tui_keymap *km, bool paused, const char *title);
/* Line y (already filled with the status role): the first key of help, filter, sort,
 * command, pause and quit with their names, as many as fit left of right (at most half the
 * width; NULL or "" for none). */
/* A key hint of the status line: keys as shown ("Tab", "C-c") and what they do. */
struct tui_hint {
    const char *keys, *label;
};
/* hints (n of them) replace the global ones when not NULL. */
void tui_frame_status(struct tui_grid *g, int y, const struct tui_keymap *km,
                      const struct tui_hint *hints, size_t n, const char *right);
/* The whole grid: the terminal is smaller than min_w x min_h; q still quits. */
void tui_frame_too_small(struct tui_grid *g, int min_w, int min_h);

#endif
