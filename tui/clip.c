/* clip — OSC 52 sequences; see clip.h. */
#include "tui/clip.h"
#include <string.h>

/* screen passes a DCS string on only when it is short: the sequence goes in pieces this long */
#define SCREEN_CHUNK 76

void tui_base64(struct strbuf *out, const void *data, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    sb_grow(out, (n + 2) / 3 * 4);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        char q[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], i + 1 < n ? abc[v >> 6 & 63] : '=',
                     i + 2 < n ? abc[v & 63] : '='};
        sb_addn(out, q, 4);
    }
}

enum tui_clip_via tui_clip_via(const char *tmux, const char *sty)
{
    if (tmux && *tmux) return TUI_CLIP_TMUX;
    if (sty && *sty) return TUI_CLIP_SCREEN;
    return TUI_CLIP_DIRECT;
}

size_t tui_clip_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/* The longest prefix of s no longer than max that ends on a character boundary. */
static size_t cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return max;
}

size_t tui_clip_osc52(struct strbuf *out, const char *text, size_t max, enum tui_clip_via via)
{
    size_t n = cut(text ? text : "", max);
    struct strbuf seq = STRBUF_INIT;
    sb_add(&seq, "\033]52;c;");
    tui_base64(&seq, text, n);
    sb_addch(&seq, '\a');
    if (via == TUI_CLIP_DIRECT) {
        sb_addn(out, seq.buf, seq.len);
    } else if (via == TUI_CLIP_TMUX) {
        sb_addn(out, seq.buf, seq.len); /* for tmux itself (set-clipboard on) */
        sb_add(out, "\033Ptmux;");      /* and through it (allow-passthrough on) */
        for (size_t i = 0; i < seq.len; i++) {
            if (seq.buf[i] == '\033') sb_addch(out, '\033');
            sb_addch(out, seq.buf[i]);
        }
        sb_add(out, "\033\\");
    } else {
        for (size_t i = 0; i < seq.len; i += SCREEN_CHUNK) {
            sb_add(out, "\033P");
            sb_addn(out, seq.buf + i, seq.len - i < SCREEN_CHUNK ? seq.len - i : SCREEN_CHUNK);
            sb_add(out, "\033\\");
        }
    }
    sb_release(&seq);
    return n;
}
