/* edit — one-line UTF-8 editor; see edit.h. */
#include "tui/edit.h"
#include <string.h>
#include "core/base/sanitize.h"
#include "tui/grid.h"
#include "tui/keymap.h"

void tui_edit_init(struct tui_edit *e, bool masked)
{
    memset(e, 0, sizeof *e);
    e->masked = masked;
}

void tui_edit_clear(struct tui_edit *e)
{
    if (e->text.buf) od_wipe(e->text.buf, e->text.cap);
    sb_reset(&e->text);
    e->cur = 0;
}

void tui_edit_release(struct tui_edit *e)
{
    tui_edit_clear(e);
    sb_release(&e->text);
}

void tui_edit_set(struct tui_edit *e, const char *s)
{
    tui_edit_clear(e);
    sb_add(&e->text, s ? s : "");
    e->cur = e->text.len;
}

const char *tui_edit_str(const struct tui_edit *e)
{
    return sb_str(&e->text);
}

static size_t prev_char(const struct tui_edit *e, size_t at)
{
    while (at > 0 && ((unsigned char)e->text.buf[--at] & 0xc0) == 0x80)
        ;
    return at;
}

static size_t next_char(const struct tui_edit *e, size_t at)
{
    if (at >= e->text.len) return e->text.len;
    uint32_t cp;
    return at + od_utf8_decode((const unsigned char *)e->text.buf + at, e->text.len - at, &cp);
}

static void cut(struct tui_edit *e, size_t from, size_t to)
{
    memmove(e->text.buf + from, e->text.buf + to, e->text.len - to);
    e->text.len -= to - from;
    e->text.buf[e->text.len] = '\0';
    e->cur = from;
}

static unsigned insert(struct tui_edit *e, uint32_t cp)
{
    char u[4];
    size_t n = od_utf8_encode(cp, u);
    if (e->text.len + n > (e->max_len ? e->max_len : 1024)) return TUI_EDIT_HANDLED;
    sb_grow(&e->text, n);
    memmove(e->text.buf + e->cur + n, e->text.buf + e->cur, e->text.len - e->cur);
    memcpy(e->text.buf + e->cur, u, n);
    e->text.len += n;
    e->text.buf[e->text.len] = '\0';
    e->cur += n;
    return TUI_EDIT_HANDLED | TUI_EDIT_CHANGED;
}

/* What typing may insert: printable characters (never controls, C1, surrogates, zero-width). */
static bool insertable(int key)
{
    return key >= ' ' && key < TUI_KEY_BASE && key != 0x7f && !(key >= 0x80 && key < 0xa0) &&
           !(key >= 0xd800 && key < 0xe000) && od_char_width((uint32_t)key) > 0;
}

unsigned tui_edit_paste(struct tui_edit *e, const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t left = strlen((const char *)p);
    unsigned r = TUI_EDIT_HANDLED;
    while (left) {
        uint32_t cp;
        size_t k = od_utf8_decode(p, left, &cp);
        p += k;
        left -= k;
        if (!insertable((int)cp)) continue;
        unsigned ir = insert(e, cp);
        if (!(ir & TUI_EDIT_CHANGED)) break; /* full */
        r |= ir;
    }
    return r;
}

unsigned tui_edit_key(struct tui_edit *e, int key)
{
    size_t at;
    switch (key) {
    case TUI_KEY_BACKSPACE:
    case TUI_KEY_CTRL('h'):
        if (e->cur == 0) return TUI_EDIT_HANDLED;
        cut(e, prev_char(e, e->cur), e->cur);
        return TUI_EDIT_HANDLED | TUI_EDIT_CHANGED;
    case TUI_KEY_DELETE:
        if (e->cur >= e->text.len) return TUI_EDIT_HANDLED;
        cut(e, e->cur, next_char(e, e->cur));
        return TUI_EDIT_HANDLED | TUI_EDIT_CHANGED;
    case TUI_KEY_LEFT:
        e->cur = prev_char(e, e->cur);
        return TUI_EDIT_HANDLED;
    case TUI_KEY_RIGHT:
        e->cur = next_char(e, e->cur);
        return TUI_EDIT_HANDLED;
    case TUI_KEY_HOME:
    case TUI_KEY_CTRL('a'):
        e->cur = 0;
        return TUI_EDIT_HANDLED;
    case TUI_KEY_END:
    case TUI_KEY_CTRL('e'):
        e->cur = e->text.len;
        return TUI_EDIT_HANDLED;
    case TUI_KEY_CTRL('u'):
        tui_edit_clear(e);
        return TUI_EDIT_HANDLED | TUI_EDIT_CHANGED;
    case TUI_KEY_CTRL('w'):
        at = e->cur;
        while (at > 0 && e->text.buf[at - 1] == ' ')
            at--;
        while (at > 0 && e->text.buf[at - 1] != ' ')
            at = prev_char(e, at);
        cut(e, at, e->cur);
        return TUI_EDIT_HANDLED | TUI_EDIT_CHANGED;
    default:
        if (insertable(key)) return insert(e, (uint32_t)key);
        return 0;
    }
}

void tui_edit_draw(const struct tui_edit *e, struct tui_grid *g, int x, int y, int w,
                   unsigned char role, bool focus)
{
    if (w <= 0) return;
    tui_grid_fill(g, (struct tui_rect){x, y, w, 1}, ' ', role);
    const unsigned char *s = (const unsigned char *)sb_str(&e->text);
    uint32_t mask = g->ascii ? '*' : 0x2022;
    /* columns before the cursor; scroll so the cursor sits inside the box */
    int cur_col = 0;
    for (size_t i = 0; i < e->cur;) {
        uint32_t cp;
        i += od_utf8_decode(s + i, e->cur - i, &cp);
        cur_col += e->masked ? 1 : od_char_width(cp);
    }
    int skip = cur_col >= w ? cur_col - w + 1 : 0;
    int col = 0;
    for (size_t i = 0; i < e->text.len;) {
        uint32_t cp;
        i += od_utf8_decode(s + i, e->text.len - i, &cp);
        if (e->masked) cp = mask;
        int cw = od_char_width(cp);
        if (cw == 0) continue;
        if (col >= skip && col - skip + cw <= w) tui_grid_put(g, x + col - skip, y, cp, role);
        col += cw;
    }
    if (focus) tui_grid_cursor(g, x + cur_col - skip, y);
}
