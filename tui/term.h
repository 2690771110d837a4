/* term — the only place that talks to curses (ncursesw): opens and restores the terminal,
 * detects colour depth, turns theme roles into colour pairs and attributes, reads keys as
 * tui/keymap.h key codes, and copies a grid to the screen sending only the cells that changed
 * since the last frame (no erase/clear per frame; one doupdate per frame).
 *
 * Also, for the console's copy and paste: bracketed paste (mode 2004) is on while the
 * terminal is open (off whenever it is given back: close, tui/guard.c's restore paths, a
 * suspend), its markers read as TUI_KEY_PASTE_BEGIN/END; the mouse (tui_term_mouse_on) reads
 * as TUI_KEY_MOUSE; tui_term_write sends bytes curses does not know of (OSC 52); and a grid's
 * links (tui_grid_link) are sent again after each frame that touched them, with OSC 8
 * ("ESC ] 8 ; ; URL ESC \") and the terminal's own wrap, cursor and rendition saved and
 * restored around them, so curses' picture of the screen stays true.
 *
 * Used by the app loop (tui/app.c) and the frame benchmark; screens never call it. */
#ifndef TUI_TERM_H
#define TUI_TERM_H
#include <stdbool.h>
#include <stdio.h>
#include "tui/colour.h"
#include "tui/grid.h"
#include "tui/mouse.h"
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
    bool am;                            /* the terminal wraps at the right margin itself */
    bool no_osc;                        /* the Linux console: OSC 8/52 would print as text */
    struct tui_mouse mouse;             /* the last mouse event read (TUI_KEY_MOUSE) */
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
/* Clicks (button 1) and the wheel reported as TUI_KEY_MOUSE, or not (the terminal's own). */
void tui_term_mouse_on(struct tui_term *t, bool on);
/* The event behind the last TUI_KEY_MOUSE (hit not set); -1 when there was none. */
int tui_term_mouse(const struct tui_term *t, struct tui_mouse *m);
/* Whether the terminal ignores OSC strings it does not know (not the Linux console, which
 * prints them): OSC 52 and OSC 8 are sent only then. */
bool tui_term_osc_ok(const struct tui_term *t);
/* Send bytes straight to the terminal (an OSC 52 copy), after what curses sent. */
void tui_term_write(struct tui_term *t, const char *s, size_t n);

#endif
