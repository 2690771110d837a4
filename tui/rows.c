/* rows — row snapshots, comparators and case folding; see rows.h. */
#include "tui/rows.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>
#include "core/sanitize.h"

void tui_rowset_init(struct tui_rowset *rs, int ncols)
{
    memset(rs, 0, sizeof *rs);
    rs->ncols = ncols;
    rs->width = od_xcalloc((size_t)ncols + 1, sizeof *rs->width);
}

void tui_rowset_release(struct tui_rowset *rs)
{
    free(rs->off);
    free(rs->role);
    free(rs->width);
    sb_release(&rs->text);
    memset(rs, 0, sizeof *rs);
}

static uint32_t add_text(struct tui_rowset *rs, const char *s, bool sanitize)
{
    size_t at = rs->text.len;
    assert(at < UINT32_MAX);
    if (sanitize)
        od_sanitize_to(&rs->text, s, strlen(s));
    else
        sb_add(&rs->text, s);
    sb_addch(&rs->text, '\0');
    return (uint32_t)at;
}

void tui_rowset_add(struct tui_rowset *rs, const char *key, const char *const *cells, uint8_t role)
{
    size_t stride = (size_t)rs->ncols + 1;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 256;
        rs->off = od_xrealloc(rs->off, rs->cap * stride * sizeof *rs->off);
        rs->role = od_xrealloc(rs->role, rs->cap);
    }
    uint32_t *o = &rs->off[rs->n * stride];
    o[0] = add_text(rs, key ? key : "", false);
    for (int c = 0; c < rs->ncols; c++) {
        o[c + 1] = add_text(rs, cells[c] ? cells[c] : "", true);
        int w = od_display_width(rs->text.buf + o[c + 1]);
        if (w > rs->width[c]) rs->width[c] = w;
    }
    rs->role[rs->n++] = role;
}

const char *tui_rowset_key(const struct tui_rowset *rs, size_t row)
{
    return rs->text.buf + rs->off[row * ((size_t)rs->ncols + 1)];
}

const char *tui_rowset_cell(const struct tui_rowset *rs, size_t row, int col)
{
    return rs->text.buf + rs->off[row * ((size_t)rs->ncols + 1) + (size_t)col + 1];
}

void tui_rowset_move(struct tui_rowset *dst, struct tui_rowset *src)
{
    tui_rowset_release(dst);
    *dst = *src;
    tui_rowset_init(src, dst->ncols);
}

bool tui_rows_number(const char *s, int scale, int64_t *out)
{
    const int64_t lim = INT64_MAX / 10;
    bool neg = false, digits = false;
    while (*s && !(*s >= '0' && *s <= '9') && *s != '.') {
        if (*s == '-' || *s == '(') /* (12.00) is an accounting negative */
            neg = true;
        s++;
    }
    int64_t v = 0;
    for (; (*s >= '0' && *s <= '9') || (*s == ',' && digits); s++)
        if (*s != ',') {
            v = v > lim ? INT64_MAX : v * 10 + (*s - '0');
            digits = true;
        }
    int frac = 0;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, frac++) {
            digits = true;
            if (frac < scale) v = v > lim ? INT64_MAX : v * 10 + (*s - '0');
        }
    for (; frac < scale; frac++)
        v = v > lim ? INT64_MAX : v * 10;
    *out = neg ? -v : v;
    return digits;
}

struct sort_ctx {
    const struct tui_rowset *rs;
    int col;
    enum tui_cmp cmp;
    int dir;        /* 1 or -1 */
    int64_t *key;   /* per row, number kinds */
    uint8_t *valid; /* per row, number kinds */
};

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
    const struct sort_ctx *c = arg;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    int r = 0;
    if (c->cmp != TUI_CMP_TEXT) {
        r = (c->valid[a] > c->valid[b]) - (c->valid[a] < c->valid[b]);
        if (!r) r = (c->key[a] > c->key[b]) - (c->key[a] < c->key[b]);
    }
    if (!r) {
        const char *sa = tui_rowset_cell(c->rs, a, c->col), *sb = tui_rowset_cell(c->rs, b, c->col);
        r = strcasecmp(sa, sb);
        if (!r) r = strcmp(sa, sb);
    }
    if (r) return r * c->dir;
    return (a > b) - (a < b);
}

void tui_rows_sort(const struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc, uint32_t *idx,
                   size_t n)
{
    struct sort_ctx c = {rs, col, cmp, desc ? -1 : 1, NULL, NULL};
    if (cmp != TUI_CMP_TEXT) {
        c.key = od_xmalloc((rs->n + 1) * sizeof *c.key);
        c.valid = od_xmalloc(rs->n + 1);
        for (size_t i = 0; i < rs->n; i++)
            c.valid[i] = tui_rows_number(tui_rowset_cell(rs, i, col),
                                         cmp == TUI_CMP_DECIMAL ? 6 : 0, &c.key[i]);
    }
    qsort_r(idx, n, sizeof *idx, cmp_rows, &c);
    free(c.key);
    free(c.valid);
}

void tui_fold(const char *s, struct strbuf *sb)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        if (*p < 0x80) {
            sb_addch(sb, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
            p++;
            n--;
            continue;
        }
        uint32_t cp;
        size_t k = od_utf8_decode(p, n, &cp);
        char u[4];
        sb_addn(sb, u, od_utf8_encode((uint32_t)towlower((wint_t)cp), u));
        p += k;
        n -= k;
    }
}
