/* profit_sum — the totals of the profitability rows a person sees: after a filter, the console
 * shows and exports only some rows of a report, and its Total line and TOTAL row must be those
 * rows' sums, not the report's (core/domain/profit.h sums every row).
 *
 *   struct od_profit_row tot;
 *   if (od_profit_sum(rep.rows, shown, nshown, &tot) < 0) puts(od_err());
 *
 * Every amount of the total is the exact sum of the rows' 2-place values (int64 hundredths,
 * never floating point), so a TOTAL row always equals the sum of the rows above it, in a
 * spreadsheet too: hours, billable hours, revenue, cost, margin (Σ of the rows' margins) and
 * deal amounts (of linked rows; has_deal_amount when any row is linked); entries and the
 * missing-rate counts are summed. The margin % of the total is total margin / total revenue
 * (half away from zero to 2 places; none when the revenue is 0), never a sum or an average of
 * the rows' percentages. Budgets and trends do not add up and stay empty. The currency is the
 * rows' one currency; rows in different currencies leave it "" with mixed_currency set (their
 * sums mean nothing). */
#ifndef OD_PROFIT_SUM_H
#define OD_PROFIT_SUM_H
#include <stddef.h>
#include <stdint.h>
#include "core/domain/profit.h"

/* Sum rows[idx[i]] for i < n (idx NULL: rows[0..n)) into out (key, name and trend NULL:
 * nothing to release). -1 with od_seterr when a sum would not fit in int64; out is then zero. */
int od_profit_sum(const struct od_profit_row *rows, const uint32_t *idx, size_t n,
                  struct od_profit_row *out);

#endif
