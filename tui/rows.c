/* rows — row snapshots, comparators and case folding; see rows.h. */
#include "tui/rows.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>
#include "core/base/sanitize.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void tui_rowset_init(struct tui_rowset *rs, int ncols)
{
    memset(rs, 0, sizeof *rs);
    rs->ncols = ncols;
    rs->width = od_xcalloc((size_t)ncols + 1, sizeof *rs->width);
}

static void drop_sorted(struct tui_rowset *rs)
{
    for (int c = 0; rs->sorted && c < rs->ncols; c++) {
        free(rs->sorted[c].row);
        free(rs->sorted[c].tie);
    }
    free(rs->sorted);
    rs->sorted = NULL;
}

void tui_rowset_release(struct tui_rowset *rs)
{
    drop_sorted(rs);
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
    if (rs->sorted) drop_sorted(rs);
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
 * the next 8 bytes the same way (an MSD refinement of just that run). Bytes 8..31 are read
 * with the first 8, in one pass in idx order (sequential in the arena when idx is data order):
 * refining a run then reads a small array instead of missing the cache twice per row (the
 * offset, then the text), which made long shared prefixes the slowest sorts. */
#define PREFIX_WORDS 3 /* 8-byte words kept after the first */
struct skey {
    uint64_t k;
    uint32_t row, i; /* i: the row's place in idx (its words in sorter.kx) */
};

struct sorter {
    const struct tui_rowset *rs;
    int col;
    bool desc;
    const uint64_t *kx; /* per idx entry, PREFIX_WORDS text keys: folded bytes 8..31 */
    struct skey *base, *tmp;
    uint8_t *tie; /* NULL, or a bitmap over positions from base: set when equal to the one before */
};

static uint64_t text_key(const char *s)
{
    uint64_t k = 0;
    int i = 0;
    for (; i < 8 && s[i]; i++)
        k = k << 8 | (uint8_t)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    return i ? k << (8 * (8 - i)) : 0; /* i == 0: the empty string (a shift by 64 is undefined) */
}

/* Stable LSD radix sort of a[0..n) by k: one pass counts all eight bytes, then one scatter per
 * byte that is not the same in every key. */
static void radix(struct skey *a, struct skey *tmp, size_t n)
{
    uint32_t count[8][256] = {{0}};
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][a[i].k >> (8 * b) & 0xff]++;
    struct skey *src = a, *dst = tmp;
    for (int b = 0; b < 8; b++) {
        uint32_t *c = count[b], pos = 0;
        if (c[a[0].k >> (8 * b) & 0xff] == n) continue; /* every key has the same byte here */
        for (int v = 0; v < 256; v++) {
            uint32_t x = c[v];
            c[v] = pos;
            pos += x;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[src[i].k >> (8 * b) & 0xff]++] = src[i];
        struct skey *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
}

static void insertion(struct skey *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct skey x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1].k > x.k; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static void sort_run(struct skey *a, struct skey *tmp, size_t n)
{
    if (n < 48)
        insertion(a, n);
    else
        radix(a, tmp, n);
}

static void mark_ties(const struct sorter *s, const struct skey *a, size_t n)
{
    if (!s->tie) return;
    for (size_t p = (size_t)(a - s->base) + 1, end = p + n - 1; p < end; p++)
        s->tie[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* Order a by the text from byte offset on (all share the bytes before it); keys for offset 0
 * are set by the caller. Runs that still tie over these 8 bytes recurse; a tie whose text ended
 * within them is an equal string, kept in data order. */
static void sort_text(const struct sorter *s, struct skey *a, size_t n, size_t offset)
{
    if (offset)
        for (size_t i = 0; i < n; i++) {
            uint64_t k = offset <= 8 * PREFIX_WORDS
                             ? s->kx[(size_t)a[i].i * PREFIX_WORDS + offset / 8 - 1]
                             : text_key(tui_rowset_cell(s->rs, a[i].row, s->col) + offset);
            a[i].k = s->desc ? ~k : k;
        }
    sort_run(a, s->tmp + (a - s->base), n);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && a[j].k == a[i].k; j++)
            ;
        if (j - i < 2) continue;
        if (((s->desc ? ~a[i].k : a[i].k) & 0xff) && offset < 4096)
            sort_text(s, a + i, j - i, offset + 8);
        else
            mark_ties(s, a + i, j - i);
    }
}

/* Sort idx[0..n) into a[0..n); tie (optional) as in struct sorter. */
static void sort_rows(const struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc,
                      const uint32_t *idx, size_t n, struct skey *a, uint8_t *tie)
{
    struct skey *tmp = od_xmalloc(n * sizeof *tmp);
    uint64_t *kx = cmp == TUI_CMP_TEXT ? od_xmalloc(n * PREFIX_WORDS * sizeof *kx) : NULL;
    size_t stride = (size_t)rs->ncols + 1;
    for (size_t i = 0; i < n; i++) {
        const char *cell = rs->text.buf + rs->off[idx[i] * stride + (size_t)col + 1];
        int64_t v;
        uint64_t k;
        if (cmp == TUI_CMP_TEXT) {
            k = text_key(cell);
            uint64_t w = k;
            for (int j = 0; j < PREFIX_WORDS; j++) /* the text ends in a word with a 0 low byte */
                kx[i * PREFIX_WORDS + (size_t)j] = w = w & 0xff ? text_key(cell + 8 * (j + 1)) : 0;
        } else { /* cells without a number sort below every number */
            k = tui_rows_number(cell, cmp == TUI_CMP_DECIMAL ? 6 : 0, &v)
                    ? ((uint64_t)v ^ (1ull << 63)) | (v == INT64_MIN)
                    : 0;
        }
        a[i] = (struct skey){desc ? ~k : k, idx[i], (uint32_t)i};
    }
    struct sorter s = {rs, col, desc, kx, a, tmp, tie};
    if (cmp == TUI_CMP_TEXT)
        sort_text(&s, a, n, 0);
    else {
        radix(a, tmp, n);
        for (size_t i = 0, j; i < n; i = j) {
            for (j = i + 1; j < n && a[j].k == a[i].k; j++)
                ;
            if (j - i > 1) mark_ties(&s, a + i, j - i);
        }
    }
    free(kx);
    free(tmp);
}

void tui_rows_sort(const struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc, uint32_t *idx,
                   size_t n)
{
    if (n < 2) return;
    struct skey *a = od_xmalloc(n * sizeof *a);
    sort_rows(rs, col, cmp, desc, idx, n, a, NULL);
    for (size_t i = 0; i < n; i++)
        idx[i] = a[i].row;
    free(a);
}

void tui_rowset_presort(struct tui_rowset *rs, int col, enum tui_cmp cmp)
{
    assert(col >= 0 && col < rs->ncols);
    if (!rs->sorted) rs->sorted = od_xcalloc((size_t)rs->ncols, sizeof *rs->sorted);
    struct tui_rowset_order *o = &rs->sorted[col];
    size_t n = rs->n;
    free(o->row);
    free(o->tie);
    o->cmp = cmp;
    o->row = od_xmalloc((n + 1) * sizeof *o->row);
    o->tie = od_xcalloc(n / 8 + 1, 1);
    for (size_t i = 0; i < n; i++)
        o->row[i] = (uint32_t)i;
    if (n < 2) return;
    struct skey *a = od_xmalloc(n * sizeof *a);
    sort_rows(rs, col, cmp, false, o->row, n, a, o->tie);
    for (size_t i = 0; i < n; i++)
        o->row[i] = a[i].row;
    free(a);
}

void tui_rowset_order(struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc, uint32_t *idx)
{
    if (!rs->sorted || !rs->sorted[col].row || rs->sorted[col].cmp != cmp)
        tui_rowset_presort(rs, col, cmp);
    const struct tui_rowset_order *o = &rs->sorted[col];
    if (!desc) {
        memcpy(idx, o->row, rs->n * sizeof *idx);
        return;
    }
    /* Descending: the runs of equal cells in reverse, each run still in data order. */
    size_t out = 0;
    for (size_t end = rs->n, s; end > 0; end = s) {
        for (s = end - 1; s > 0 && (o->tie[s / 8] >> (s % 8) & 1); s--)
            ;
        memcpy(idx + out, o->row + s, (end - s) * sizeof *idx);
        out += end - s;
    }
}

/* A filter needle and the two of its bytes a scan tests first: the rarest by a rough rank of
 * how common characters are in table text, since each place passing both costs a branch
 * mispredict and a compare ("acme" tests "c" and "m", not "a" and "e"). */
struct needle {
    const char *s;
    size_t n, p1, p2;
};

static struct needle needle_make(const char *s)
{
    static const char common[] = " etaoinsrhldcumfpgwybvk0123456789.-,:/"; /* most first */
    struct needle nd = {s, strlen(s), 0, 0};
    size_t r1 = 0, r2 = 0; /* rank: higher is rarer */
    for (size_t i = 0; i < nd.n; i++) {
        const char *c = strchr(common, s[i]);
        size_t r = c && s[i] ? (size_t)(c - common) + 1 : sizeof common + 1;
        if (r > r1) {
            nd.p2 = nd.p1, r2 = r1;
            nd.p1 = i, r1 = r;
        } else if (r > r2 && s[i] != s[nd.p1]) {
            nd.p2 = i, r2 = r;
        }
    }
    if (r2 == 0) nd.p2 = nd.p1; /* one distinct byte */
    return nd;
}

/* Whether a[0..n) == b[0..n): inline, as a call per candidate costs more than short needles. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return false;
    return true;
}

/* The first place in hay[0..len) where the needle starts, or NULL. With SSE2, 16 candidate
 * starts at a time are tested on the needle's two chosen bytes; only those passing both are
 * compared in full. */
static const char *find(const char *hay, size_t len, const struct needle *nd)
{
    if (len < nd->n) return NULL;
    size_t i = 0, last = len - nd->n; /* the last possible start */
#ifdef __SSE2__
    const __m128i b1 = _mm_set1_epi8(nd->s[nd->p1]), b2 = _mm_set1_epi8(nd->s[nd->p2]);
    for (; i + 16 <= last + 1; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(hay + i + nd->p1));
        __m128i y = _mm_loadu_si128((const __m128i *)(const void *)(hay + i + nd->p2));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(x, b1), _mm_cmpeq_epi8(y, b2)));
        for (; m; m &= m - 1) {
            size_t at = i + (size_t)__builtin_ctz(m);
            if (same_bytes(hay + at, nd->s, nd->n)) return hay + at;
        }
    }
#endif
    for (; i <= last; i++)
        if (hay[i + nd->p1] == nd->s[nd->p1] && same_bytes(hay + i, nd->s, nd->n)) return hay + i;
    return NULL;
}

size_t tui_rowset_match(const struct tui_rowset *rs, const char *needle, uint8_t *hit)
{
    const char *buf = rs->fold.buf, *m;
    struct needle nd = needle_make(needle);
    size_t row = 0, found = 0, at = 0;
    assert(nd.n > 0);
    /* Rows are NUL-separated and a needle holds no NUL, so a match never spans two rows. */
    while (row < rs->n && (m = find(buf + at, rs->fold.len - at, &nd))) {
        size_t off = (size_t)(m - buf);
        while (row + 1 < rs->n && rs->fold_off[row + 1] <= off)
            row++;
        hit[row / 8] |= (uint8_t)(1u << (row % 8));
        found++;
        if (++row < rs->n) at = rs->fold_off[row]; /* the rest of this row cannot add anything */
    }
    return found;
}

size_t tui_rowset_match_rows(const struct tui_rowset *rs, const char *needle, const uint32_t *rows,
                             size_t n, uint32_t *out)
{
    struct needle nd = needle_make(needle);
    size_t kept = 0;
    assert(nd.n > 0);
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i], start = rs->fold_off[r];
        size_t end = r + 1 < rs->n ? rs->fold_off[r + 1] : rs->fold.len;
        if (find(rs->fold.buf + start, end - start - 1, &nd)) out[kept++] = rows[i];
    }
    return kept;
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
