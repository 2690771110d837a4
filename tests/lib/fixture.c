/* fixture — see fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/lib/fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/json.h"
#include "core/base/util.h"

char *fixture_read(const char *dir, const char *name, size_t *len)
{
    char *path = od_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f) return NULL;
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_addn(&sb, buf, n);
    fclose(f);
    if (len) *len = sb.len;
    return sb_detach(&sb);
}

char *fixture_slurp(const char *name, size_t *len)
{
    char *s = fixture_read("tests/fixtures", name, len);
    assert_non_null(s);
    return s;
}

const char *fixture_col(const struct od_resource *res, const struct od_row *row, const char *c)
{
    int i = od_field_index(res->fields, res->nfields, c);
    assert_true(i >= 0);
    return od_row_val(row, i);
}

const char *fixture_extract(const struct od_resource *res, const char *json, const char *col)
{
    static char out[256];
    struct od_json *doc = od_json_parse(json, strlen(json));
    assert_non_null(doc);
    struct od_row row = OD_ROW_INIT;
    struct strbuf reason = STRBUF_INIT;
    int rc = od_row_extract(&row, doc, od_json_root(doc), res->fields, res->nfields, &reason);
    const char *v = rc != 0 ? sb_str(&reason) : !col ? "OK" : fixture_col(res, &row, col);
    snprintf(out, sizeof out, "%s", v ? v : "OK-null");
    od_row_release(&row);
    sb_release(&reason);
    od_json_free(doc);
    return out;
}
