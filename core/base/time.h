/* time — calendar dates and ISO 8601 / RFC 3339 timestamps in integers: never through a
 * double, never through the C library's time zone or struct tm. The one place dates are read
 * and written (API payloads, COPY text, PostgreSQL output, command-line ranges, log lines).
 *
 *   int64_t day;  od_date_parse("2024-02-29", 10, &day)        -> 0, day = 19782
 *   int64_t us;   od_time_parse_us(s, strlen(s), &us)         -> 0 or -1
 *   char buf[OD_TIME_BUF];  od_time_format_ms(od_wall_ms(), buf, sizeof buf);
 *
 * Dates are days since 1970-01-01 in the proleptic Gregorian calendar; times are microseconds
 * or milliseconds since the epoch, UTC. What the parsers accept, exactly:
 *   date      = YYYY "-" MM "-" DD             a real date (2026-02-30 is not), year 0001-9999
 *   timestamp = date ("T" / " ") hh ":" mm ":" ss [ "." 1*9DIGIT ] zone
 *               hh 00-23, mm 00-59, ss 00-60 (a leap second reads as the next second's start)
 *   zone      = "Z" / ("+" / "-") hh ":" mm / ("+" / "-") hh      (the last: PostgreSQL text)
 *               offsets up to 15:59, PostgreSQL's limit (a larger one would fail a COPY)
 * Fractions are rounded to the microsecond (half up on the 7th digit); the _ms parser then
 * rounds down. The parsers take a length (COPY fields are not NUL-terminated) and return -1
 * without od_seterr on anything else: they run per field on hot paths, and the caller knows
 * which field it was. */
#ifndef OD_TIME_H
#define OD_TIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OD_DATE_BUF 16 /* "YYYY-MM-DD" and room for a year past 9999 */
#define OD_TIME_BUF 40 /* "YYYY-MM-DDThh:mm:ss.ffffffZ" and room to spare */

/* Days since 1970-01-01 from a calendar date (any int64 year; m 1-12, d 1-31), and back. */
int64_t od_days_from_civil(int64_t y, int m, int d);
void od_civil_from_days(int64_t z, int *y, int *m, int *d);
int od_days_in_month(int64_t y, int m); /* m 1-12 */
bool od_date_valid(int64_t y, int m, int d);

/* "YYYY-MM-DD" (exactly n == 10 bytes) into days; -1 when it is not a date. */
int od_date_parse(const char *s, size_t n, int64_t *days);
/* Timestamp (grammar above, the whole n bytes) into epoch microseconds / milliseconds. */
int od_time_parse_us(const char *s, size_t n, int64_t *us);
int od_time_parse_ms(const char *s, size_t n, int64_t *ms);

/* "YYYY-MM-DD" into out (n >= OD_DATE_BUF). */
void od_date_format(int64_t days, char *out, size_t n);
/* RFC 3339 UTC: "2026-03-01T10:00:00.123456Z" / "2026-03-01T10:00:00.123Z". 32 bytes hold
 * the years 0001-9999; OD_TIME_BUF any int64 value (years past 9999 get more digits). */
void od_time_format_us(int64_t us, char *out, size_t n);
void od_time_format_ms(int64_t ms, char *out, size_t n);

#endif
