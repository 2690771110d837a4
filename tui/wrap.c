/* wrap — word wrapping by display width; see wrap.h. */
#include "tui/wrap.h"
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include "core/base/sanitize.h"
#include "core/base/util.h"

/* One code point of s at i: its byte length and columns. */
static size_t step(const char *s, size_t n, size_t i, int *cols)
{
    uint32_t cp;
    size_t len = od_utf8_decode((const unsigned char *)s + i, n - i, &cp);
    *cols = od_char_width(cp);
    return len;
}

static void put(struct tui_wrap_line *lines, size_t cap, size_t k, size_t off, size_t len,
                int indent)
{
    if (k < cap) lines[k] = (struct tui_wrap_line){off, len, indent};
}

size_t tui_wrap(const char *text, int w, int hang, struct tui_wrap_line *lines, size_t cap)
{
    size_t n = text ? strlen(text) : 0, k = 0, i = 0;
    if (w < 1) w = 1;
    if (hang < 0 || hang > w / 2) hang = 0;
    int indent = 0;
    while (i < n || k == 0) {
        size_t start = i, brk = 0, end = i;
        int col = indent, room = w;
        bool broke = false;
        while (i < n) {
            int cw;
            size_t len = step(text, n, i, &cw);
            if (col + cw > room && i > start) {
                broke = true;
                break;
            }
            if (text[i] == ' ' && i > start) brk = i;
            col += cw;
            i += len;
        }
        end = i;
        if (broke && brk > start) { /* back to the last space: the word moves down */
            end = brk;
            i = brk;
        }
        size_t e = end;
        while (e > start && text[e - 1] == ' ')
            e--;
        put(lines, cap, k++, start, e - start, indent);
        while (i < n && text[i] == ' ')
            i++;
        indent = hang;
        if (i >= n) break;
    }
    return k;
}

int tui_wrap_hang(const char *text, int max, int fallback)
{
    const char *c = text ? strstr(text, ": ") : NULL;
    if (!c) return fallback;
    const char *v = c + 1;
    while (*v == ' ')
        v++;
    char head[256];
    size_t len = (size_t)(v - text) < sizeof head ? (size_t)(v - text) : sizeof head - 1;
    memcpy(head, text, len);
    head[len] = '\0';
    int col = od_display_width(head);
    return col <= max ? col : fallback;
}

int tui_grid_text_wrapped(struct tui_grid *g, struct tui_rect r, const char *text, uint8_t role,
                          int hang)
{
    if (r.w <= 0 || r.h <= 0) return 0;
    char *s = od_sanitize(text);
    size_t need = tui_wrap(s, r.w, hang, NULL, 0);
    struct tui_wrap_line *wl = od_xcalloc(need, sizeof *wl);
    tui_wrap(s, r.w, hang, wl, need);
    int rows = 0;
    struct strbuf piece = STRBUF_INIT;
    for (size_t i = 0; i < need && rows < r.h; i++, rows++) {
        sb_reset(&piece);
        sb_addn(&piece, s + wl[i].off, wl[i].len);
        /* the last row that fits ends with "…" when text is left over */
        const char *t = sb_str(&piece);
        if (rows == r.h - 1 && i + 1 < need) {
            sb_add(&piece, " …");
            t = sb_str(&piece);
        }
        tui_grid_text(g, r.x + wl[i].indent, r.y + rows, r.w - wl[i].indent, t, role);
    }
    sb_release(&piece);
    free(wl);
    free(s);
    return rows;
}
