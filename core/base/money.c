/* money — exact fixed-point parse/format. See money.h. */
#include "core/base/money.h"
#include "core/base/util.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Multiply-add with overflow checks on unsigned magnitudes (limit = INT64_MAX or +1). */
static bool mag_push(uint64_t *m, int digit, uint64_t limit)
{
    if (*m > (limit - (uint64_t)digit) / 10) return false;
    *m = *m * 10 + (uint64_t)digit;
    return true;
}

int od_fixed_parse_n(const char *s, size_t n, int scale, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (scale < 0 || scale > OD_FIXED_MAX_SCALE)
        return od_seterr("fixed-point scale %d is out of range", scale);
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    /* Collect the significant digits and where the decimal point sits. */
    char digits[64];
    size_t nd = 0, intdigits = 0;
    bool seen_digit = false, seen_point = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            seen_digit = true;
            if (nd == 0 && c == '0' && !seen_point)
                continue; /* leading zeros of the integer part */
            if (nd >= sizeof digits)
                return od_seterr("number '%.*s' has too many digits", (int)(n > 40 ? 40 : n), s);
            digits[nd++] = c;
            if (!seen_point) intdigits++;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    long exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E') && seen_digit) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        if (i >= n || s[i] < '0' || s[i] > '9')
            return od_seterr("'%.*s' is not a number", (int)(n > 40 ? 40 : n), s);
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            exp10 = exp10 * 10 + (s[i] - '0');
            if (exp10 > 100)
                return od_seterr("number '%.*s' is out of range", (int)(n > 40 ? 40 : n), s);
        }
        if (eneg) exp10 = -exp10;
    }
    if (!seen_digit || i != n)
        return od_seterr("'%.*s' is not a number", (int)(n > 40 ? 40 : n), s);
    /* value = 0.digits x 10^(intdigits + exp10); we want round(value x 10^scale). */
    long keep = (long)intdigits + exp10 + scale; /* digits before the rounding point */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t m = 0;
    for (long k = 0; k < keep; k++) {
        int d = k < (long)nd ? digits[k] - '0' : 0;
        if (!mag_push(&m, d, limit))
            return od_seterr("number '%.*s' is out of range", (int)(n > 40 ? 40 : n), s);
    }
    if (keep >= 0 && keep < (long)nd && digits[keep] >= '5') {
        if (m == limit)
            return od_seterr("number '%.*s' is out of range", (int)(n > 40 ? 40 : n), s);
        m++;
    }
    *out = neg ? (int64_t)(0 - m) : (int64_t)m;
    return 0;
}

int od_fixed_parse(const char *s, int scale, int64_t *out)
{
    if (!s) return od_seterr("missing number");
    return od_fixed_parse_n(s, strlen(s), scale, out);
}

int od_fixed_format(int64_t v, int scale, char *buf, size_t n)
{
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    uint64_t p = 1;
    for (int k = 0; k < scale; k++)
        p *= 10;
    if (scale <= 0) return snprintf(buf, n, "%s%llu", v < 0 ? "-" : "", (unsigned long long)m);
    return snprintf(buf, n, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(m / p), scale,
                    (unsigned long long)(m % p));
}

int od_fixed_mul(int64_t a, int64_t b, int64_t *out)
{
    if (__builtin_mul_overflow(a, b, out)) return od_seterr("amount out of range");
    return 0;
}
