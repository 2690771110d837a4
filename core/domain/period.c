/* period — see period.h. Calendar arithmetic on days since 1970-01-01 (core/base/util.h). */
#include "core/domain/period.h"
#include "core/base/util.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

enum preset { THIS_MONTH, LAST_MONTH, THIS_QUARTER, LAST_QUARTER, YTD, LAST_30D, ALL };

static const char *const names[] = {
    [THIS_MONTH] = "this-month",
    [LAST_MONTH] = "last-month",
    [THIS_QUARTER] = "this-quarter",
    [LAST_QUARTER] = "last-quarter",
    [YTD] = "ytd",
    [LAST_30D] = "last-30d",
    [ALL] = "all",
};

const char *od_period_names(void)
{
    return "this-month last-month this-quarter last-quarter ytd last-30d all";
}

void od_period_today(struct od_day *out)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    out->y = tm.tm_year + 1900;
    out->m = tm.tm_mon + 1;
    out->d = tm.tm_mday;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : dm[m - 1];
}

static void put(char out[11], int y, int m, int d)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

/* Months y*12+m-1 from a .. b inclusive, as a range of days. */
static void months(int a, int b, char from[11], char to[11])
{
    put(from, a / 12, a % 12 + 1, 1);
    put(to, b / 12, b % 12 + 1, days_in_month(b / 12, b % 12 + 1));
}

int od_period_resolve(const char *name, struct od_day t, char from[11], char to[11])
{
    size_t p = 0;
    while (p < OD_ARRAY_LEN(names) && !(name && strcmp(name, names[p]) == 0))
        p++;
    if (p == OD_ARRAY_LEN(names))
        return od_seterr("unknown period '%s' (use one of: %s)", name ? name : "",
                         od_period_names());
    if (t.y < 1 || t.y > 9999 || t.m < 1 || t.m > 12 || t.d < 1 || t.d > days_in_month(t.y, t.m))
        return od_seterr("today (%04d-%02d-%02d) is not a date", t.y, t.m, t.d);
    int mon = t.y * 12 + t.m - 1, q = mon - (t.m - 1) % 3; /* first month of today's quarter */
    *from = *to = '\0';
    switch ((enum preset)p) {
    case THIS_MONTH:
        months(mon, mon, from, to);
        break;
    case LAST_MONTH:
        if (mon < 12 + 1) return od_seterr("no month before %04d-%02d", t.y, t.m);
        months(mon - 1, mon - 1, from, to);
        break;
    case THIS_QUARTER:
        months(q, q + 2, from, to);
        break;
    case LAST_QUARTER:
        if (q < 12 + 3) return od_seterr("no quarter before %04d-%02d", t.y, t.m);
        months(q - 3, q - 1, from, to);
        break;
    case YTD:
        put(from, t.y, 1, 1);
        put(to, t.y, t.m, t.d);
        break;
    case LAST_30D: {
        int y, m, d;
        od_civil_from_days(od_days_from_civil(t.y, t.m, t.d) - 29, &y, &m, &d);
        if (y < 1) return od_seterr("no 30 days before %04d-%02d-%02d", t.y, t.m, t.d);
        put(from, y, m, d);
        put(to, t.y, t.m, t.d);
        break;
    }
    case ALL:
        break;
    }
    return 0;
}
