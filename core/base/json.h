/* json — a small read-only JSON parser for API payloads that keeps what cJSON throws away:
 * the exact text of every number (money is parsed from it by core/base/money.h, never through a
 * double) and the byte span of every value in the source (the raw record text that goes to
 * sync_dead_letters). Plus the few helpers for writing JSON with cJSON (below).
 *
 *   struct od_json *doc = od_json_parse(text, len);          // NULL + od_err() when malformed
 *   const struct od_jv *recs = od_jv_get(od_json_root(doc), "time_entries");
 *   for (const struct od_jv *r = od_jv_first(recs); r; r = od_jv_next(r)) {
 *       const char *num = od_jv_number(od_jv_path(r, "project.id"));   // "14307913" or NULL
 *       size_t n; const char *raw = od_jv_raw(doc, r, &n);            // the record's own text
 *   }
 *   od_json_free(doc);
 *
 * Strings are decoded (escapes, \u surrogate pairs; invalid UTF-8 is rejected). Values are
 * borrowed from the document and live until od_json_free. Depth is limited to 64. */
#ifndef OD_CONNECTORS_JSON_H
#define OD_CONNECTORS_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

enum od_jv_type {
    OD_JV_NULL,
    OD_JV_FALSE,
    OD_JV_TRUE,
    OD_JV_NUMBER,
    OD_JV_STRING,
    OD_JV_ARRAY,
    OD_JV_OBJECT
};

struct od_jv {
    enum od_jv_type type;
    const char *key;   /* member name inside an object, else NULL */
    const char *text;  /* decoded string, or the number token; NULL for other types */
    size_t start, end; /* byte span in the source */
    size_t count;      /* members/elements */
    const struct od_jv *child, *sibling;
};

struct od_json;

struct od_json *od_json_parse(const char *text, size_t len);
void od_json_free(struct od_json *doc);
const struct od_jv *od_json_root(const struct od_json *doc);
/* The source bytes of v (not NUL-terminated). */
const char *od_jv_raw(const struct od_json *doc, const struct od_jv *v, size_t *len);

/* Member of an object (NULL when v is not an object or has no such key). */
const struct od_jv *od_jv_get(const struct od_jv *v, const char *key);
/* Dotted path of members: "project.id". */
const struct od_jv *od_jv_path(const struct od_jv *v, const char *path);
const struct od_jv *od_jv_first(const struct od_jv *v); /* first element/member */
const struct od_jv *od_jv_next(const struct od_jv *v);
/* Typed views: NULL when v is NULL or of another type. */
const char *od_jv_string(const struct od_jv *v);
const char *od_jv_number(const struct od_jv *v);
bool od_jv_is_null(const struct od_jv *v); /* true for JSON null and for a missing value */

/* Writing JSON: core/ builds a cJSON tree (nesting and escaping are the library's) with these
 * for what cJSON gets wrong or leaves to every caller. cJSON numbers are doubles, exact only to
 * 2^53: an int64 (an id, epoch ms, a count) goes in as its exact digits. */
struct cJSON;
void od_json_add_i64(struct cJSON *obj, const char *name, int64_t v);
/* A string member; NULL gives null (cJSON_AddStringToObject would leave the member out). */
void od_json_add_str(struct cJSON *obj, const char *name, const char *s);
/* The compact text of doc (caller frees), and doc is deleted. Out of memory dies like
 * od_xmalloc. */
char *od_json_print(struct cJSON *doc);

/* Append s as a JSON string literal (with quotes) to sb. NULL appends null. For hand-built
 * JSON where a tree per record costs too much (the simulator's pages), and cmd/. */
void od_json_quote(struct strbuf *sb, const char *s);

#endif
