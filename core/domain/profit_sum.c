/* profit_sum — see profit_sum.h. */
#include "core/domain/profit_sum.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/base/money.h"
#include "core/base/util.h"

static bool add(int64_t *acc, int64_t v)
{
    return !__builtin_add_overflow(*acc, v, acc);
}

/* margin / revenue x 100 in hundredths of a percent, half away from zero. */
static int64_t pct_c(int64_t margin, int64_t revenue)
{
    __int128 num = (__int128)margin * 10000, den = revenue;
    bool neg = (num < 0) != (den < 0);
    if (num < 0) num = -num;
    if (den < 0) den = -den;
    __int128 q = (num * 2 + den) / (den * 2);
    if (q > INT64_MAX) q = INT64_MAX;
    return neg ? -(int64_t)q : (int64_t)q;
}

int od_profit_sum(const struct od_profit_row *rows, const uint32_t *idx, size_t n,
                  struct od_profit_row *out)
{
    memset(out, 0, sizeof *out);
    struct od_profit_row t = {0};
    bool ok = true, first = true;
    for (size_t i = 0; i < n; i++) {
        const struct od_profit_row *r = &rows[idx ? idx[i] : i];
        ok = ok && add(&t.entries, r->entries) && add(&t.hours_c, r->hours_c) &&
             add(&t.billable_hours_c, r->billable_hours_c) && add(&t.revenue_c, r->revenue_c) &&
             add(&t.cost_c, r->cost_c) && add(&t.margin_c, r->margin_c) &&
             add(&t.missing_cost_rate, r->missing_cost_rate) &&
             add(&t.missing_billable_rate, r->missing_billable_rate);
        if (r->has_deal_amount) {
            ok = ok && add(&t.deal_amount_c, r->deal_amount_c);
            t.has_deal_amount = true;
        }
        if (first)
            memcpy(t.currency, r->currency, sizeof t.currency);
        else if (strcmp(t.currency, r->currency) != 0)
            t.mixed_currency = true;
        first = false;
    }
    if (!ok) return od_seterr("a total is too large to add up");
    if (t.mixed_currency) t.currency[0] = '\0';
    od_money_format(t.hours_c, t.hours, sizeof t.hours);
    od_money_format(t.billable_hours_c, t.billable_hours, sizeof t.billable_hours);
    od_money_format(t.revenue_c, t.revenue, sizeof t.revenue);
    od_money_format(t.cost_c, t.cost, sizeof t.cost);
    od_money_format(t.margin_c, t.margin, sizeof t.margin);
    if (t.has_deal_amount) od_money_format(t.deal_amount_c, t.deal_amount, sizeof t.deal_amount);
    if (t.revenue_c != 0) {
        t.has_margin_pct = true;
        t.margin_pct_c = pct_c(t.margin_c, t.revenue_c);
        od_money_format(t.margin_pct_c, t.margin_pct, sizeof t.margin_pct);
    }
    *out = t;
    return 0;
}
