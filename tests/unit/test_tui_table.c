/* Unit tests: tui/grid and tui/table render what a person would see — alignment of wide
 * characters, truncation with "…", sort orders, the filter, the selection staying on its row
 * key when rows are replaced, and horizontal scrolling. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "core/util.h"
#include "tui/grid.h"
#include "tui/table.h"

static char *line(const struct tui_grid *g, int y)
{
    static struct strbuf sb = STRBUF_INIT;
    sb_reset(&sb);
    tui_grid_line(g, y, &sb);
    return sb.buf ? sb.buf : "";
}

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
    assert_string_equal(line(&g, 0), "漢字漢…");
    assert_int_equal(tui_grid_at(&g, 1, 0)->width, 0); /* right half of 漢 */
    tui_grid_text(&g, 0, 1, 12, "a\x1b[31mred\x07\u202eb", TUI_ROLE_FAIL);
    assert_string_equal(line(&g, 1), "a[31mredb"); /* controls and bidi dropped */
    assert_int_equal(tui_grid_at(&g, 0, 1)->role, TUI_ROLE_FAIL);
    /* overwriting half of a wide character blanks the other half */
    tui_grid_put(&g, 1, 0, 'x', TUI_ROLE_NORMAL);
    assert_string_equal(line(&g, 0), " x字漢…");
    g.ascii = true;
    tui_grid_text(&g, 0, 0, 5, "abcdefgh", TUI_ROLE_NORMAL);
    assert_string_equal(line(&g, 0), "abcd~ …");
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
    assert_string_equal(line(&g, 0), "Client          Revenue  Hours");
    assert_string_equal(line(&g, 1), "Acme            1200.50     12");
    assert_string_equal(line(&g, 4), "漢字株式…  1,000,000.01  1,200");
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
    assert_string_equal(line(&g, 0), "Client          Revenue Hours▼");
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
    assert_string_equal(line(&g, 1), "Çedille            99.9    120");
    assert_string_equal(line(&g, 5), "/ÇE                               1 of 4");
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
    assert_string_equal(line(&g, 2), "beta             -30.00      7");
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
    assert_string_equal(line(&g, 1), " no rows match \"xx\"");
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
    assert_string_equal(line(&g, 10), "row 0999     1.00  1");
    assert_int_equal(tui_grid_at(&g, 0, 10)->role, TUI_ROLE_SELECTED_INACTIVE);
    struct tui_key right = {'l', "right"};
    tui_table_key(&t, &right);
    tui_grid_clear(&g);
    tui_table_draw(&t, &g, (struct tui_rect){0, 0, 20, 11}, true);
    assert_string_equal(line(&g, 0), " Revenue  Hours");
    tui_grid_release(&g);
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
        cmocka_unit_test(test_table_scroll_and_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
