/* rows — the snapshot a table shows: rows of string cells plus a stable key per row, stored in
 * one arena (a few allocations however many rows). Cells are sanitized (core/base/sanitize.h) as
 * they are added, the widest cell per column is tracked and the case-folded text a filter
 * searches is built, so that work happens where the rows are made (a worker thread), not on
 * the UI thread.
 *
 *   struct tui_rowset rs; tui_rowset_init(&rs, 3);
 *   tui_rowset_add(&rs, "client:42", (const char *[]){"Acme", "1200.50", "12"}, 0);
 *   tui_table_set_rows(&table, &rs);   // the table takes the rows; rs is empty again
 *
 * Also the comparators tables sort with (text, integer, decimal string) and the case-folded
 * text a filter searches.
 *
 * Sorting 100,000 rows costs milliseconds, so a producer can do it where the rows are made:
 * tui_rowset_presort() (one column) or tui_table_prepare() (every column of a table, table.h)
 * after the last tui_rowset_add() keeps each column's order in the rowset, and a table sorting
 * by that column (a new snapshot, `s`, `S`) then copies it instead of sorting on the UI thread.
 * Without it the table sorts on the UI thread, once per column and snapshot (the order is kept
 * in the rowset, so reversing is a copy). */
#ifndef TUI_ROWS_H
#define TUI_ROWS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/base/util.h"

enum tui_cmp {
    TUI_CMP_TEXT,    /* case-insensitive, ascending by default */
    TUI_CMP_NUMBER,  /* integers ("1,234", "-7 ms"), descending by default */
    TUI_CMP_DECIMAL, /* decimal strings ("-1234.50", "12.5%", "€99.90"), descending by default */
};

/* One column's rows in ascending order (tui_rowset_presort). */
struct tui_rowset_order {
    uint32_t *row; /* owned; the n row numbers, ascending; equal cells in data order */
    uint8_t *tie;  /* owned; bitmap over positions: bit i set when row[i] sorts equal to row[i-1] */
    enum tui_cmp cmp;
};

struct tui_rowset {
    int ncols;
    size_t n, cap;
    uint32_t *off;      /* owned; n*(ncols+1) offsets into text: the key, then each cell */
    uint8_t *role;      /* owned; per row, a theme role (0 = normal) */
    struct strbuf text; /* owned; NUL-terminated strings */
    int *width;         /* owned; ncols: the widest cell, in columns */
    struct strbuf fold; /* owned; per row the case-folded cells joined by 0x1f (for filters) */
    uint32_t *fold_off; /* owned; per row offset into fold */
    struct tui_rowset_order *sorted; /* owned; ncols entries once a column is sorted, or NULL */
};

void tui_rowset_init(struct tui_rowset *rs, int ncols);
void tui_rowset_release(struct tui_rowset *rs);
/* Copy a row in (cells: ncols strings, NULL counts as ""); role 0 = normal. Drops orders kept
 * by tui_rowset_presort(). */
void tui_rowset_add(struct tui_rowset *rs, const char *key, const char *const *cells, uint8_t role);
const char *tui_rowset_key(const struct tui_rowset *rs, size_t row);
const char *tui_rowset_cell(const struct tui_rowset *rs, size_t row, int col);
/* Move src into dst (dst released first); src becomes empty with the same ncols. */
void tui_rowset_move(struct tui_rowset *dst, struct tui_rowset *src);

/* Sort idx[0..n) (row numbers) by column col: a radix sort on a 64-bit key per row, linear in
 * n. Stable: ties (numbers equal to 6 decimals, text equal ignoring ASCII case) keep the order
 * they had in idx. */
void tui_rows_sort(const struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc, uint32_t *idx,
                   size_t n);
/* Producer side (any thread that owns rs): sort every row by column col now and keep the order
 * in rs, for either direction. Linear in the row count (radix sort); about as long as the sort
 * the table would otherwise do on the UI thread. Call after the last tui_rowset_add(). */
void tui_rowset_presort(struct tui_rowset *rs, int col, enum tui_cmp cmp);
/* Fill idx[0..rs->n) with every row sorted by col; ties (equal cells) in data order in both
 * directions, as tui_rows_sort() orders them. Copies the kept order when col was sorted with
 * cmp, else sorts now and keeps the order (so the other direction is a copy). */
void tui_rowset_order(struct tui_rowset *rs, int col, enum tui_cmp cmp, bool desc, uint32_t *idx);
/* Parse a number cell as the sort does: integer value scaled by 10^scale (saturating);
 * returns false when the cell holds no number. */
bool tui_rows_number(const char *s, int scale, int64_t *out);

/* The folded text of a row (cells joined by 0x1f; a match never spans two cells). */
const char *tui_rowset_folded(const struct tui_rowset *rs, size_t row);
/* Filters. needle is folded (tui_fold) and not empty. Set bit r of hit (rs->n bits, zeroed by
 * the caller) for every row whose folded text contains needle; returns how many. One pass over
 * the folded text of all rows. */
size_t tui_rowset_match(const struct tui_rowset *rs, const char *needle, uint8_t *hit);
/* Keep, of rows[0..n), the rows whose folded text contains needle, in order, in out (which may
 * be rows); returns how many. Reads only those rows: for narrowing a few. */
size_t tui_rowset_match_rows(const struct tui_rowset *rs, const char *needle, const uint32_t *rows,
                             size_t n, uint32_t *out);
/* Case-folded copy of s appended to sb (for case-insensitive search). */
void tui_fold(const char *s, struct strbuf *sb);

#endif
