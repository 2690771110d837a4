/* mouse — where things are on the last frame, so a click can find what it landed on.
 *
 * Widgets that can be clicked say so while they draw: the tab line registers each tab, a
 * table its header cells and its rows (tui_grid_hit; the grid carries a borrowed hit map the
 * app clears before each frame). A mouse event then asks the map what is under it: the last
 * region registered wins, as what is drawn last is on top. No curses here: term.c turns the
 * terminal's report into a struct tui_mouse, and the app (tui/app_input.c) dispatches it.
 *
 *   struct tui_hits hits = {0};
 *   g.hits = &hits;                                  // the app does this before drawing
 *   tui_grid_hit(&g, (struct tui_rect){0, 0, 8, 1}, TUI_HIT_TAB, NULL, 0);
 *   const struct tui_hit *h = tui_hits_find(&hits, 3, 0);   // the tab
 *   tui_hits_release(&hits); */
#ifndef TUI_MOUSE_H
#define TUI_MOUSE_H
#include <stdbool.h>
#include "tui/grid.h"

enum tui_hit_kind {
    TUI_HIT_TAB,          /* id: the screen's index */
    TUI_HIT_TABLE_HEADER, /* owner: the table; id: the column */
    TUI_HIT_TABLE_ROW,    /* owner: the table; id: the row's index in the view */
};

struct tui_hit {
    struct tui_rect r;
    enum tui_hit_kind kind;
    const void *owner; /* borrowed: the widget that drew it (a table), or NULL */
    long id;
};

struct tui_hits {
    struct tui_hit *v; /* owned */
    int n, cap;
};

/* What the mouse did. */
enum tui_mouse_what {
    TUI_MOUSE_CLICK,      /* button 1 pressed */
    TUI_MOUSE_WHEEL_UP,   /* button 4 */
    TUI_MOUSE_WHEEL_DOWN, /* button 5 */
};

struct tui_mouse {
    int x, y; /* cell, 0-based */
    enum tui_mouse_what what;
    const struct tui_hit *hit; /* what the last frame drew there (borrowed), or NULL */
};

void tui_hits_clear(struct tui_hits *h); /* keeps the memory */
void tui_hits_release(struct tui_hits *h);
void tui_hits_add(struct tui_hits *h, struct tui_rect r, enum tui_hit_kind kind, const void *owner,
                  long id);
/* What widgets call while drawing: register r in g's hit map, if g has one. */
void tui_grid_hit(struct tui_grid *g, struct tui_rect r, enum tui_hit_kind kind, const void *owner,
                  long id);
/* The region under x,y registered last, or NULL. Borrowed until the next clear. */
const struct tui_hit *tui_hits_find(const struct tui_hits *h, int x, int y);

#endif
