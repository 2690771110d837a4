/* fixture — test data shared by the unit tests: read a whole file (tests/fixtures, or the API
 * examples in ../shared/fixtures/api-examples), look a column up in an extracted row, and
 * extract one JSON record against a resource's field table.
 *
 *   size_t len;
 *   char *body = fixture_slurp("harvest_clients_list_response.json", &len);   // caller frees
 *   ... od_row_extract(&row, ...) ...
 *   assert_string_equal(fixture_col(res, &row, "id"), "5735776");
 *   assert_string_equal(fixture_extract(res, "{\"id\":\"x\"}", NULL), "id: ...");
 * Failures fail the calling cmocka test. */
#ifndef OD_TEST_FIXTURE_H
#define OD_TEST_FIXTURE_H
#include <stddef.h>
#include "core/connectors/fields.h"

/* The file dir/name, NUL-terminated (caller frees); NULL when it cannot be opened. len may be
 * NULL. */
char *fixture_read(const char *dir, const char *name, size_t *len);
/* tests/fixtures/name; the test fails when it is missing. */
char *fixture_slurp(const char *name, size_t *len);
/* Column c of row (NULL for SQL NULL); the test fails when res has no such column. */
const char *fixture_col(const struct od_resource *res, const struct od_row *row, const char *c);
/* Extract the JSON object json against res: the reason when it is refused; else "OK", or with
 * col the value of that column ("OK-null" for NULL). Borrowed until the next call. */
const char *fixture_extract(const struct od_resource *res, const char *json, const char *col);

#endif
