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
    free(rs->fold_off);
    sb_release(&rs->text);
    sb_release(&rs->fold);
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
        rs->fold_off = od_xrealloc(rs->fold_off, rs->cap * sizeof *rs->fold_off);
    }
    uint32_t *o = &rs->off[rs->n * stride];
    o[0] = add_text(rs, key ? key : "", false);
    for (int c = 0; c < rs->ncols; c++) {
        o[c + 1] = add_text(rs, cells[c] ? cells[c] : "", true);
        int w = od_display_width(rs->text.buf + o[c + 1]);
        if (w > rs->width[c]) rs->width[c] = w;
    }
    assert(rs->fold.len < UINT32_MAX);
    rs->fold_off[rs->n] = (uint32_t)rs->fold.len;
    for (int c = 0; c < rs->ncols; c++) {
        tui_fold(rs->text.buf + o[c + 1], &rs->fold);
        sb_addch(&rs->fold, '\x1f');
    }
    sb_addch(&rs->fold, '\0');
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

const char *tui_rowset_folded(const struct tui_rowset *rs, size_t row)
{
    return rs->fold.buf + rs->fold_off[row];
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

/* Sorting: every row gets a 64-bit key (the number, or the first 8 case-folded bytes of the
 * text, big-endian) and an LSD radix sort orders (key, row) pairs — stable, so ties keep data
 * order, and linear in the row count. Text rows whose 8-byte prefixes tie are then ordered by
 * the next 8 bytes the same way (an MSD refinement of just that run). */
struct skey {
    uint64_t k;
    uint32_t row;
};

static uint64_t text_key(const char *s)
{
    uint64_t k = 0;
    int i = 0;
    for (; i < 8 && s[i]; i++)
        k = k << 8 | (uint8_t)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    return k << (8 * (8 - i));
}

static void radix(struct skey *a, struct skey *tmp, size_t n)
{
    struct skey *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0}, pos = 0;
        for (size_t i = 0; i < n; i++)
            count[src[i].k >> shift & 0xff]++;
        if (count[src[0].k >> shift & 0xff] == n) continue; /* every key has the same byte here */
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[src[i].k >> shift & 0xff]++] = src[i];
        struct skey *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
}

static void radix(struct skey *a, struct skey *tmp, size_t n);

struct run_ctx {
    const struct tui_rowset *rs;
    int col, dir;
    size_t offset;
};

static int cmp_text(const void *pa, const void *pb, void *arg)
{
    const struct run_ctx *c = arg;
    const struct skey *a = pa, *b = pb;
    int r = strcasecmp(tui_rowset_cell(c->rs, a->row, c->col) + c->offset,
                       tui_rowset_cell(c->rs, b->row, c->col) + c->offset);
    return r ? r * c->dir : (a->row > b->row) - (a->row < b->row);
}

/* Order a by the text from byte offset on (all share the bytes before it): radix on the next
 * 8 bytes, then the same for each run that still ties over all 8. Linear per level. */
static void sort_text(const struct tui_rowset *rs, int col, bool desc, struct skey *a,
                      struct skey *tmp, size_t n, size_t offset)
{
    if (offset && n < 48) { /* a comparison sort beats radix passes on short runs */
        struct run_ctx c = {rs, col, desc ? -1 : 1, offset};
        qsort_r(a, n, sizeof *a, cmp_text, &c);
        return;
    }
    if (offset) /* the first level's keys are computed by the caller */
        for (size_t i = 0; i < n; i++) {
            uint64_t k = text_key(tui_rowset_cell(rs, a[i].row, col) + offset);
            a[i].k = desc ? ~k : k;
        }
    radix(a, tmp, n);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && a[j].k == a[i].k; j++)
            ;
        /* a tie whose text ended within these 8 bytes is an equal string: keep data order */
        if (j - i > 1 && ((desc ? ~a[i].k : a[i].k) & 0xff) && offset < 4096)
            sort_text(rs, col, desc, a + i, tmp, j - i, offset + 8);
    }
}

void tui_rows_sort(const struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc, uint32_t *idx,
                   size_t n)
{
    if (n < 2) return;
    struct skey *a = od_xmalloc(2 * n * sizeof *a);
    for (size_t i = 0; i < n; i++) {
        const char *cell = tui_rowset_cell(rs, idx[i], col);
        int64_t v;
        uint64_t k;
        if (cmp == TUI_CMP_TEXT)
            k = text_key(cell);
        else /* cells without a number sort below every number */
            k = tui_rows_number(cell, cmp == TUI_CMP_DECIMAL ? 6 : 0, &v)
                    ? ((uint64_t)v ^ (1ull << 63)) | (v == INT64_MIN)
                    : 0;
        a[i] = (struct skey){desc ? ~k : k, idx[i]};
    }
    if (cmp == TUI_CMP_TEXT)
        sort_text(rs, col, desc, a, a + n, n, 0);
    else
        radix(a, a + n, n);
    for (size_t i = 0; i < n; i++)
        idx[i] = a[i].row;
    free(a);
}

void tui_fold(const char *s, struct strbuf *sb)
{
    size_t n = strlen(s);
    sb_grow(sb, n + 1);
    const unsigned char *p = (const unsigned char *)s;
    while (n) {
        if (*p < 0x80) { /* ASCII straight into the buffer */
            sb->buf[sb->len++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
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
        sb_grow(sb, n + 1); /* folding may lengthen a character: keep room for the rest */
    }
    sb->buf[sb->len] = '\0';
}
