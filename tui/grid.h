/* grid — an off-screen cell buffer that every widget draws into; tui/term.c copies the cells
 * that changed to the terminal. Layout is therefore testable without a terminal: draw into a
 * grid, then read back text (tui_grid_line) and roles (tui_grid_at(...)->role).
 *
 * A cell holds one character (a base code point plus up to TUI_CELL_MARKS-1 combining marks),
 * its display width and a theme role. A wide (2-column) character occupies its cell (width 2)
 * and the next one (width 0, a continuation). Every text entry point sanitizes as it goes:
 * control characters and bidi controls are dropped, widths come from core/base/sanitize.h, and text
 * wider than its box is cut at a character boundary and ends with "…" ("~" in ASCII mode).
 * Writes outside the grid are clipped, so widgets may be handed zero or negative sizes.
 *
 *   struct tui_grid g; tui_grid_init(&g, 80, 24);
 *   tui_grid_text(&g, 0, 0, 10, "Ünïcode 漢字", TUI_ROLE_NORMAL);
 *   tui_grid_release(&g); */
#ifndef TUI_GRID_H
#define TUI_GRID_H
#include <stdbool.h>
#include <stdint.h>
#include "tui/theme.h"

struct strbuf;

#define TUI_CELL_MARKS 3

struct tui_cell {
    uint32_t ch[TUI_CELL_MARKS]; /* ch[0] base; the rest combining marks or 0 */
    uint8_t width;               /* 1, 2 (wide lead) or 0 (right half of a wide char) */
    uint8_t role;                /* enum tui_role */
};

struct tui_rect {
    int x, y, w, h;
};

enum tui_align { TUI_ALIGN_LEFT, TUI_ALIGN_RIGHT, TUI_ALIGN_CENTER };

/* A run of cells the terminal is to treat as one line of text (tui_grid_link). */
struct tui_link {
    int x, y, w; /* first cell; w cells in reading order, on from column 0 of the next rows */
    char *url;   /* owned: printable ASCII, or NULL for no hyperlink */
};

struct tui_hits;

struct tui_grid {
    int w, h;
    struct tui_cell *cells; /* owned; w*h, row-major */
    bool ascii;             /* draw ASCII fallbacks instead of block/box/ellipsis glyphs */
    bool cursor_on;         /* a widget with input focus places the terminal cursor */
    int cursor_x, cursor_y;
    struct tui_hits *hits;  /* borrowed or NULL: where clickable widgets say where they are */
    struct tui_link *links; /* owned: this frame's links (tui_grid_link), nlinks of them */
    int nlinks, caplinks;
};

void tui_grid_init(struct tui_grid *g, int w, int h);
void tui_grid_release(struct tui_grid *g);
/* Change the size; contents become blank. */
void tui_grid_resize(struct tui_grid *g, int w, int h);
/* Blank every cell (space, normal role) and hide the cursor. */
void tui_grid_clear(struct tui_grid *g);
/* Borrowed pointer to a cell, or NULL outside the grid. */
struct tui_cell *tui_grid_at(const struct tui_grid *g, int x, int y);

/* Put one code point (must be printable) at x,y; returns the columns it took (0 if clipped). */
int tui_grid_put(struct tui_grid *g, int x, int y, uint32_t cp, uint8_t role);
/* Fill a rectangle with one character. */
void tui_grid_fill(struct tui_grid *g, struct tui_rect r, uint32_t cp, uint8_t role);
/* Recolour w cells of row y starting at x, keeping their characters. */
void tui_grid_paint(struct tui_grid *g, int x, int y, int w, uint8_t role);
/* Write UTF-8 text at x,y into at most w columns, truncating with an ellipsis when it does
 * not fit. Returns the columns written. */
int tui_grid_text(struct tui_grid *g, int x, int y, int w, const char *s, uint8_t role);
/* Same, but exactly w columns: padded with spaces of the same role, aligned as asked. */
void tui_grid_text_aligned(struct tui_grid *g, int x, int y, int w, const char *s,
                           enum tui_align align, uint8_t role);
/* printf-style tui_grid_text. */
int tui_grid_textf(struct tui_grid *g, int x, int y, int w, uint8_t role, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* A box border around r with an optional title in the top edge; the inside is cleared. */
void tui_grid_box(struct tui_grid *g, struct tui_rect r, const char *title, uint8_t role);
/* Text that must be copied whole with the mouse (an address to open): written from x,y and,
 * past the right edge, on from column 0 of the following rows (at most rows of them, the
 * last cut with an ellipsis), the way a terminal wraps a long line. The terminal is then told
 * it is one wrapped line, and a hyperlink to url when url is not NULL (tui/term.c re-sends the
 * run after each frame with OSC 8 and the terminal's own line wrap, so a selection or a
 * triple-click takes it whole). Characters wider than one column show as '?'; a url with
 * anything but printable ASCII gets no hyperlink. Returns the rows used. */
int tui_grid_link(struct tui_grid *g, int x, int y, int rows, const char *text, const char *url,
                  uint8_t role);
/* Place (or hide, x < 0) the terminal cursor. */
void tui_grid_cursor(struct tui_grid *g, int x, int y);

/* Display width of sanitized UTF-8 text (core/base/sanitize.h rules). */
int tui_text_width(const char *s);
/* Append row y as UTF-8 to sb, trailing spaces removed (for tests and screen dumps). */
void tui_grid_line(const struct tui_grid *g, int y, struct strbuf *sb);
/* A centred rectangle of at most w×h inside r. */
struct tui_rect tui_rect_center(struct tui_rect r, int w, int h);

#endif
