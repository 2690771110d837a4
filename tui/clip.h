/* clip — copy to the clipboard of the terminal the person sits at, wherever that is (over
 * SSH too): OSC 52, "ESC ] 52 ; c ; BASE64 BEL", which the terminal (or tmux, with
 * set-clipboard on) turns into a clipboard write. Inside tmux the sequence is sent twice:
 * as it is (tmux keeps it in a paste buffer and passes it on when set-clipboard is on) and
 * wrapped for tmux's passthrough ("ESC P tmux; ..." with every ESC doubled, "ESC \", which
 * allow-passthrough lets through to the outer terminal). Inside GNU screen it is cut into
 * DCS strings ("ESC P ... ESC \") short enough for screen to pass them on. Pure: the
 * caller (tui/app_input.c) decides where the bytes go and reads $TMUX and $STY.
 *
 *   struct strbuf seq = STRBUF_INIT;
 *   size_t used = tui_clip_osc52(&seq, "Acme\t1,200.00", TUI_CLIP_MAX,
 *                                tui_clip_via(getenv_tmux, getenv_sty));
 *   write(tty, seq.buf, seq.len); */
#ifndef TUI_CLIP_H
#define TUI_CLIP_H
#include <stddef.h>
#include "core/base/util.h"

#define TUI_CLIP_MAX (100 * 1000) /* bytes of text one copy takes at most (100 kB) */

enum tui_clip_via {
    TUI_CLIP_DIRECT, /* the terminal itself */
    TUI_CLIP_TMUX,   /* $TMUX set */
    TUI_CLIP_SCREEN, /* $STY set (GNU screen) */
};

/* Where the sequence has to go through, from the values of $TMUX and $STY (NULL: unset). */
enum tui_clip_via tui_clip_via(const char *tmux, const char *sty);
/* Append to out the sequence(s) that copy text (UTF-8) through via. At most max bytes of text
 * are taken, cut at a character boundary; returns how many were. */
size_t tui_clip_osc52(struct strbuf *out, const char *text, size_t max, enum tui_clip_via via);
/* Standard base64 (RFC 4648, with padding) of n bytes, appended to out. */
void tui_base64(struct strbuf *out, const void *data, size_t n);
/* Characters (code points) in the first n bytes of UTF-8 s, for "copied N characters". */
size_t tui_clip_chars(const char *s, size_t n);

#endif
