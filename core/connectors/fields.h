/* fields — data-driven validation of one upstream record into one database row.
 *
 * A resource is described by a table of fields: the column it fills, the JSON path it comes
 * from, its type and whether it is required. od_row_extract() checks a record against the
 * table (types, dates, numbers as numbers, required references) and produces the row's
 * values as text in the form PostgreSQL expects; on a bad record it returns -1 and writes the
 * reason ("project.id: missing", "hours: \"abc\" is not a number") for sync_dead_letters.
 * od_row_copy_line() appends the row as one line of COPY text format.
 *
 * Numbers are never converted through double: money/hours go through core/base/money.h at scale
 * 2 from the JSON number token (Harvest) or the property string (HubSpot).
 *
 *   struct od_row row = OD_ROW_INIT;
 *   if (od_row_extract(&row, doc, rec, fields, nfields, &reason) == 0)
 *       od_row_copy_line(&row, &copy);
 *   od_row_release(&row); */
#ifndef OD_CONNECTORS_FIELDS_H
#define OD_CONNECTORS_FIELDS_H
#include "core/base/json.h"
#include "core/base/util.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OD_ROW_MAX 24

enum od_ftype {
    OD_F_ID,     /* positive integer: JSON number, or a string of digits (HubSpot ids) */
    OD_F_INT,    /* integer (JSON number) */
    OD_F_TEXT,   /* JSON string; "" kept */
    OD_F_STEXT,  /* JSON string; "" is NULL (HubSpot properties) */
    OD_F_BOOL,   /* JSON true/false */
    OD_F_DATE,   /* "YYYY-MM-DD", a real calendar date */
    OD_F_TS,     /* ISO 8601 date-time with zone; "" is NULL */
    OD_F_HOURS,  /* JSON number >= 0, scale 2, < 10^8 */
    OD_F_MONEY,  /* JSON number, scale 2, |v| < 10^10 */
    OD_F_SMONEY, /* decimal in a string (HubSpot amount), scale 2, |v| < 10^14; "" is NULL */
    OD_F_RAW     /* the value's JSON text as is (jsonb columns) */
};

struct od_field {
    const char *column;
    const char *path; /* dotted JSON path */
    enum od_ftype type;
    bool required;    /* missing/null is a bad record */
    const char *dflt; /* value when missing/null and not required (NULL = SQL NULL) */
};

struct od_row {
    struct strbuf buf;
    size_t off[OD_ROW_MAX];
    bool null[OD_ROW_MAX];
    int n;
};
/* (clang-format would spread this one-line initializer macro over four lines) */
/* clang-format off */
#define OD_ROW_INIT {STRBUF_INIT, {0}, {0}, 0}
/* clang-format on */

int od_row_extract(struct od_row *row, const struct od_json *doc, const struct od_jv *rec,
                   const struct od_field *fields, int nfields, struct strbuf *reason);
/* Value of column i (NULL for SQL NULL); borrowed until the next extract. */
const char *od_row_val(const struct od_row *row, int i);
/* Index of a column by name, -1 if absent. */
int od_field_index(const struct od_field *fields, int nfields, const char *column);
void od_row_copy_line(const struct od_row *row, struct strbuf *copy);
void od_row_release(struct od_row *row);

/* One upstream collection and the table it lands in. */
struct od_resource {
    const char *provider;          /* "harvest" / "hubspot" */
    const char *name;              /* "time_entries", "deals" ... (sync_cursors.resource) */
    const char *path;              /* "/v2/time_entries", "/crm/v3/objects/deals" */
    const char *collection;        /* JSON key of the records array */
    const char *table;             /* harvest_time_entries ... */
    const struct od_field *fields; /* fields[0] is the id, one field is "updated_at" */
    int nfields;
    bool no_deleted_at; /* the table has no deleted_at column (hubspot_owners) */
};

/* Prefix the current od_err() message: "prefix: message". Returns -1. */
int od_err_prefix(const char *prefix);

/* Validators, exposed for tests and for cursors: a date / timestamp as core/base/time.h reads
 * them, from 1900-01-01 on. */
bool od_valid_date(const char *s);
bool od_valid_ts(const char *s);
/* Append s escaped for COPY text format (NULL -> \N). */
void od_copy_field(struct strbuf *copy, const char *s);

#endif
