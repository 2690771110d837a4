/* grid — off-screen cell buffer; see grid.h for the contract. */
#include "tui/grid.h"
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "core/base/sanitize.h"
#include "core/base/util.h"

#define ELLIPSIS 0x2026u

void tui_grid_init(struct tui_grid *g, int w, int h)
{
    memset(g, 0, sizeof *g);
    tui_grid_resize(g, w, h);
}

void tui_grid_release(struct tui_grid *g)
{
    free(g->cells);
    g->cells = NULL;
    g->w = g->h = 0;
}

void tui_grid_resize(struct tui_grid *g, int w, int h)
{
    if (w < 0) w = 0;
    if (h < 0) h = 0;
    free(g->cells);
    g->w = w;
    g->h = h;
    g->cells = od_xcalloc((size_t)w * (size_t)h + 1, sizeof *g->cells);
    tui_grid_clear(g);
}

static void cell_blank(struct tui_cell *c, uint8_t role)
{
    memset(c, 0, sizeof *c);
    c->ch[0] = ' ';
    c->width = 1;
    c->role = role;
}

void tui_grid_clear(struct tui_grid *g)
{
    for (int i = 0; i < g->w * g->h; i++)
        cell_blank(&g->cells[i], TUI_ROLE_NORMAL);
    g->cursor_on = false;
}

struct tui_cell *tui_grid_at(const struct tui_grid *g, int x, int y)
{
    if (x < 0 || y < 0 || x >= g->w || y >= g->h) return NULL;
    return &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
}

/* Characters that must never reach the terminal even if a caller skipped od_sanitize: the
 * sanitizer's own list, so widths counted here and there agree. */
static bool cp_dropped(uint32_t cp)
{
    return od_char_dropped(cp);
}

/* Overwriting half of a wide character blanks the other half. */
static void break_wide(struct tui_grid *g, int x, int y)
{
    struct tui_cell *c = tui_grid_at(g, x, y);
    if (!c) return;
    if (c->width == 0) {
        struct tui_cell *lead = tui_grid_at(g, x - 1, y);
        if (lead) cell_blank(lead, lead->role);
    } else if (c->width == 2) {
        struct tui_cell *next = tui_grid_at(g, x + 1, y);
        if (next) cell_blank(next, c->role);
    }
}

int tui_grid_put(struct tui_grid *g, int x, int y, uint32_t cp, uint8_t role)
{
    int w = od_char_width(cp);
    if (w < 1) w = 1;
    if (!tui_grid_at(g, x, y) || x + w > g->w) return 0;
    break_wide(g, x, y);
    if (w == 2) break_wide(g, x + 1, y);
    struct tui_cell *c = &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
    memset(c, 0, sizeof *c);
    c->ch[0] = cp;
    c->width = (uint8_t)w;
    c->role = role;
    if (w == 2) {
        struct tui_cell *n = c + 1;
        memset(n, 0, sizeof *n);
        n->role = role;
    }
    return w;
}

void tui_grid_fill(struct tui_grid *g, struct tui_rect r, uint32_t cp, uint8_t role)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            x += tui_grid_put(g, x, y, cp, role) > 1 ? 1 : 0;
}

void tui_grid_paint(struct tui_grid *g, int x, int y, int w, uint8_t role)
{
    for (int i = 0; i < w; i++) {
        struct tui_cell *c = tui_grid_at(g, x + i, y);
        if (c) c->role = role;
    }
}

static void add_mark(struct tui_grid *g, int x, int y, uint32_t cp)
{
    struct tui_cell *c = tui_grid_at(g, x, y);
    while (c && c->width == 0 && x > 0)
        c = tui_grid_at(g, --x, y);
    if (!c) return;
    for (int i = 1; i < TUI_CELL_MARKS; i++)
        if (!c->ch[i]) {
            c->ch[i] = cp;
            return;
        }
}

/* Columns s needs, or until it exceeds limit (then limit + 1). */
static int width_upto(const char *s, int limit)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int w = 0;
    while (n && w <= limit) {
        uint32_t cp;
        size_t k = od_utf8_decode(p, n, &cp);
        p += k;
        n -= k;
        if (!cp_dropped(cp)) w += od_char_width(cp);
    }
    return w;
}

int tui_text_width(const char *s)
{
    return s ? width_upto(s, 1 << 30) : 0;
}

int tui_grid_text(struct tui_grid *g, int x, int y, int w, const char *s, uint8_t role)
{
    if (!s || w <= 0) return 0;
    bool cut = width_upto(s, w) > w;
    int room = cut ? w - 1 : w; /* leave a column for the ellipsis */
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int col = 0;
    while (n) {
        uint32_t cp;
        size_t k = od_utf8_decode(p, n, &cp);
        p += k;
        n -= k;
        if (cp_dropped(cp)) continue;
        int cw = od_char_width(cp);
        if (cw == 0) {
            if (col > 0) add_mark(g, x + col - 1, y, cp);
            continue;
        }
        if (col + cw > room) break;
        tui_grid_put(g, x + col, y, cp, role);
        col += cw;
    }
    if (cut) /* right after the text: a wide character may leave a column free */
        col += tui_grid_put(g, x + col, y, g->ascii ? '~' : ELLIPSIS, role);
    return col;
}

void tui_grid_text_aligned(struct tui_grid *g, int x, int y, int w, const char *s,
                           enum tui_align align, uint8_t role)
{
    if (w <= 0) return;
    int tw = width_upto(s ? s : "", w);
    int pad = tw >= w ? 0 : w - tw;
    int left = align == TUI_ALIGN_RIGHT ? pad : align == TUI_ALIGN_CENTER ? pad / 2 : 0;
    tui_grid_fill(g, (struct tui_rect){x, y, w, 1}, ' ', role);
    tui_grid_text(g, x + left, y, w - left, s, role);
}

int tui_grid_textf(struct tui_grid *g, int x, int y, int w, uint8_t role, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return tui_grid_text(g, x, y, w, buf, role);
}

void tui_grid_box(struct tui_grid *g, struct tui_rect r, const char *title, uint8_t role)
{
    if (r.w < 2 || r.h < 2) return;
    uint32_t h = g->ascii ? '-' : 0x2500, v = g->ascii ? '|' : 0x2502;
    uint32_t tl = g->ascii ? '+' : 0x250c, tr = g->ascii ? '+' : 0x2510;
    uint32_t bl = g->ascii ? '+' : 0x2514, br = g->ascii ? '+' : 0x2518;
    tui_grid_fill(g, (struct tui_rect){r.x + 1, r.y + 1, r.w - 2, r.h - 2}, ' ', TUI_ROLE_DIALOG);
    tui_grid_fill(g, (struct tui_rect){r.x + 1, r.y, r.w - 2, 1}, h, role);
    tui_grid_fill(g, (struct tui_rect){r.x + 1, r.y + r.h - 1, r.w - 2, 1}, h, role);
    tui_grid_fill(g, (struct tui_rect){r.x, r.y + 1, 1, r.h - 2}, v, role);
    tui_grid_fill(g, (struct tui_rect){r.x + r.w - 1, r.y + 1, 1, r.h - 2}, v, role);
    tui_grid_put(g, r.x, r.y, tl, role);
    tui_grid_put(g, r.x + r.w - 1, r.y, tr, role);
    tui_grid_put(g, r.x, r.y + r.h - 1, bl, role);
    tui_grid_put(g, r.x + r.w - 1, r.y + r.h - 1, br, role);
    if (title && *title && r.w > 6) {
        int tw = tui_grid_text(g, r.x + 2, r.y, r.w - 6, " ", TUI_ROLE_TITLE);
        tw += tui_grid_text(g, r.x + 3, r.y, r.w - 6, title, TUI_ROLE_TITLE);
        tui_grid_text(g, r.x + 2 + tw, r.y, 1, " ", TUI_ROLE_TITLE);
    }
}

void tui_grid_cursor(struct tui_grid *g, int x, int y)
{
    g->cursor_on = x >= 0 && y >= 0 && x < g->w && y < g->h;
    g->cursor_x = x;
    g->cursor_y = y;
}

void tui_grid_line(const struct tui_grid *g, int y, struct strbuf *sb)
{
    size_t keep = sb->len;
    for (int x = 0; x < g->w; x++) {
        const struct tui_cell *c = tui_grid_at(g, x, y);
        if (!c || c->width == 0) continue;
        for (int i = 0; i < TUI_CELL_MARKS && c->ch[i]; i++) {
            char buf[4];
            sb_addn(sb, buf, od_utf8_encode(c->ch[i], buf));
        }
        if (c->ch[0] != ' ') keep = sb->len;
    }
    sb->len = keep;
    if (sb->buf) sb->buf[keep] = '\0';
}

struct tui_rect tui_rect_center(struct tui_rect r, int w, int h)
{
    if (w > r.w) w = r.w;
    if (h > r.h) h = r.h;
    return (struct tui_rect){r.x + (r.w - w) / 2, r.y + (r.h - h) / 2, w, h};
}
