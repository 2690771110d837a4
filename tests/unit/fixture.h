/* fixture — helpers shared by the connector parse tests: read a file of tests/fixtures and
 * look a column up in an extracted row. Header-only (static), included by test_*.c. */
#ifndef OD_TEST_FIXTURE_H
#define OD_TEST_FIXTURE_H
#include "core/connectors/fields.h"
#include "core/base/util.h"
#include <stdio.h>

static char *fixture_slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/%s", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_addn(&sb, buf, n);
    fclose(f);
    *len = sb.len;
    return sb_detach(&sb);
}

static const char *fixture_col(const struct od_resource *res, const struct od_row *row,
                               const char *c)
{
    int i = od_field_index(res->fields, res->nfields, c);
    assert_true(i >= 0);
    return od_row_val(row, i);
}

#endif
