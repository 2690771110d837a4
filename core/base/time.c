/* time — dates and timestamps in integers. See time.h. */
#include "core/base/time.h"
#include <stdio.h>

#define US_PER_S 1000000
#define S_PER_DAY 86400
#define MAX_OFFSET_MIN (15 * 60 + 59)

/* Dates as days since 1970-01-01, proleptic Gregorian (H. Hinnant's algorithms). */
int64_t od_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void od_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int od_days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

bool od_date_valid(int64_t y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= od_days_in_month(y, m);
}

/* n decimal digits as a number; -1 when one is not a digit. */
static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The date in the first 10 of n bytes. */
static int date_at(const char *s, size_t n, int64_t *days)
{
    if (n < 10 || s[4] != '-' || s[7] != '-') return -1;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (y < 1 || !od_date_valid(y, m, d)) return -1;
    *days = od_days_from_civil(y, m, d);
    return 0;
}

int od_date_parse(const char *s, size_t n, int64_t *days)
{
    return n == 10 ? date_at(s, n, days) : -1;
}

/* Zone at s[i..n): "Z", "+hh:mm" or "+hh" into seconds east of UTC. */
static int zone(const char *s, size_t i, size_t n, int64_t *off)
{
    if (i + 1 == n && s[i] == 'Z') {
        *off = 0;
        return 0;
    }
    if (i >= n || (s[i] != '+' && s[i] != '-')) return -1;
    int oh = i + 3 <= n ? num(s + i + 1, 2) : -1, om = 0;
    if (i + 6 == n && s[i + 3] == ':')
        om = num(s + i + 4, 2);
    else if (i + 3 != n)
        return -1;
    if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > MAX_OFFSET_MIN) return -1;
    *off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    return 0;
}

int od_time_parse_us(const char *s, size_t n, int64_t *us)
{
    int64_t day, off;
    if (n < 20 || date_at(s, n, &day) < 0 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return -1;
    int hh = num(s + 11, 2), mi = num(s + 14, 2), ss = num(s + 17, 2);
    if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60) return -1;
    size_t i = 19;
    int64_t frac = 0;
    if (s[i] == '.') {
        int digits = 0, round = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (digits < 6)
                frac = frac * 10 + (s[i] - '0');
            else if (digits == 6)
                round = s[i] >= '5';
        }
        if (digits < 1 || digits > 9) return -1;
        for (int k = digits; k < 6; k++)
            frac *= 10;
        frac += round;
    }
    if (zone(s, i, n, &off) < 0) return -1;
    int64_t secs = day * S_PER_DAY + hh * 3600 + mi * 60 + ss - off;
    *us = secs * US_PER_S + frac;
    return 0;
}

int od_time_parse_ms(const char *s, size_t n, int64_t *ms)
{
    int64_t us;
    if (od_time_parse_us(s, n, &us) < 0) return -1;
    *ms = us / 1000 - (us % 1000 < 0);
    return 0;
}

void od_date_format(int64_t days, char *out, size_t n)
{
    int y, m, d;
    od_civil_from_days(days, &y, &m, &d);
    snprintf(out, n, "%04d-%02d-%02d", y, m, d);
}

/* t in units of `per` per second; digits: how many fraction digits to print. */
static void format(int64_t t, int64_t per, int digits, char *out, size_t n)
{
    int64_t frac = t % per, secs = t / per; /* floor division without overflow at INT64_MIN */
    if (frac < 0) {
        frac += per;
        secs--;
    }
    int64_t sod = secs % S_PER_DAY, day = secs / S_PER_DAY;
    if (sod < 0) {
        sod += S_PER_DAY;
        day--;
    }
    int y, m, d;
    od_civil_from_days(day, &y, &m, &d);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%0*lldZ", y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60), digits, (long long)frac);
}

void od_time_format_us(int64_t us, char *out, size_t n)
{
    format(us, US_PER_S, 6, out, n);
}

void od_time_format_ms(int64_t ms, char *out, size_t n)
{
    format(ms, 1000, 3, out, n);
}
