/* fields — record validation into rows. See fields.h. */
#include "core/connectors/fields.h"
#include "core/base/money.h"
#include "core/base/time.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return n > 0;
}

/* The first 10 bytes of s are a real date, not before 1900-01-01. */
static bool date_from_1900(const char *s)
{
    int64_t day;
    return od_date_parse(s, 10, &day) == 0 && day >= od_days_from_civil(1900, 1, 1);
}

bool od_valid_date(const char *s)
{
    return s && strlen(s) == 10 && date_from_1900(s);
}

bool od_valid_ts(const char *s)
{
    int64_t us;
    return s && od_time_parse_us(s, strlen(s), &us) == 0 && date_from_1900(s);
}

static void put(struct od_row *row, const char *s)
{
    if (!s) {
        row->null[row->n] = true;
        row->off[row->n] = 0;
    } else {
        row->null[row->n] = false;
        row->off[row->n] = row->buf.len;
        sb_add(&row->buf, s);
        sb_addch(&row->buf, '\0');
    }
    row->n++;
}

static int bad(struct strbuf *reason, const struct od_field *f, const char *what, const char *val)
{
    sb_addf(reason, "%s: ", f->path);
    if (val) { /* at most 40 bytes, cut between characters: the reason is a UTF-8 text column */
        size_t n = strnlen(val, 40);
        while (n > 0 && ((unsigned char)val[n] & 0xC0) == 0x80)
            n--;
        sb_addf(reason, "\"%.*s\" ", (int)n, val);
    }
    sb_add(reason, what);
    return -1;
}

static int fixed(const struct od_field *f, const char *s, int64_t max, bool neg_ok, char *out,
                 struct strbuf *reason)
{
    int64_t v;
    if (od_fixed_parse(s, 2, &v) < 0) return bad(reason, f, "is not a number", s);
    if (!neg_ok && v < 0) return bad(reason, f, "is negative", s);
    if (v >= max || v <= -max) return bad(reason, f, "is out of range", s);
    od_fixed_format(v, 2, out, OD_FIXED_BUF);
    return 0;
}

/* Convert one present, non-null value. out gets the text (or NULL for SQL NULL). */
static int convert(const struct od_field *f, const struct od_jv *v, const char **out, char *tmp,
                   struct strbuf *reason)
{
    const char *s = v->type == OD_JV_STRING ? v->text : NULL;
    const char *n = v->type == OD_JV_NUMBER ? v->text : NULL;
    switch (f->type) {
    case OD_F_ID:
    case OD_F_INT: {
        const char *t = n ? n : (f->type == OD_F_ID ? s : NULL);
        if (t && !*t && !f->required) { /* HubSpot: empty property = no value */
            *out = NULL;
            return 0;
        }
        if (!t) return bad(reason, f, "is not an integer", s);
        const char *d = t[0] == '-' && f->type == OD_F_INT ? t + 1 : t;
        size_t len = strlen(d);
        if (!digits(d, len) || len > 18 || (f->type == OD_F_ID && d[0] == '0' && len == 1) ||
            (len > 1 && d[0] == '0'))
            return bad(reason, f, f->type == OD_F_ID ? "is not a valid id" : "is not an integer",
                       t);
        *out = t;
        return 0;
    }
    case OD_F_TEXT:
    case OD_F_STEXT:
        if (!s) return bad(reason, f, "is not a string", n);
        *out = f->type == OD_F_STEXT && !*s ? NULL : s;
        return 0;
    case OD_F_BOOL:
        if (v->type != OD_JV_TRUE && v->type != OD_JV_FALSE)
            return bad(reason, f, "is not a boolean", s ? s : n);
        *out = v->type == OD_JV_TRUE ? "t" : "f";
        return 0;
    case OD_F_DATE:
        if (!od_valid_date(s)) return bad(reason, f, "is not a date (YYYY-MM-DD)", s ? s : n);
        *out = s;
        return 0;
    case OD_F_TS:
        if (s && !*s) {
            *out = NULL;
            return 0;
        }
        if (s && od_valid_date(s)) { /* date-only property value: midnight UTC */
            snprintf(tmp, 64, "%sT00:00:00Z", s);
            *out = tmp;
            return 0;
        }
        if (!od_valid_ts(s)) return bad(reason, f, "is not an ISO 8601 date-time", s ? s : n);
        *out = s;
        return 0;
    case OD_F_HOURS:
        if (!n) return bad(reason, f, "is not a number", s);
        *out = tmp;
        return fixed(f, n, 10000000000LL, false, tmp, reason);
    case OD_F_MONEY:
        if (!n) return bad(reason, f, "is not a number", s);
        *out = tmp;
        return fixed(f, n, 1000000000000LL, true, tmp, reason);
    case OD_F_SMONEY:
        if (s && !*s) {
            *out = NULL;
            return 0;
        }
        if (!s) return bad(reason, f, "is not a decimal string", n);
        *out = tmp;
        return fixed(f, s, 100000000000000LL, true, tmp, reason);
    case OD_F_RAW:
        *out = NULL; /* handled by the caller, which has the source text */
        return 0;
    }
    return bad(reason, f, "has an unknown type", NULL);
}

/* jsonb stores numbers as numeric, which refuses more than 131072 digits before the point or
 * 16383 after: one such number would fail the COPY of the whole page. Be stricter than that
 * (a token of at most 1000 characters, an exponent within +-1000) and leave it to the dead
 * letters. */
static bool jsonb_storable(const struct od_jv *v)
{
    if (v->type == OD_JV_NUMBER) {
        const char *e = strpbrk(v->text, "eE");
        long x = e ? strtol(e + 1, NULL, 10) : 0; /* clamps to LONG_MIN/LONG_MAX */
        return strlen(v->text) <= 1000 && x >= -1000 && x <= 1000;
    }
    for (const struct od_jv *k = od_jv_first(v); k; k = od_jv_next(k))
        if (!jsonb_storable(k)) return false;
    return true;
}

int od_row_extract(struct od_row *row, const struct od_json *doc, const struct od_jv *rec,
                   const struct od_field *fields, int nfields, struct strbuf *reason)
{
    char tmp[64];
    sb_reset(&row->buf);
    row->n = 0;
    if (!rec || rec->type != OD_JV_OBJECT) {
        sb_add(reason, "record is not a JSON object");
        return -1;
    }
    for (int i = 0; i < nfields && i < OD_ROW_MAX; i++) {
        const struct od_field *f = &fields[i];
        const struct od_jv *v = od_jv_path(rec, f->path);
        if (od_jv_is_null(v)) {
            if (f->required) return bad(reason, f, v ? "is null" : "is missing", NULL);
            put(row, f->dflt);
            continue;
        }
        const char *out = NULL;
        if (f->type == OD_F_RAW) {
            if (!jsonb_storable(v)) return bad(reason, f, "holds a number out of range", NULL);
            size_t len;
            const char *raw = od_jv_raw(doc, v, &len);
            row->null[row->n] = false;
            row->off[row->n++] = row->buf.len;
            sb_addn(&row->buf, raw, len);
            sb_addch(&row->buf, '\0');
            continue;
        }
        if (convert(f, v, &out, tmp, reason) < 0) return -1;
        if (!out && f->dflt) out = f->dflt;
        put(row, out);
    }
    return 0;
}

const char *od_row_val(const struct od_row *row, int i)
{
    if (i < 0 || i >= row->n || row->null[i]) return NULL;
    return row->buf.buf + row->off[i];
}

int od_field_index(const struct od_field *fields, int nfields, const char *column)
{
    for (int i = 0; i < nfields; i++)
        if (strcmp(fields[i].column, column) == 0) return i;
    return -1;
}

void od_copy_field(struct strbuf *copy, const char *s)
{
    if (!s) {
        sb_addn(copy, "\\N", 2);
        return;
    }
    const char *run = s;
    for (const char *p = s;; p++) {
        char c = *p;
        if (c != '\0' && c != '\\' && c != '\t' && c != '\n' && c != '\r') continue;
        sb_addn(copy, run, (size_t)(p - run));
        if (c == '\0') break;
        sb_addch(copy, '\\');
        sb_addch(copy, c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
        run = p + 1;
    }
}

void od_row_copy_line(const struct od_row *row, struct strbuf *copy)
{
    for (int i = 0; i < row->n; i++) {
        if (i) sb_addch(copy, '\t');
        od_copy_field(copy, od_row_val(row, i));
    }
    sb_addch(copy, '\n');
}

void od_row_release(struct od_row *row)
{
    sb_release(&row->buf);
    row->n = 0;
}

int od_err_prefix(const char *prefix)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", od_err());
    return od_seterr("%s: %s", prefix, tmp);
}
