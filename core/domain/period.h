/* period — the date ranges a person types, turned into the inclusive [from, to] days a
 * profitability query takes (core/domain/profit.h): named periods relative to today and the
 * FROM..TO form, checked the same way wherever they are typed (the console's `:range`, the
 * CLI). A range that ends before it starts is refused, as od_profit_run refuses it.
 *
 *   char from[11], to[11];
 *   if (od_profit_period_resolve("last-quarter", time(NULL), from, to) < 0) puts(od_err());
 *   // from = "2026-01-01", to = "2026-03-31" on any day of 2026-Q2
 *   if (od_profit_range_parse("2026-01..2026-06", time(NULL), from, to) < 0) puts(od_err());
 *
 * Periods (days in local time; every range inclusive of both ends):
 *   this-month, last-month       the calendar month (whole, also when it has not ended yet)
 *   this-quarter, last-quarter   the calendar quarter (Jan-Mar, Apr-Jun, Jul-Sep, Oct-Dec)
 *   ytd                          1 January .. today
 *   last-30d                     the 30 days ending today (today - 29 .. today)
 *   all                          all time: from and to are "" */
#ifndef OD_PERIOD_H
#define OD_PERIOD_H
#include <time.h>

/* The period names above, NULL-terminated (for completion and help). */
extern const char *const od_profit_periods[];

/* Resolve a period name at the time now into "YYYY-MM-DD" days (both "" for all); -1 with
 * od_seterr naming the periods when name is not one of them. */
int od_profit_period_resolve(const char *name, time_t now, char from[11], char to[11]);

/* What a person types for a range: a period name, "all" (or "" / NULL), "FROM..TO" where
 * each side is YYYY-MM-DD or YYYY-MM (a month: its first day as FROM, its last as TO) and
 * either side may be left empty (open), or a single YYYY-MM / YYYY-MM-DD (that month or
 * day). -1 with od_seterr for a date that does not exist or a range that ends before it
 * starts; from and to are then left as they were. */
int od_profit_range_parse(const char *spec, time_t now, char from[11], char to[11]);

#endif
