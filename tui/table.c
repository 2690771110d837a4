/* table — virtual table widget; see table.h. */
#include "tui/table.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/sanitize.h"

void tui_table_init(struct tui_table *t, const struct tui_column *cols, int ncols)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols;
    t->sort_col = -1;
    tui_rowset_init(&t->rows, ncols);
    tui_edit_init(&t->filter, false);
    t->filter.max_len = 200;
}

void tui_table_prepare(const struct tui_column *cols, int ncols, struct tui_rowset *rs)
{
    for (int c = 0; c < ncols && c < rs->ncols; c++)
        tui_rowset_presort(rs, c, cols[c].cmp);
}

static void drop_derived(struct tui_table *t)
{
    free(t->order);
    free(t->view);
    t->order = t->view = NULL;
    t->nview = 0;
}

static void drop_fresh(struct tui_table *t)
{
    free(t->fresh);
    t->fresh = NULL;
    t->nfresh = 0;
}

void tui_table_release(struct tui_table *t)
{
    drop_fresh(t);
    drop_derived(t);
    tui_rowset_release(&t->rows);
    tui_edit_release(&t->filter);
    free(t->needle);
    free(t->sel_key);
    memset(t, 0, sizeof *t);
}

static void remember_selection(struct tui_table *t)
{
    free(t->sel_key);
    t->sel_key = t->nview ? od_xstrdup(tui_rowset_key(&t->rows, t->view[t->sel])) : NULL;
}

static void scroll_into_view(struct tui_table *t)
{
    size_t page = t->page > 0 ? (size_t)t->page : 1;
    if (t->nview == 0) {
        t->sel = t->top = 0;
        return;
    }
    if (t->sel >= t->nview) t->sel = t->nview - 1;
    if (t->sel < t->top) t->top = t->sel;
    if (t->sel >= t->top + page) t->top = t->sel - page + 1;
    if (t->top + page > t->nview) /* no empty space below the last row when avoidable */
        t->top = t->nview > page ? t->nview - page : 0;
}

/* The row with key, or rs->n: hint first (a new snapshot often keeps rows in place), then every
 * row in data order, comparing lengths before bytes (keys are stored one after another). */
static size_t find_key(const struct tui_rowset *rs, const char *key, size_t hint)
{
    size_t stride = (size_t)rs->ncols + 1, kl = strlen(key) + 1;
    if (hint < rs->n && !strcmp(tui_rowset_key(rs, hint), key)) return hint;
    for (size_t r = 0; r < rs->n; r++) {
        const uint32_t *o = &rs->off[r * stride];
        if (o[1] - o[0] == kl && !memcmp(rs->text.buf + o[0], key, kl)) return r;
    }
    return rs->n;
}

/* Where row is in the view, or nview. */
static size_t view_pos(const struct tui_table *t, size_t row)
{
    size_t i = 0;
    while (i < t->nview && t->view[i] != row)
        i++;
    return i;
}

/* The selected row (an index into rows) before a change, for restore_selection; -1: none. */
static long selected_row(const struct tui_table *t)
{
    return t->nview ? (long)t->view[t->sel] : -1;
}

/* After a new snapshot: select the row with the selected key again (looked for first at
 * index hint, the row it was) and keep it at the same screen line. */
static void restore_selection(struct tui_table *t, size_t screen_line, long hint)
{
    size_t r =
        t->sel_key ? find_key(&t->rows, t->sel_key, hint >= 0 ? (size_t)hint : 0) : t->rows.n;
    size_t at = r < t->rows.n ? view_pos(t, r) : t->nview;
    if (at < t->nview)
        t->sel = at;
    else if (t->sel >= t->nview)
        t->sel = t->nview ? t->nview - 1 : 0;
    t->top = t->sel >= screen_line ? t->sel - screen_line : 0;
    scroll_into_view(t);
    remember_selection(t);
}

/* Recompute view from order (or, narrowing, from the current view). Few candidates are
 * checked one by one; many are found in one pass over the folded text of every row. */
static void apply_filter(struct tui_table *t, bool narrowing)
{
    const struct tui_rowset *rs = &t->rows;
    if (!t->view) t->view = od_xmalloc((rs->n + 1) * sizeof *t->view);
    if (!t->needle) {
        memcpy(t->view, t->order, rs->n * sizeof *t->view);
        t->nview = rs->n;
        return;
    }
    const uint32_t *src = narrowing ? t->view : t->order; /* view is written behind src */
    size_t n = narrowing ? t->nview : rs->n, out = 0;
    if (n < rs->n / 4) {
        out = tui_rowset_match_rows(rs, t->needle, src, n, t->view);
    } else {
        uint8_t *hit = od_xcalloc(rs->n / 8 + 1, 1);
        tui_rowset_match(rs, t->needle, hit);
        for (size_t i = 0; i < n; i++)
            if (hit[src[i] / 8] & (1u << (src[i] % 8))) t->view[out++] = src[i];
        free(hit);
    }
    t->nview = out;
}

static void sort_order(struct tui_table *t)
{
    if (t->sort_col >= 0)
        tui_rowset_order(&t->rows, t->sort_col, t->cols[t->sort_col].cmp, t->sort_desc, t->order);
    else
        for (size_t i = 0; i < t->rows.n; i++)
            t->order[i] = (uint32_t)i;
}

static uint64_t key_hash(const char *k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return h;
}

/* After a new snapshot: mark the rows above the view that old did not have (or had, still
 * unseen: old_fresh), so the header can say how many arrived up there. The keys above the view
 * go into a small hash set and old is read once: linear, however far down the view is. */
static void mark_fresh(struct tui_table *t, const struct tui_rowset *old, const uint8_t *old_fresh)
{
    size_t n = t->top < t->nview ? t->top : t->nview, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    uint32_t *slot = od_xcalloc(cap, sizeof *slot); /* view position + 1; 0: empty */
    uint8_t *seen = od_xcalloc(n + 1, 1);           /* 1: in old, and seen there */
    for (size_t i = 0; i < n; i++) {
        size_t h = key_hash(tui_rowset_key(&t->rows, t->view[i])) & (cap - 1);
        while (slot[h])
            h = (h + 1) & (cap - 1);
        slot[h] = (uint32_t)i + 1;
    }
    for (size_t o = 0; o < old->n; o++) {
        const char *k = tui_rowset_key(old, o);
        for (size_t h = key_hash(k) & (cap - 1); slot[h]; h = (h + 1) & (cap - 1))
            if (!strcmp(tui_rowset_key(&t->rows, t->view[slot[h] - 1]), k)) {
                seen[slot[h] - 1] = !(old_fresh && old_fresh[o]);
                break;
            }
    }
    for (size_t i = 0; i < n; i++)
        if (!seen[i]) {
            if (!t->fresh) t->fresh = od_xcalloc(t->rows.n + 1, 1);
            t->fresh[t->view[i]] = 1;
            t->nfresh++;
        }
    free(seen);
    free(slot);
}

void tui_table_set_rows(struct tui_table *t, struct tui_rowset *rs)
{
    size_t line = t->sel >= t->top ? t->sel - t->top : 0;
    long row = selected_row(t);
    bool scrolled = t->top > 0;
    struct tui_rowset old = t->rows; /* kept until the new rows are placed */
    uint8_t *old_fresh = t->fresh;
    tui_rowset_init(&t->rows, old.ncols);
    t->fresh = NULL;
    t->nfresh = 0;
    drop_derived(t);
    tui_rowset_move(&t->rows, rs);
    t->order = od_xmalloc((t->rows.n + 1) * sizeof *t->order);
    sort_order(t);
    apply_filter(t, false);
    restore_selection(t, line, row);
    if (scrolled && t->top > 0 && old.n) mark_fresh(t, &old, old_fresh);
    free(old_fresh);
    tui_rowset_release(&old);
}

void tui_table_reset_view(struct tui_table *t)
{
    drop_fresh(t);
    t->sel = t->top = 0;
    remember_selection(t);
}

size_t tui_table_new_above(const struct tui_table *t)
{
    size_t n = 0;
    for (size_t i = 0; t->nfresh && i < t->top && i < t->nview; i++)
        n += t->fresh[t->view[i]];
    return n;
}

void tui_table_sort(struct tui_table *t, int col, bool desc)
{
    t->sort_col = col < t->ncols ? col : -1;
    t->sort_desc = desc;
    if (!t->order) return;
    sort_order(t);
    apply_filter(t, false);
    tui_table_reset_view(t); /* a new order: its first row is the first one shown */
}

void tui_table_set_filter(struct tui_table *t, const char *text)
{
    char *old = t->needle;
    t->needle = NULL;
    if (text && *text) {
        struct strbuf sb = STRBUF_INIT;
        tui_fold(text, &sb);
        t->needle = sb_detach(&sb);
    }
    if (t->order) apply_filter(t, old && t->needle && strstr(t->needle, old));
    free(old);
    tui_table_reset_view(t); /* the first match is the first row shown */
}

static unsigned move_to(struct tui_table *t, long target)
{
    if (t->nview == 0) return TUI_HANDLED;
    if (target < 0) target = 0;
    if ((size_t)target >= t->nview) target = (long)t->nview - 1;
    t->sel = (size_t)target;
    scroll_into_view(t);
    remember_selection(t);
    return TUI_HANDLED | TUI_REDRAW;
}

static unsigned filter_key(struct tui_table *t, int key)
{
    if (key == TUI_KEY_ENTER) {
        t->filter_editing = false;
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (key == TUI_KEY_ESC) {
        tui_edit_clear(&t->filter);
        tui_table_set_filter(t, NULL);
        t->filter_editing = false;
        return TUI_HANDLED | TUI_REDRAW;
    }
    unsigned r = tui_edit_key(&t->filter, key);
    if (r & TUI_EDIT_CHANGED) tui_table_set_filter(t, tui_edit_str(&t->filter));
    return r ? TUI_HANDLED | TUI_REDRAW : 0;
}

unsigned tui_table_key(struct tui_table *t, const struct tui_key *k)
{
    if (t->filter_editing) {
        unsigned r = filter_key(t, k->key);
        if (r) return r;
    }
    const char *a = k->action;
    long page = t->page > 1 ? t->page - 1 : 1, sel = (long)t->sel;
    if (!a) return 0;
    if (!strcmp(a, "up")) return move_to(t, sel - 1);
    if (!strcmp(a, "down")) return move_to(t, sel + 1);
    if (!strcmp(a, "page_up")) return move_to(t, sel - page);
    if (!strcmp(a, "page_down")) return move_to(t, sel + page);
    if (!strcmp(a, "top")) return move_to(t, 0);
    if (!strcmp(a, "bottom")) return move_to(t, (long)t->nview - 1);
    if (!strcmp(a, "left") || !strcmp(a, "right")) {
        int h = t->hscroll + (a[0] == 'l' ? -1 : 1);
        t->hscroll = h < 0 ? 0 : h >= t->ncols ? t->ncols - 1 : h;
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "sort")) {
        int col = (t->sort_col + 1) % t->ncols;
        tui_table_sort(t, col, t->cols[col].cmp != TUI_CMP_TEXT);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "sort_reverse")) {
        tui_table_sort(t, t->sort_col < 0 ? 0 : t->sort_col, !t->sort_desc);
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "filter")) {
        t->filter_editing = true;
        tui_edit_set(&t->filter, t->needle ? tui_edit_str(&t->filter) : "");
        return TUI_HANDLED | TUI_REDRAW;
    }
    if (!strcmp(a, "back") && t->needle) {
        tui_edit_clear(&t->filter);
        tui_table_set_filter(t, NULL);
        return TUI_HANDLED | TUI_REDRAW;
    }
    return 0;
}

static int col_width(const struct tui_table *t, int c)
{
    const struct tui_column *col = &t->cols[c];
    int w = t->rows.width[c], tw = tui_text_width(col->title) + 1; /* +1: sort arrow */
    if (w < tw) w = tw;
    if (w < col->min_w) w = col->min_w;
    if (col->max_w > 0 && w > col->max_w) w = col->max_w;
    return w;
}

/* Columns (relative to the cell's text) of the first filter match; false when none. */
static bool match_span(const char *s, const char *needle, int *start, int *width)
{
    struct strbuf f = STRBUF_INIT;
    tui_fold(s, &f);
    const char *m = strstr(sb_str(&f), needle);
    bool found = m != NULL;
    if (found) {
        size_t before = 0, len = 0; /* in code points: folding maps code point to code point */
        for (const char *p = f.buf; p < m; p++)
            before += ((unsigned char)*p & 0xc0) != 0x80;
        for (const char *p = needle; *p; p++)
            len += ((unsigned char)*p & 0xc0) != 0x80;
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s), i = 0;
        *start = *width = 0;
        while (n && i < before + len) {
            uint32_t cp;
            size_t k = od_utf8_decode(p, n, &cp);
            *(i < before ? start : width) += od_char_width(cp);
            p += k;
            n -= k;
            i++;
        }
    }
    sb_release(&f);
    return found;
}

static void draw_cell(const struct tui_table *t, struct tui_grid *g, int c, int x, int y, int w,
                      const char *s, uint8_t role, bool highlight)
{
    const struct tui_column *col = &t->cols[c];
    tui_grid_text_aligned(g, x, y, w, s, col->align, role);
    int ms, mw, tw = tui_text_width(s);
    if (!highlight || !t->needle || !match_span(s, t->needle, &ms, &mw)) return;
    int left = tw >= w                          ? 0
               : col->align == TUI_ALIGN_RIGHT  ? w - tw
               : col->align == TUI_ALIGN_CENTER ? (w - tw) / 2
                                                : 0;
    int limit = tw > w ? w - 1 : w; /* never paint the ellipsis */
    if (left + ms + mw > limit) mw = limit - left - ms;
    if (mw > 0) tui_grid_paint(g, x + left + ms, y, mw, TUI_ROLE_FILTER_MATCH);
}

static void draw_filter_line(struct tui_table *t, struct tui_grid *g, struct tui_rect a)
{
    int y = a.y + a.h - 1;
    char count[64];
    snprintf(count, sizeof count, " %zu of %zu", t->nview, t->rows.n);
    int cw = tui_text_width(count);
    uint8_t role = t->filter_editing ? TUI_ROLE_INPUT_FOCUS : TUI_ROLE_ACCENT;
    tui_grid_fill(g, (struct tui_rect){a.x, y, a.w, 1}, ' ', TUI_ROLE_NORMAL);
    tui_grid_text(g, a.x, y, a.w, "/", role);
    tui_edit_draw(&t->filter, g, a.x + 1, y, a.w - 1 - cw, role, t->filter_editing);
    tui_grid_text(g, a.x + a.w - cw, y, cw, count, TUI_ROLE_DIM);
}

/* Rows on screen have been seen; rows still above the view that arrived unseen are counted
 * at the right of the header: "↑ N new". */
static void draw_new_marker(struct tui_table *t, struct tui_grid *g, struct tui_rect a)
{
    if (!t->nfresh) return;
    for (size_t i = t->top; i < t->top + (size_t)t->page && i < t->nview; i++)
        if (t->fresh[t->view[i]]) {
            t->fresh[t->view[i]] = 0;
            t->nfresh--;
        }
    size_t n = tui_table_new_above(t);
    if (!n) return;
    char text[48];
    snprintf(text, sizeof text, " %s %zu new ", g->ascii ? "^" : "\u2191", n);
    int w = tui_text_width(text);
    if (w > a.w) return;
    tui_grid_text(g, a.x + a.w - w, a.y, w, text, TUI_ROLE_ACCENT);
}

void tui_table_draw(struct tui_table *t, struct tui_grid *g, struct tui_rect a, bool focused)
{
    if (a.w <= 0 || a.h <= 0) return;
    bool fline = t->filter_editing || t->needle;
    int body = a.h - 1 - (fline && a.h > 2);
    t->page = body > 0 ? body : 0;
    scroll_into_view(t);
    tui_grid_fill(g, (struct tui_rect){a.x, a.y, a.w, 1}, ' ', TUI_ROLE_HEADER);
    tui_grid_fill(g, (struct tui_rect){a.x, a.y + 1, a.w, t->page}, ' ', TUI_ROLE_NORMAL);
    int x = a.x, right = a.x + a.w;
    for (int c = t->hscroll; c < t->ncols && x < right; c++) {
        int w = col_width(t, c);
        if (w > right - x) w = right - x;
        char title[128];
        const char *arrow = t->sort_col != c ? ""
                            : g->ascii       ? (t->sort_desc ? "v" : "^")
                                             : (t->sort_desc ? "\u25bc" : "\u25b2");
        snprintf(title, sizeof title, "%s%s", t->cols[c].title, arrow);
        tui_grid_text_aligned(g, x, a.y, w, title, t->cols[c].align,
                              t->sort_col == c ? TUI_ROLE_HEADER_SORTED : TUI_ROLE_HEADER);
        for (int r = 0; r < t->page && t->top + (size_t)r < t->nview; r++) {
            size_t vi = t->top + (size_t)r, row = t->view[vi];
            bool sel = vi == t->sel;
            uint8_t role = sel ? (focused ? TUI_ROLE_SELECTED : TUI_ROLE_SELECTED_INACTIVE)
                               : t->rows.role[row];
            const char *s = tui_rowset_cell(&t->rows, row, c);
            int cr = !sel && t->cols[c].cell_role ? t->cols[c].cell_role(s) : -1;
            if (sel && c == t->hscroll) /* the whole line shows the selection */
                tui_grid_paint(g, a.x, a.y + 1 + r, a.w, role);
            draw_cell(t, g, c, x, a.y + 1 + r, w, s, cr >= 0 ? (uint8_t)cr : role, !sel);
        }
        x += w + 1;
    }
    if (t->nview == 0 && t->page > 0) {
        char msg[300];
        if (t->rows.n == 0)
            snprintf(msg, sizeof msg, "%s", t->empty ? t->empty : "no rows");
        else
            snprintf(msg, sizeof msg, "no rows match \"%s\"", tui_edit_str(&t->filter));
        tui_grid_text(g, a.x + 1, a.y + 1, a.w - 1, msg, TUI_ROLE_DIM);
    }
    if (fline && a.h > 2) draw_filter_line(t, g, a);
    draw_new_marker(t, g, a);
}

long tui_table_selected(const struct tui_table *t)
{
    return t->nview ? (long)t->view[t->sel] : -1;
}

const char *tui_table_selected_key(const struct tui_table *t)
{
    return t->nview ? t->sel_key : NULL;
}

bool tui_table_select_key(struct tui_table *t, const char *key)
{
    size_t r = find_key(&t->rows, key, t->nview ? t->view[t->sel] : 0);
    size_t at = r < t->rows.n ? view_pos(t, r) : t->nview;
    if (at == t->nview) return false;
    move_to(t, (long)at);
    return true;
}

size_t tui_table_shown(const struct tui_table *t)
{
    return t->nview;
}

size_t tui_table_total(const struct tui_table *t)
{
    return t->rows.n;
}
