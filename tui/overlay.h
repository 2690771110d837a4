/* overlay — a modal, scrollable box of lines drawn over the screen: the help (tui/help.h),
 * `:messages`, or any long read-only text a screen wants to show (a job's or an exception's
 * detail). Lines are sanitized when added and WRAPPED to the box when drawn (never cut): a
 * "Label:  value" line continues under its value (tui/wrap.h). While open it takes every key:
 * up/down/page_up/page_down/top/bottom scroll (by wrapped line), back/quit/help/enter close
 * it. */
#ifndef TUI_OVERLAY_H
#define TUI_OVERLAY_H
#include <stdbool.h>
#include "tui/grid.h"
#include "tui/keymap.h"

struct strbuf;

struct tui_overlay_line {
    char *text; /* owned, sanitized */
    uint8_t role;
};

struct tui_overlay_row { /* one wrapped row on screen */
    int line;            /* index into lines */
    size_t off, len;     /* bytes of that line's text */
    int indent;
};

struct tui_overlay {
    bool open;
    char *title; /* owned */
    struct tui_overlay_line *lines;
    int n, cap;
    int scroll, page; /* in wrapped rows */
    char *copy;       /* owned or NULL: what `y` copies (tui_overlay_set_copy); NULL: every line */
    struct tui_overlay_row *rows; /* owned: the lines wrapped to wrap_w columns */
    int nrows, caprows, wrap_w;   /* wrap_w 0: not wrapped yet (or lines added since) */
};

/* Start a new overlay (discarding any previous lines). */
void tui_overlay_open(struct tui_overlay *o, const char *title);
void tui_overlay_close(struct tui_overlay *o); /* frees the lines */
void tui_overlay_add(struct tui_overlay *o, uint8_t role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
unsigned tui_overlay_key(struct tui_overlay *o, const struct tui_key *k);
/* What `y` copies while the overlay is open (an error message), instead of all its lines. */
void tui_overlay_set_copy(struct tui_overlay *o, const char *text);
/* The text `y` copies, appended to out: the copy text, else every line ('\n' between). */
void tui_overlay_copy_text(const struct tui_overlay *o, struct strbuf *out);
/* Draw centred in area (at most 80 columns wide). */
void tui_overlay_draw(struct tui_overlay *o, struct tui_grid *g, struct tui_rect area);

#endif
