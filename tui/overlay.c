/* overlay — modal scrollable text box; see overlay.h. */
#include "tui/overlay.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "tui/wrap.h"

void tui_overlay_close(struct tui_overlay *o)
{
    for (int i = 0; i < o->n; i++)
        free(o->lines[i].text);
    free(o->lines);
    free(o->rows);
    free(o->title);
    free(o->copy);
    memset(o, 0, sizeof *o);
}

void tui_overlay_open(struct tui_overlay *o, const char *title)
{
    tui_overlay_close(o);
    o->open = true;
    o->title = od_xstrdup(title);
}

void tui_overlay_add(struct tui_overlay *o, uint8_t role, const char *fmt, ...)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 32;
        o->lines = od_xrealloc(o->lines, (size_t)o->cap * sizeof *o->lines);
    }
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    o->lines[o->n++] = (struct tui_overlay_line){od_sanitize(sb_str(&sb)), role};
    sb_release(&sb);
    o->wrap_w = 0;
}

/* The lines wrapped to w columns, once per width (and after lines were added). */
static void wrap_rows(struct tui_overlay *o, int w)
{
    if (o->wrap_w == w) return;
    o->nrows = 0;
    for (int i = 0; i < o->n; i++) {
        const char *t = o->lines[i].text;
        int lead = (int)strspn(t, " ");
        int hang = tui_wrap_hang(t, 24, lead + 2); /* under the value, or indented a little */
        size_t need = tui_wrap(t, w, hang, NULL, 0);
        if ((size_t)(o->caprows - o->nrows) < need) {
            o->caprows = (o->nrows + (int)need) * 2;
            o->rows = od_xrealloc(o->rows, (size_t)o->caprows * sizeof *o->rows);
        }
        struct tui_wrap_line *wl = od_xcalloc(need, sizeof *wl);
        tui_wrap(t, w, hang, wl, need);
        for (size_t k = 0; k < need; k++)
            o->rows[o->nrows++] = (struct tui_overlay_row){i, wl[k].off, wl[k].len, wl[k].indent};
        free(wl);
    }
    o->wrap_w = w;
}

void tui_overlay_set_copy(struct tui_overlay *o, const char *text)
{
    free(o->copy);
    o->copy = text ? od_xstrdup(text) : NULL;
}

void tui_overlay_copy_text(const struct tui_overlay *o, struct strbuf *out)
{
    if (o->copy) {
        sb_add(out, o->copy);
        return;
    }
    for (int i = 0; i < o->n; i++)
        sb_addf(out, "%s%s", i ? "\n" : "", o->lines[i].text);
}

static unsigned scroll_to(struct tui_overlay *o, int s)
{
    int max = (o->wrap_w ? o->nrows : o->n) - o->page;
    o->scroll = s > max ? max : s;
    if (o->scroll < 0) o->scroll = 0;
    return TUI_HANDLED | TUI_REDRAW;
}

unsigned tui_overlay_key(struct tui_overlay *o, const struct tui_key *k)
{
    const char *a = k->action ? k->action : "";
    int page = o->page > 1 ? o->page - 1 : 1;
    if (!strcmp(a, "up")) return scroll_to(o, o->scroll - 1);
    if (!strcmp(a, "down")) return scroll_to(o, o->scroll + 1);
    if (!strcmp(a, "page_up")) return scroll_to(o, o->scroll - page);
    if (!strcmp(a, "page_down") || k->key == ' ') return scroll_to(o, o->scroll + page);
    if (!strcmp(a, "top")) return scroll_to(o, 0);
    if (!strcmp(a, "bottom")) return scroll_to(o, 1 << 30);
    if (!strcmp(a, "back") || !strcmp(a, "quit") || !strcmp(a, "help") || !strcmp(a, "enter") ||
        k->key == TUI_KEY_ESC) {
        tui_overlay_close(o);
        return TUI_HANDLED | TUI_REDRAW;
    }
    return TUI_HANDLED; /* modal: nothing reaches the screen below */
}

void tui_overlay_draw(struct tui_overlay *o, struct tui_grid *g, struct tui_rect area)
{
    struct tui_rect r = tui_rect_center(area, area.w - 2 < 80 ? area.w - 2 : 80, area.h);
    if (r.w < 10 || r.h < 4) return;
    tui_grid_box(g, r, o->title, TUI_ROLE_BORDER);
    wrap_rows(o, r.w - 4);
    o->page = r.h - 2;
    scroll_to(o, o->scroll);
    struct strbuf piece = STRBUF_INIT;
    for (int i = 0; i < o->page && o->scroll + i < o->nrows; i++) {
        const struct tui_overlay_row *row = &o->rows[o->scroll + i];
        const struct tui_overlay_line *l = &o->lines[row->line];
        sb_reset(&piece);
        sb_addn(&piece, l->text + row->off, row->len);
        tui_grid_text(g, r.x + 2 + row->indent, r.y + 1 + i, r.w - 4 - row->indent, sb_str(&piece),
                      l->role);
    }
    sb_release(&piece);
    if (o->nrows > o->page) {
        char pos[32];
        snprintf(pos, sizeof pos, " %d/%d ",
                 o->scroll + o->page < o->nrows ? o->scroll + o->page : o->nrows, o->nrows);
        int pw = tui_text_width(pos);
        tui_grid_text(g, r.x + r.w - pw - 2, r.y + r.h - 1, pw, pos, TUI_ROLE_DIM);
    }
}
