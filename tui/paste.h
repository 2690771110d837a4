/* paste — bracketed paste (xterm mode 2004) read from the key stream. With the mode on
 * (tui/term.c turns it on with the terminal and off whenever the terminal is given back) the
 * terminal wraps pasted text in ESC [ 200 ~ ... ESC [ 201 ~, so it can be told from typing.
 * Every key goes through tui_paste_feed first: keys between the markers are collected as text
 * and never act as keys; the rest come back out, in order, as ordinary keys.
 *
 * The markers arrive as one key each (TUI_KEY_PASTE_BEGIN/END: term.c defines them to curses)
 * or, when the terminal's bytes came apart, as the keys ESC [ 2 0 0 ~: those are held while
 * they may still be a marker, across calls (a paste split over several reads), and given back
 * as ordinary keys when they turn out not to be one, or when the caller says no more input is
 * waiting (tui_paste_flush: a lone Esc acts then).
 *
 * The text is one line: line breaks and tabs become one space (a run of them, one space;
 * trailing ones go), other control characters and keys that are not characters (a pasted
 * escape sequence decoded as an arrow key) are dropped. At most TUI_PASTE_MAX bytes are kept;
 * the rest is counted (tui_paste_dropped) and dropped. The text may be a password: it is
 * wiped when cleared.
 *
 *   int out[TUI_PASTE_OUT]; bool done;
 *   int n = tui_paste_feed(&p, key, out, &done);
 *   for (int i = 0; i < n; i++) act_on_key(out[i]);
 *   if (done) { insert(tui_paste_text(&p)); tui_paste_clear(&p); } */
#ifndef TUI_PASTE_H
#define TUI_PASTE_H
#include <stdbool.h>
#include <stddef.h>
#include "core/base/util.h"

#define TUI_PASTE_MAX (64 * 1024) /* bytes of pasted text kept */
#define TUI_PASTE_OUT 8           /* room for the keys one feed or flush gives back */

struct tui_paste {
    bool in;            /* between the begin and the end marker */
    int held[6];        /* keys that may be the start of a marker */
    int nheld;          /* how many */
    bool brk;           /* the text ends with the space of a line break */
    struct strbuf text; /* owned; the pasted text so far */
    size_t dropped;     /* characters past TUI_PASTE_MAX */
};

void tui_paste_init(struct tui_paste *p);
void tui_paste_release(struct tui_paste *p); /* wipes the text */
/* One key in. Returns how many ordinary keys are now in out (0..TUI_PASTE_OUT), to act on
 * in order; *done is set when a paste ended with this key (its text: tui_paste_text). */
int tui_paste_feed(struct tui_paste *p, int key, int *out, bool *done);
/* No more input waiting: keys held as a possible marker start are ordinary after all. */
int tui_paste_flush(struct tui_paste *p, int *out);
/* Inside a paste (the end marker not seen yet). */
bool tui_paste_active(const struct tui_paste *p);
/* End a paste whose end marker never came (the caller's timeout); true when one was open,
 * its text then ready as after *done. */
bool tui_paste_finish(struct tui_paste *p);
const char *tui_paste_text(const struct tui_paste *p); /* borrowed; never NULL */
size_t tui_paste_dropped(const struct tui_paste *p);
/* Forget the text (wiped) once it was used. */
void tui_paste_clear(struct tui_paste *p);

#endif
