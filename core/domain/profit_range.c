/* profit_range — see profit_range.h. */
#include "core/domain/profit_range.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

static void fmt_day(long z, char out[11])
{
    char tmp[OD_DATE_BUF];
    od_date_format(z, tmp, sizeof tmp);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

int od_profit_date_parse(const char *s, bool to_end, char out[11])
{
    size_t len = s ? strlen(s) : 0;
    int64_t z;
    if (len == 7) { /* YYYY-MM: a date on its first day */
        char first[11];
        memcpy(first, s, 7);
        memcpy(first + 7, "-01", 4);
        if (od_date_parse(first, 10, &z) < 0)
            return od_seterr("'%s' is not a month (use YYYY-MM)", s);
        if (to_end) {
            int y, m, d;
            od_civil_from_days(z, &y, &m, &d);
            z += od_days_in_month(y, m) - 1;
        }
    } else if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (od_date_parse(s, len, &z) < 0)
            return od_seterr("'%s' is not a date (use YYYY-MM-DD)", s);
    } else {
        return od_seterr("'%s' is not a date (use YYYY-MM-DD or YYYY-MM)", s ? s : "");
    }
    fmt_day(z, out);
    return 0;
}

int32_t od_profit_month_index(const char *s)
{
    int y, m, n = 0;
    if (!s || sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || y < 1 || m < 1 || m > 12)
        return -1;
    return y * 12 + m - 1;
}

/* A date od_profit_date_parse wrote. */
static long day_of(const char *iso)
{
    int64_t z = 0;
    int rc = od_date_parse(iso, strlen(iso), &z);
    assert(rc == 0);
    (void)rc;
    return z;
}

static long first_of_next_month(long z)
{
    int y, m, d;
    od_civil_from_days(z, &y, &m, &d);
    return z - (d - 1) + od_days_in_month(y, m);
}

static long first_of_month(long z)
{
    int y, m, d;
    od_civil_from_days(z, &y, &m, &d);
    return z - (d - 1);
}

/* Split [from, to] into whole months for the monthly rollups and up to two edge ranges
 * [lo, hi), each inside one month. p[0..5]: full_lo, full_hi, edge1_lo, edge1_hi, edge2_lo,
 * edge2_hi; "" = NULL. A partial edge month is read either as the part inside the range
 * (sign 1), or — when the part outside is smaller — as the whole month from the rollups minus
 * the part outside (sign -1): at most half a month of days per edge. A range inside one month
 * is its inside days, or the month minus the days before and after it, whichever is fewer. */
void od_profit_range_split(const char *from, const char *to, char p[6][11], int sign[2])
{
    bool hf = *from, ht = *to;
    long f = hf ? day_of(from) : 0, t = ht ? day_of(to) : 0;
    long full_lo = 0, full_hi = 0, r[2][2] = {{0, 0}, {0, 0}}; /* lo == hi: no raw range */
    memset(p, 0, 6 * 11);
    sign[0] = sign[1] = 1;
    if (hf) full_lo = first_of_month(f) == f ? f : first_of_next_month(f);
    if (ht) full_hi = first_of_next_month(t) == t + 1 ? t + 1 : first_of_month(t);
    if (hf && ht && first_of_month(f) == first_of_month(t)) { /* inside one month */
        long m0 = first_of_month(f), m1 = first_of_next_month(f);
        if (full_lo == f && full_hi == t + 1) {
            /* the whole month */
        } else if ((f - m0) + (m1 - t - 1) < t + 1 - f) {
            full_lo = m0;
            full_hi = m1;
            r[0][0] = m0;
            r[0][1] = f;
            r[1][0] = t + 1;
            r[1][1] = m1;
            sign[0] = sign[1] = -1;
        } else {
            full_hi = full_lo;
            r[0][0] = f;
            r[0][1] = t + 1;
        }
    } else {
        if (hf && full_lo != f) {
            long m0 = first_of_month(f);
            if (f - m0 < full_lo - f) {
                r[0][0] = m0;
                r[0][1] = f;
                sign[0] = -1;
                full_lo = m0;
            } else {
                r[0][0] = f;
                r[0][1] = full_lo;
            }
        }
        if (ht && full_hi != t + 1) {
            long m1 = first_of_next_month(t);
            if (m1 - (t + 1) < (t + 1) - full_hi) {
                r[1][0] = t + 1;
                r[1][1] = m1;
                sign[1] = -1;
                full_hi = m1;
            } else {
                r[1][0] = full_hi;
                r[1][1] = t + 1;
            }
        }
    }
    if (hf) fmt_day(full_lo, p[0]);
    if (ht) fmt_day(full_hi, p[1]);
    for (int e = 0; e < 2; e++)
        if (r[e][1] > r[e][0]) {
            fmt_day(r[e][0], p[2 + 2 * e]);
            fmt_day(r[e][1], p[3 + 2 * e]);
        }
}

void od_profit_edge_dekads(const char *lo, const char *hi, char d1[11], char d2[11])
{
    *d1 = *d2 = '\0';
    if (!*lo || !*hi) return;
    long a = day_of(lo), b = day_of(hi), m0 = first_of_month(a);
    const long bound[4] = {m0, m0 + 10, m0 + 20, first_of_next_month(a)};
    long x = b, y = b;
    for (int i = 0; i < 4; i++)
        if (bound[i] >= a) {
            x = bound[i];
            break;
        }
    for (int i = 3; i >= 0; i--)
        if (bound[i] <= b) {
            y = bound[i];
            break;
        }
    if (x >= y) x = y = b; /* no whole dekad inside: every day is read */
    fmt_day(x, d1);
    fmt_day(y, d2);
}
