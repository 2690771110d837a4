/* Unit tests: tui/grid and tui/table render what a person would see — alignment of wide
 * characters, truncation with "…", sort orders, the filter, the selection staying on its row
 * key when rows are replaced, and horizontal scrolling. The fast paths (radix sort, presorted
 * orders, the SSE2 filter scan) are checked against plain reference implementations. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "tui/grid.h"
#include "tui/table.h"
#include "tests/lib/tuitest.h"

static const struct tui_column cols[] = {
    {"Client", TUI_ALIGN_LEFT, 4, 10, TUI_CMP_TEXT, NULL},
    {"Revenue", TUI_ALIGN_RIGHT, 0, 0, TUI_CMP_DECIMAL, NULL},
    {"Hours", TUI_ALIGN_RIGHT, 0, 0, TUI_CMP_NUMBER, NULL},
};

static void add(struct tui_rowset *rs, const char *key, const char *a, const char *b, const char *c)
{
    const char *cells[] = {a, b, c};
    tui_rowset_add(rs, key, cells, 0);
}

static void fill(struct tui_table *t)
{
    struct tui_rowset rs;
    tui_rowset_init(&rs, 3);
    add(&rs, "k1", "Acme", "1200.50", "12");
    add(&rs, "k2", "beta", "-30.00", "7");
    add(&rs, "k3", "Çedille", "99.9", "120");
    add(&rs, "k4", "漢字株式会社ABC", "1,000,000.01", "1,200");
    tui_table_set_rows(t, &rs);
    tui_rowset_release(&rs);
}

static void test_grid_wide_and_truncate(void **state)
{
    struct tui_grid g;
    tui_grid_init(&g, 12, 2);
    tui_grid_text(&g, 0, 0, 7, "漢字漢字", TUI_ROLE_NORMAL); /* 8 columns into 7 */
    assert_string_equal(tuitest_line(&g, 0), "漢字漢…");
    assert_int_equal(tui_grid_at(&g, 1, 0)->width, 0); /* right half of 漢 */
    tui_grid_text(&g, 0, 1, 12, "a\x1b[31mred\x07\u202eb", TUI_ROLE_FAIL);
    assert_string_equal(tuitest_line(&g, 1), "a[31mredb"); /* controls and bidi dropped */
    assert_int_equal(tui_grid_at(&g, 0, 1)->role, TUI_ROLE_FAIL);
    /* overwriting half of a wide character blanks the other half */
    tui_grid_put(&g, 1, 0, 'x', TUI_ROLE_NORMAL);
    assert_string_equal(tuitest_line(&g, 0), " x字漢…");
    g.ascii = true;
    tui_grid_text(&g, 0, 0, 5, "abcdefgh", TUI_ROLE_NORMAL);
    assert_string_equal(tuitest_line(&g, 0), "abcd~ …");
    tui_grid_release(&g);
}

static void test_table_layout(void **state)
{
    struct tui_table t;
    struct tui_grid g;
    tui_table_init(&t, cols, 3);
    fill(&t);
    tui_grid_init(&g, 40, 6);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 40, 6}, true);
    assert_string_equal(tuitest_line(&g, 0), "Client          Revenue  Hours");
    assert_string_equal(tuitest_line(&g, 1), "Acme            1200.50     12");
    assert_string_equal(tuitest_line(&g, 4), "漢字株式…  1,000,000.01  1,200");
    assert_int_equal(tui_grid_at(&g, 0, 1)->role, TUI_ROLE_SELECTED);
    assert_int_equal(tui_grid_at(&g, 39, 1)->role, TUI_ROLE_SELECTED);
    assert_int_equal(tui_grid_at(&g, 0, 2)->role, TUI_ROLE_NORMAL);
    assert_int_equal(tui_grid_at(&g, 0, 0)->role, TUI_ROLE_HEADER);
    tui_grid_release(&g);
    tui_table_release(&t);
}

static const char *col0(struct tui_table *t, size_t i)
{
    return tui_rowset_cell(&t->rows, t->view[i], 0);
}

static void test_table_sort(void **state)
{
    struct tui_table t;
    tui_table_init(&t, cols, 3);
    fill(&t);
    struct tui_key s = {'s', "sort"}, rs = {'S', "sort_reverse"};
    assert_true(tui_table_key(&t, &s) & TUI_REDRAW); /* text, ascending, case-insensitive */
    assert_string_equal(col0(&t, 0), "Acme");
    assert_string_equal(col0(&t, 1), "beta");
    assert_string_equal(col0(&t, 2), "Çedille");
    tui_table_key(&t, &s); /* decimal, descending */
    assert_string_equal(col0(&t, 0), "漢字株式会社ABC");
    assert_string_equal(col0(&t, 1), "Acme");
    assert_string_equal(col0(&t, 2), "Çedille");
    assert_string_equal(col0(&t, 3), "beta");
    tui_table_key(&t, &rs); /* ascending */
    assert_string_equal(col0(&t, 0), "beta");
    tui_table_key(&t, &s); /* integers with thousands separators, descending */
    assert_string_equal(col0(&t, 0), "漢字株式会社ABC");
    assert_string_equal(col0(&t, 1), "Çedille");
    assert_string_equal(col0(&t, 3), "beta");
    struct tui_grid g;
    tui_grid_init(&g, 40, 6);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 40, 6}, true);
    assert_string_equal(tuitest_line(&g, 0), "Client          Revenue Hours▼");
    assert_int_equal(tui_grid_at(&g, 29, 0)->role, TUI_ROLE_HEADER_SORTED);
    tui_grid_release(&g);
    tui_table_release(&t);
}

static void test_table_filter(void **state)
{
    struct tui_table t;
    struct tui_grid g;
    tui_table_init(&t, cols, 3);
    fill(&t);
    tui_grid_init(&g, 40, 6);
    struct tui_key slash = {'/', "filter"};
    tui_table_key(&t, &slash);
    const char *typed = "ÇE";
    struct tui_key k = {0x00c7, NULL}; /* Ç: case-insensitive match on "Çedille" */
    tui_table_key(&t, &k);
    k.key = 'E';
    tui_table_key(&t, &k);
    (void)typed;
    assert_int_equal(tui_table_shown(&t), 1);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 40, 6}, true);
    assert_string_equal(tuitest_line(&g, 1), "Çedille            99.9    120");
    assert_string_equal(tuitest_line(&g, 5), "/ÇE                               1 of 4");
    k.key = TUI_KEY_BACKSPACE; /* widening searches every row again */
    tui_table_key(&t, &k);
    tui_table_key(&t, &k);
    k.key = 'a';
    tui_table_key(&t, &k);
    assert_int_equal(tui_table_shown(&t), 3); /* Acme, beta, ...ABC */
    k.key = TUI_KEY_ENTER;
    tui_table_key(&t, &k);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 40, 6}, true);
    /* the match in an unselected row is highlighted: "beta" -> the 'a' at column 3 */
    assert_string_equal(tuitest_line(&g, 2), "beta             -30.00      7");
    assert_int_equal(tui_grid_at(&g, 3, 2)->role, TUI_ROLE_FILTER_MATCH);
    assert_int_equal(tui_grid_at(&g, 2, 2)->role, TUI_ROLE_NORMAL);
    struct tui_key esc = {TUI_KEY_ESC, "back"};
    assert_true(tui_table_key(&t, &esc) & TUI_HANDLED);
    assert_int_equal(tui_table_shown(&t), 4);
    assert_int_equal(tui_table_key(&t, &esc), 0); /* nothing left to clear: the screen goes back */
    k.key = 'x';
    tui_table_key(&t, &slash);
    tui_table_key(&t, &k);
    tui_table_key(&t, &k);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 40, 6}, true);
    assert_string_equal(tuitest_line(&g, 1), " no rows match \"xx\"");
    tui_grid_release(&g);
    tui_table_release(&t);
}

static void test_table_selection_kept(void **state)
{
    struct tui_table t;
    tui_table_init(&t, cols, 3);
    fill(&t);
    struct tui_key down = {'j', "down"};
    tui_table_key(&t, &down);
    tui_table_key(&t, &down);
    assert_string_equal(tui_table_selected_key(&t), "k3");
    struct tui_rowset rs; /* new snapshot: rows inserted before, values changed */
    tui_rowset_init(&rs, 3);
    add(&rs, "k0", "Aaron", "1", "1");
    add(&rs, "k9", "Abbey", "2", "2");
    add(&rs, "k3", "Çedille", "100.0", "121");
    add(&rs, "k1", "Acme", "1300.50", "13");
    tui_table_set_rows(&t, &rs);
    tui_rowset_release(&rs);
    assert_string_equal(tui_table_selected_key(&t), "k3");
    assert_string_equal(tui_rowset_cell(&t.rows, (size_t)tui_table_selected(&t), 1), "100.0");
    rs = (struct tui_rowset){0}; /* the selected row disappears: selection stays in place */
    tui_rowset_init(&rs, 3);
    add(&rs, "k0", "Aaron", "1", "1");
    add(&rs, "k1", "Acme", "1300.50", "13");
    tui_table_set_rows(&t, &rs);
    tui_rowset_release(&rs);
    assert_string_equal(tui_table_selected_key(&t), "k1");
    tui_table_release(&t);
}

static void test_table_scroll_and_pages(void **state)
{
    struct tui_table t;
    struct tui_grid g;
    tui_table_init(&t, cols, 3);
    struct tui_rowset rs;
    tui_rowset_init(&rs, 3);
    for (int i = 0; i < 1000; i++) {
        char key[16], name[16];
        snprintf(key, sizeof key, "r%d", i);
        snprintf(name, sizeof name, "row %04d", i);
        add(&rs, key, name, "1.00", "1");
    }
    tui_table_set_rows(&t, &rs);
    tui_rowset_release(&rs);
    tui_grid_init(&g, 20, 11);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 20, 11}, true);
    struct tui_key pd = {TUI_KEY_PGDN, "page_down"}, end = {'G', "bottom"};
    tui_table_key(&t, &pd);
    assert_string_equal(tui_table_selected_key(&t), "r9");
    tui_table_key(&t, &end);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 20, 11}, false);
    assert_string_equal(tuitest_line(&g, 10), "row 0999     1.00  1");
    assert_int_equal(tui_grid_at(&g, 0, 10)->role, TUI_ROLE_SELECTED_INACTIVE);
    struct tui_key right = {'l', "right"};
    tui_table_key(&t, &right);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 20, 11}, true);
    assert_string_equal(tuitest_line(&g, 0), " Revenue  Hours");
    tui_grid_release(&g);
    tui_table_release(&t);
}

/* rows r<from>..r<to-1> named "row NNNN", revenue NNNN (so sorting by revenue reverses them) */
static void numbered(struct tui_table *t, int from, int to)
{
    struct tui_rowset rs;
    tui_rowset_init(&rs, 3);
    for (int i = from; i < to; i++) {
        char key[16], name[16], rev[16];
        snprintf(key, sizeof key, "r%d", i);
        snprintf(name, sizeof name, "row %04d", i);
        snprintf(rev, sizeof rev, "%d.00", i < 0 ? 5000 - i : i);
        add(&rs, key, name, rev, "1");
    }
    tui_table_set_rows(t, &rs);
    tui_rowset_release(&rs);
}

static void test_table_view_goes_to_top(void **state)
{
    struct tui_table t;
    struct tui_grid g;
    tui_table_init(&t, cols, 3);
    numbered(&t, 0, 100);
    tui_grid_init(&g, 30, 11);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 30, 11}, true);
    struct tui_key pd = {TUI_KEY_PGDN, "page_down"};
    for (int i = 0; i < 5; i++)
        tui_table_key(&t, &pd); /* scrolled well down */
    assert_true(t.top > 0);
    tui_table_sort(&t, 1, true); /* a new sort: the largest revenue is the first row shown */
    assert_int_equal(t.top, 0);
    assert_string_equal(tui_table_selected_key(&t), "r99");
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 30, 11}, true);
    assert_string_equal(tuitest_line(&g, 1), "row 0099    99.00      1");
    assert_int_equal(tui_grid_at(&g, 0, 1)->role, TUI_ROLE_SELECTED);
    for (int i = 0; i < 5; i++)
        tui_table_key(&t, &pd);
    tui_table_set_filter(&t, "row 00"); /* a new filter: its first match first */
    assert_int_equal(t.top, 0);
    assert_string_equal(tui_table_selected_key(&t), "r99");
    tui_table_set_filter(&t, NULL);
    for (int i = 0; i < 5; i++)
        tui_table_key(&t, &pd);
    tui_table_reset_view(&t); /* what a screen does after a reload or a new range */
    assert_int_equal(t.top, 0);
    assert_int_equal(t.sel, 0);
    assert_string_equal(tui_table_selected_key(&t), "r99");
    tui_grid_release(&g);
    tui_table_release(&t);
}

static void test_table_new_rows_above(void **state)
{
    struct tui_table t;
    struct tui_grid g;
    tui_table_init(&t, cols, 3);
    tui_table_sort(&t, 1, true); /* newest (largest) first, like the job list */
    numbered(&t, 0, 100);
    tui_grid_init(&g, 30, 11); /* 10 rows on screen */
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 30, 11}, true);
    struct tui_key pd = {TUI_KEY_PGDN, "page_down"}, top = {'g', "top"};
    tui_table_key(&t, &pd);
    tui_table_key(&t, &pd);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 30, 11}, true);
    const char *sel = tui_table_selected_key(&t);
    char was[16];
    snprintf(was, sizeof was, "%s", sel);
    size_t line = t.sel - t.top;
    assert_int_equal(tui_table_new_above(&t), 0);
    numbered(&t, -3, 100); /* live refresh: three new rows sort above everything */
    assert_string_equal(tui_table_selected_key(&t), was); /* the selection stays on its row */
    assert_int_equal(t.sel - t.top, line);                /* at the same screen line */
    assert_int_equal(tui_table_new_above(&t), 3);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 30, 11}, true);
    assert_non_null(strstr(tuitest_line(&g, 0), "↑ 3 new"));
    assert_int_equal(tui_grid_at(&g, 29 - 2, 0)->role, TUI_ROLE_ACCENT);
    numbered(&t, -5, 100); /* two more: five unseen above */
    assert_int_equal(tui_table_new_above(&t), 5);
    numbered(&t, -5, 100); /* the same rows again: nothing more is new */
    assert_int_equal(tui_table_new_above(&t), 5);
    tui_table_key(&t, &top); /* seen: the marker goes */
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 30, 11}, true);
    assert_int_equal(tui_table_new_above(&t), 0);
    assert_null(strstr(tuitest_line(&g, 0), "new"));
    assert_string_equal(tuitest_line(&g, 1), "row -005  5005.00      1");
    /* at the top, new rows simply show (nothing is above) */
    numbered(&t, -7, 100);
    assert_int_equal(tui_table_new_above(&t), 0);
    g.ascii = true; /* ascii terminals get a ^ */
    tui_table_key(&t, &pd);
    tui_table_key(&t, &pd);
    numbered(&t, -8, 100);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 30, 11}, true);
    assert_non_null(strstr(tuitest_line(&g, 0), "^ 1 new"));
    tui_grid_release(&g);
    tui_table_release(&t);
}

/* Reference order: the comparison the radix sort must agree with. */
static const struct tui_rowset *ref_rs;
static int ref_col, ref_dir;
static enum tui_cmp ref_cmp;

static int fold_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)(*a >= 'A' && *a <= 'Z' ? *a + 32 : *a);
        int y = (unsigned char)(*b >= 'A' && *b <= 'Z' ? *b + 32 : *b);
        if (x != y || !x) return x - y;
    }
}

static int ref_order(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    const char *x = tui_rowset_cell(ref_rs, a, ref_col), *y = tui_rowset_cell(ref_rs, b, ref_col);
    int r;
    if (ref_cmp == TUI_CMP_TEXT)
        r = fold_cmp(x, y);
    else {
        int64_t u = 0, v = 0;
        bool hu = tui_rows_number(x, ref_cmp == TUI_CMP_DECIMAL ? 6 : 0, &u);
        bool hv = tui_rows_number(y, ref_cmp == TUI_CMP_DECIMAL ? 6 : 0, &v);
        r = hu != hv ? hu - hv : (u > v) - (u < v); /* no number sorts below every number */
    }
    r = (r > 0) - (r < 0);
    return r ? r * ref_dir : (a > b) - (a < b); /* ties: data order in both directions */
}

static void check_order(struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc)
{
    uint32_t *want = malloc(rs->n * sizeof *want), *got = malloc(rs->n * sizeof *got);
    for (size_t i = 0; i < rs->n; i++)
        want[i] = got[i] = (uint32_t)i;
    ref_rs = rs, ref_col = col, ref_cmp = cmp, ref_dir = desc ? -1 : 1;
    qsort(want, rs->n, sizeof *want, ref_order);
    tui_rowset_order(rs, col, cmp, desc, got);
    for (size_t i = 0; i < rs->n; i++)
        if (want[i] != got[i])
            fail_msg("col %d %s: position %zu is row %u \"%s\", want row %u \"%s\"", col,
                     desc ? "desc" : "asc", i, got[i], tui_rowset_cell(rs, got[i], col), want[i],
                     tui_rowset_cell(rs, want[i], col));
    for (size_t i = 0; i < rs->n; i++) /* the subset sort agrees */
        got[i] = (uint32_t)i;
    tui_rows_sort(rs, col, cmp, desc, got, rs->n);
    assert_memory_equal(got, want, rs->n * sizeof *got);
    free(want);
    free(got);
}

/* Text with long shared prefixes (past 8 and 16 bytes, and runs big enough for the radix
 * path), case differences, empty cells and UTF-8; numbers with separators, signs, currency,
 * accounting negatives, dashes and blanks; many exact ties for stability. */
static void test_sort_matches_reference(void **state)
{
    static const char *const text[] = {"Acme website 1",
                                       "acme website 1",
                                       "Acme website 10",
                                       "ACME WEBSITE 2",
                                       "Acme website",
                                       "Acme",
                                       "",
                                       "Müller GmbH website 7",
                                       "Müller GmbH website 7x",
                                       "北京科技 website",
                                       "Acme website 1 and a long tail z",
                                       "Acme website 1 and a long tail a",
                                       "_under",
                                       "Zed"};
    static const char *const num[] = {"-1,234.50", "—",
                                      "",          "(12.00)",
                                      "€99.90",    "12.5%",
                                      "1,234.5",   "0",
                                      "-0.001",    "1234.500001",
                                      "n/a",       "7 ms",
                                      "-7",        "99999999999999999999",
                                      "0.0000004"};
    struct tui_rowset rs;
    tui_rowset_init(&rs, 3);
    uint64_t x = 12345;
    for (int i = 0; i < 3000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        char key[16];
        snprintf(key, sizeof key, "r%d", i);
        add(&rs, key, text[(x >> 33) % 14], num[(x >> 45) % 15], num[(x >> 20) % 15]);
    }
    for (int pass = 0; pass < 2; pass++) { /* sorted on demand, then presorted */
        if (pass) tui_table_prepare(cols, 3, &rs);
        for (int d = 0; d < 2; d++) {
            check_order(&rs, 0, TUI_CMP_TEXT, d);
            check_order(&rs, 1, TUI_CMP_DECIMAL, d);
            check_order(&rs, 2, TUI_CMP_NUMBER, d);
        }
    }
    assert_non_null(rs.sorted);
    add(&rs, "late", "Aaa", "1", "1"); /* a row added after presorting drops the kept orders */
    assert_null(rs.sorted);
    check_order(&rs, 0, TUI_CMP_TEXT, false);
    tui_rowset_release(&rs);
}

static void test_sort_decimals_shown(void **state)
{
    struct tui_table t;
    tui_table_init(&t, cols, 3);
    struct tui_rowset rs;
    tui_rowset_init(&rs, 3);
    add(&rs, "a", "dash", "—", "0");
    add(&rs, "b", "neg", "-1,234.50", "0");
    add(&rs, "c", "empty", "", "0");
    add(&rs, "d", "acct", "(12.00)", "0");
    add(&rs, "e", "euro", "€99.90", "0");
    add(&rs, "f", "tie1", "5", "0");
    add(&rs, "g", "tie2", "5.00", "0");
    tui_table_prepare(cols, 3, &rs);
    tui_table_set_rows(&t, &rs);
    tui_rowset_release(&rs);
    tui_table_sort(&t, 1, true); /* largest first; no number last, in data order */
    static const char *const desc[] = {"euro", "tie1", "tie2", "acct", "neg", "dash", "empty"};
    for (int i = 0; i < 7; i++)
        assert_string_equal(col0(&t, (size_t)i), desc[i]);
    tui_table_sort(&t, 1, false);
    static const char *const asc[] = {"dash", "empty", "neg", "acct", "tie1", "tie2", "euro"};
    for (int i = 0; i < 7; i++)
        assert_string_equal(col0(&t, (size_t)i), asc[i]);
    tui_table_release(&t);
}

/* Every row whose folded text contains needle, in view order — what the filter must show. */
static size_t ref_filter(struct tui_table *t, const char *needle, uint32_t *out)
{
    size_t n = 0;
    struct strbuf f = STRBUF_INIT;
    tui_fold(needle, &f);
    for (size_t i = 0; i < t->rows.n; i++)
        if (strstr(tui_rowset_folded(&t->rows, t->order[i]), f.buf)) out[n++] = t->order[i];
    sb_release(&f);
    return n;
}

static void test_filter_narrowing_matches_reference(void **state)
{
    struct tui_table t;
    tui_table_init(&t, cols, 3);
    struct tui_rowset rs;
    tui_rowset_init(&rs, 3);
    for (int i = 0; i < 2000; i++) { /* long rows: matches past the 16-byte blocks, at the end */
        char key[16], name[80], rev[32];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(name, sizeof name, "%s Client %d with a long name ending in %c%c",
                 i % 3 ? "Acme" : "GLOBEX", i, 'a' + i % 26, 'a' + i % 7);
        snprintf(rev, sizeof rev, "%d.%02d", i * 37 % 1000, i % 100);
        add(&rs, key, name, rev, i % 11 ? "1" : "Äpfel");
    }
    tui_table_set_rows(&t, &rs);
    tui_rowset_release(&rs);
    tui_table_sort(&t, 1, true);
    uint32_t *want = malloc(t.rows.n * sizeof *want);
    /* typed one key at a time: narrowing from many rows (one pass) and from few (row by row) */
    static const char *const typed[] = {"a",
                                        "ac",
                                        "acm",
                                        "acme c",
                                        "acme client 1",
                                        "acme client 19",
                                        "acme client 199",
                                        "acme client 1999",
                                        "acme client 19",
                                        "g",
                                        "ending in z",
                                        "ending in zz",
                                        "ending in zb",
                                        "äpf",
                                        "ÄPFEL",
                                        "1.0",
                                        "\xe2\x80\xa6",
                                        "qq"};
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        tui_table_set_filter(&t, typed[i]);
        size_t n = ref_filter(&t, typed[i], want);
        assert_int_equal(tui_table_shown(&t), n);
        assert_memory_equal(t.view, want, n * sizeof *want);
    }
    tui_table_set_filter(&t, "acme client 1");
    /* 1, 10-19, 100-199, 1000-1999, less the GLOBEX ones (i % 3 == 0) */
    assert_int_equal(tui_table_shown(&t), 742);
    tui_table_set_filter(&t, NULL);
    assert_int_equal(tui_table_shown(&t), 2000);
    free(want);
    tui_table_release(&t);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_wide_and_truncate),
        cmocka_unit_test(test_table_layout),
        cmocka_unit_test(test_table_sort),
        cmocka_unit_test(test_table_filter),
        cmocka_unit_test(test_table_selection_kept),
        cmocka_unit_test(test_table_view_goes_to_top),
        cmocka_unit_test(test_table_new_rows_above),
        cmocka_unit_test(test_table_scroll_and_pages),
        cmocka_unit_test(test_sort_matches_reference),
        cmocka_unit_test(test_sort_decimals_shown),
        cmocka_unit_test(test_filter_narrowing_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
