/* fuzz_rows — the checks the connector page harnesses share: a page's records go through the
 * sync's own validation (od_batch_add_page, core/connectors/store.c) and everything bound for
 * PostgreSQL is checked: every record is exactly one row or one dead letter; the COPY text,
 * dead-letter reasons, record ids and payloads are valid UTF-8 without NUL; each COPY line has
 * one field per column; ids are positive; each good row's typed values are in the canonical
 * form the validators promise (dates, date-times, amounts at scale 2 that format back to
 * themselves, jsonb text that parses again with every number inside PostgreSQL's numeric
 * range). Header-only, for tests/fuzz/fuzz_*_page.c. */
#ifndef OD_FUZZ_ROWS_H
#define OD_FUZZ_ROWS_H
#include "core/connectors/store.h"
#include "core/base/money.h"
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"
#include <errno.h>

/* True when PostgreSQL's numeric (and so jsonb) accepts the JSON number token t: at most
 * 131072 decimal digits before the point and 16383 after (numeric.c make_result). */
static inline int fuzz_pg_numeric_ok(const char *t)
{
    long intd = 0, fracd = 0, lead = 0, exp10 = 0;
    const char *p = t + (*t == '-');
    int nonzero = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (*p != '0') nonzero = 1;
        if (nonzero) intd++;
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) {
            fracd++;
            if (*p != '0') nonzero = 1;
            if (!nonzero) lead++;
        }
    if (*p == 'e' || *p == 'E') {
        errno = 0;
        exp10 = strtol(p + 1, NULL, 10);
        if (errno || exp10 >= 1073741823 || exp10 <= -1073741823) return 0;
    }
    long dscale = fracd - exp10 > 0 ? fracd - exp10 : 0;
    if (dscale > 16383) return 0;
    return !nonzero || intd + exp10 <= 131072;
}

static inline void fuzz_check_jsonb(const struct od_jv *v)
{
    if (v->type == OD_JV_NUMBER) FUZZ_CHECK(fuzz_pg_numeric_ok(v->text));
    for (const struct od_jv *k = od_jv_first(v); k; k = od_jv_next(k))
        fuzz_check_jsonb(k);
}

static inline void fuzz_check_value(const struct od_field *f, const char *v)
{
    if (!v) {
        FUZZ_CHECK(!f->required);
        return;
    }
    int64_t x;
    char back[OD_FIXED_BUF];
    switch (f->type) {
    case OD_F_ID:
        FUZZ_CHECK(*v >= '1' && *v <= '9' && strlen(v) <= 18);
        for (const char *p = v; *p; p++)
            FUZZ_CHECK(*p >= '0' && *p <= '9');
        break;
    case OD_F_DATE:
        FUZZ_CHECK(od_valid_date(v));
        break;
    case OD_F_TS:
        FUZZ_CHECK(od_valid_ts(v));
        break;
    case OD_F_BOOL:
        FUZZ_CHECK(strcmp(v, "t") == 0 || strcmp(v, "f") == 0);
        break;
    case OD_F_STEXT:
        FUZZ_CHECK(*v);
        break;
    case OD_F_HOURS:
    case OD_F_MONEY:
    case OD_F_SMONEY:
        FUZZ_CHECK(od_fixed_parse(v, 2, &x) == 0);
        od_fixed_format(x, 2, back, sizeof back);
        FUZZ_CHECK(strcmp(back, v) == 0);
        if (f->type == OD_F_HOURS) FUZZ_CHECK(x >= 0 && x < 10000000000LL);
        if (f->type == OD_F_MONEY) FUZZ_CHECK(x > -1000000000000LL && x < 1000000000000LL);
        if (f->type == OD_F_SMONEY) FUZZ_CHECK(x > -100000000000000LL && x < 100000000000000LL);
        break;
    case OD_F_RAW: {
        struct od_json *again = od_json_parse(v, strlen(v));
        FUZZ_CHECK(again != NULL);
        fuzz_check_jsonb(od_json_root(again));
        od_json_free(again);
        break;
    }
    default:
        break;
    }
}

/* Lines of the COPY text; each must have exactly nfields fields. */
static inline size_t fuzz_check_copy(const struct strbuf *copy, int nfields)
{
    size_t lines = 0;
    int tabs = 0;
    FUZZ_CHECK(fuzz_valid_utf8(copy->buf ? copy->buf : "", copy->len));
    for (size_t i = 0; i < copy->len; i++) {
        char c = copy->buf[i];
        FUZZ_CHECK(c != '\r');
        if (c == '\t') tabs++;
        if (c == '\n') {
            FUZZ_CHECK(tabs == nfields - 1);
            tabs = 0;
            lines++;
        }
    }
    FUZZ_CHECK(copy->len == 0 || copy->buf[copy->len - 1] == '\n');
    return lines;
}

static inline void fuzz_check_records(const struct od_resource *res, const struct od_json *doc,
                                      const struct od_jv *records)
{
    FUZZ_CHECK(doc && records && records->type == OD_JV_ARRAY);
    size_t count = 0;
    for (const struct od_jv *r = od_jv_first(records); r; r = od_jv_next(r))
        count++;
    FUZZ_CHECK(count == records->count);

    struct od_batch b;
    od_batch_init(&b, res);
    od_batch_add_page(&b, doc, records);
    FUZZ_CHECK((size_t)b.rows + b.ndead == count && b.nids == (size_t)b.rows);
    FUZZ_CHECK(fuzz_check_copy(&b.copy, res->nfields) == (size_t)b.rows);
    for (size_t i = 0; i < b.nids; i++)
        FUZZ_CHECK(b.ids[i] > 0);
    for (size_t i = 0; i < b.ndead; i++) {
        const struct od_dead *d = &b.dead[i];
        FUZZ_CHECK(d->reason && *d->reason && fuzz_valid_utf8(d->reason, strlen(d->reason)));
        FUZZ_CHECK(d->payload && fuzz_valid_utf8(d->payload, strlen(d->payload)));
        FUZZ_CHECK(!d->record_id || fuzz_valid_utf8(d->record_id, strlen(d->record_id)));
    }
    if (b.rows > 0 && od_field_index(res->fields, res->nfields, "spent_date") >= 0) {
        FUZZ_CHECK(od_valid_date(b.min_date) && od_valid_date(b.max_date));
        FUZZ_CHECK(strcmp(b.min_date, b.max_date) <= 0);
    }
    /* The batch keeps only COPY text: extract each good record again to check typed values. */
    struct od_row row = OD_ROW_INIT;
    struct strbuf reason = STRBUF_INIT;
    for (const struct od_jv *r = od_jv_first(records); r; r = od_jv_next(r)) {
        sb_reset(&reason);
        if (od_row_extract(&row, doc, r, res->fields, res->nfields, &reason) < 0) continue;
        FUZZ_CHECK(row.n == res->nfields);
        for (int i = 0; i < res->nfields; i++)
            fuzz_check_value(&res->fields[i], od_row_val(&row, i));
    }
    od_row_release(&row);
    sb_release(&reason);
    od_batch_release(&b);
}

#endif
