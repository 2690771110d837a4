/* term — the only place that talks to curses (ncursesw): opens and restores the terminal,
 * detects colour depth, turns theme roles into colour pairs and attributes, reads keys as
 * tui/keymap.h key codes, and copies a grid to the screen sending only the cells that changed
 * since the last frame (no erase/clear per frame; one doupdate per frame).
 *
 * Used by the app loop (tui/app.c) and the frame benchmark; screens never call it. */
#ifndef TUI_TERM_H
#define TUI_TERM_H
#include <stdbool.h>
#include <stdio.h>
#include "tui/colour.h"
#include "tui/grid.h"
#include "tui/theme.h"

struct screen; /* ncurses SCREEN */

struct tui_term {
    struct screen *scr;
    struct tui_grid front; /* what the terminal shows now */
    enum tui_depth depth;
    int pair[TUI_ROLE_COUNT];
    unsigned long attr[TUI_ROLE_COUNT]; /* curses attr_t */
    bool full;                          /* repaint everything at the next flush */
    bool ascii;                         /* the locale cannot show UTF-8 */
    int cursor;                         /* last curs_set value, -1 unknown */
    int next_slot;                      /* next palette slot for can_change_color truecolor */
    FILE *out;                          /* borrowed: where curses writes */
};

/* Open on stdin/stdout; force_depth NULL or mono|8|16|256|truecolor. -1 with od_seterr when
 * stdin/stdout are not terminals or terminfo has no entry for $TERM. */
int tui_term_open(struct tui_term *t, const char *force_depth);
/* Open on given streams with a terminal type (benchmarks and tests: output to a file). */
int tui_term_open_stream(struct tui_term *t, const char *termtype, FILE *out, FILE *in,
                         const char *force_depth);
/* Restore the terminal (endwin) and free; safe to call twice. */
void tui_term_close(struct tui_term *t);
void tui_term_size(const struct tui_term *t, int *w, int *h);
/* Map every role of the theme to colour pairs/attributes at the detected depth. */
void tui_term_apply_theme(struct tui_term *t, const struct tui_theme *th);
/* Send the cells of g that differ from the last frame, then position the cursor. */
void tui_term_flush(struct tui_term *t, const struct tui_grid *g);
/* Repaint everything at the next flush (C-l, resize, theme switch). */
void tui_term_invalidate(struct tui_term *t);
/* One key (tui/keymap.h code) if input is waiting, else -1. Never blocks. */
int tui_term_read_key(struct tui_term *t);

#endif
