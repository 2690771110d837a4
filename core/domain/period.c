/* period — see period.h. */
#include "core/domain/period.h"
#include "core/base/time.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "core/base/util.h"
#include "core/domain/profit.h"

const char *const od_profit_periods[] = {"this-month", "last-month", "this-quarter", "last-quarter",
                                         "ytd",        "last-30d",   "all",          NULL};

static void put_day(int64_t z, char out[11])
{
    int y, m, d;
    char tmp[40];
    od_civil_from_days(z, &y, &m, &d);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

/* [first day of month m of year y, last day of month m + n - 1] (m may run past 12). */
static void put_months(int y, int m, int n, char from[11], char to[11])
{
    int64_t lo = od_days_from_civil(y, m, 1);
    int y2 = y + (m - 1 + n) / 12, m2 = (m - 1 + n) % 12 + 1; /* the month after the last */
    put_day(lo, from);
    put_day(od_days_from_civil(y2, m2, 1) - 1, to);
}

int od_profit_period_resolve(const char *name, time_t now, char from[11], char to[11])
{
    struct tm tm;
    if (!localtime_r(&now, &tm)) return od_seterr("the clock is not readable");
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1, q0 = (m - 1) / 3 * 3 + 1; /* quarter's 1st */
    int64_t today = od_days_from_civil(y, m, tm.tm_mday);
    char f[11], t[11];
    if (!name) name = "";
    if (!strcmp(name, "this-month"))
        put_months(y, m, 1, f, t);
    else if (!strcmp(name, "last-month"))
        put_months(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, 1, f, t);
    else if (!strcmp(name, "this-quarter"))
        put_months(y, q0, 3, f, t);
    else if (!strcmp(name, "last-quarter"))
        put_months(q0 == 1 ? y - 1 : y, q0 == 1 ? 10 : q0 - 3, 3, f, t);
    else if (!strcmp(name, "ytd")) {
        put_day(od_days_from_civil(y, 1, 1), f);
        put_day(today, t);
    } else if (!strcmp(name, "last-30d")) {
        put_day(today - 29, f);
        put_day(today, t);
    } else if (!strcmp(name, "all"))
        f[0] = t[0] = '\0';
    else
        return od_seterr("unknown period '%s' (this-month, last-month, this-quarter, "
                         "last-quarter, ytd, last-30d, all)",
                         name);
    memcpy(from, f, 11);
    memcpy(to, t, 11);
    return 0;
}

static bool is_period(const char *s)
{
    for (int i = 0; od_profit_periods[i]; i++)
        if (!strcmp(s, od_profit_periods[i])) return true;
    return false;
}

int od_profit_range_parse(const char *spec, time_t now, char from[11], char to[11])
{
    char f[11] = "", t[11] = "", a[32];
    if (!spec || !*spec) spec = "all";
    if (is_period(spec)) return od_profit_period_resolve(spec, now, from, to);
    const char *dots = strstr(spec, "..");
    size_t alen = dots ? (size_t)(dots - spec) : strlen(spec);
    const char *b = dots ? dots + 2 : spec; /* one month or day: both ends from it */
    if (alen >= sizeof a)
        return od_seterr("'%.*s' is not a date (use YYYY-MM-DD or YYYY-MM)", (int)alen, spec);
    memcpy(a, spec, alen);
    a[alen] = '\0';
    if (!*a && !*b) return od_seterr("'..' needs a date on at least one side");
    if ((*a && od_profit_date_parse(a, false, f) < 0) ||
        (*b && od_profit_date_parse(b, true, t) < 0))
        return -1;
    if (*f && *t && strcmp(f, t) > 0)
        return od_seterr("the range starts (%s) after it ends (%s)", f, t);
    memcpy(from, f, 11);
    memcpy(to, t, 11);
    return 0;
}
