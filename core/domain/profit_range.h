/* profit_range — how a profitability report reads a date range: whole months from the monthly
 * rollups, and each partial edge month as few days as possible (from the day rollups of a
 * listed month, else from raw rows; core/domain/profit.c decides which). Pure date arithmetic,
 * no database; also the day and month parsers every range passes (profit.h includes this).
 *
 *   char p[6][11];
 *   int sign[2];
 *   od_profit_range_split("2026-01-15", "2026-03-10", p, sign);
 *   // p = {"2026-01-01", "2026-03-01", "2026-01-01", "2026-01-15", "2026-03-01", "2026-03-11"},
 *   // sign = {-1, 1}: January whole minus its first 14 days, February, 1-10 March */
#ifndef OD_PROFIT_RANGE_H
#define OD_PROFIT_RANGE_H
#include <stdbool.h>
#include <stdint.h>

/* Parse "YYYY-MM-DD" or "YYYY-MM" (to_end: the month's last day) into "YYYY-MM-DD" (out >= 11
 * bytes). -1 with od_seterr when not a real date. */
int od_profit_date_parse(const char *s, bool to_end, char out[11]);

/* "YYYY-MM..." -> year * 12 + month - 1 (the unit of a trend's months); -1 when s is no
 * date. */
int32_t od_profit_month_index(const char *s);

/* Split [from, to] (inclusive "YYYY-MM-DD" days as od_profit_date_parse writes them, "" =
 * open) into whole months [p[0], p[1]) for the monthly rollups and up to two edge ranges
 * [p[2], p[3]) and [p[4], p[5]), each inside one month; "" = none (an open end, an edge not
 * needed). An edge is either the part of its month inside the range (sign 1), or — when the
 * part outside is smaller — the part outside, taken away from the whole month, which the
 * month range then includes (sign -1): at most half a month of days per edge. A range inside
 * one month is its inside days, or the month minus the days before and after it (both signs
 * -1), whichever is fewer. */
void od_profit_range_split(const char *from, const char *to, char p[6][11], int sign[2]);
/* The whole dekads (ten-day blocks starting on the 1st, 11th and 21st; the last runs to the
 * month's end) inside an edge [lo, hi) of od_profit_range_split: [d1, d2), so the edge reads
 * the dekads starting in [d1, d2) and the days in [lo, d1) and [d2, hi). d1 = d2 = hi when no
 * whole dekad fits; "" when the edge is. Example: [2026-01-01, 2026-01-15) -> [01-01, 01-11),
 * that is one dekad and the 11th to the 14th. */
void od_profit_edge_dekads(const char *lo, const char *hi, char d1[11], char d2[11]);

#endif
