/* money — exact fixed-point decimals for money and hours. Never binary floating point.
 *
 * A value is an int64 count of 10^-scale units: with scale 2, "123.45" is 12345 (cents or
 * hundredths of an hour). Parsing takes the decimal text exactly as it arrived (a JSON number
 * token or a HubSpot property string): optional sign, digits, optional fraction, optional
 * exponent ("1.5e2"). Digits beyond the scale are rounded half away from zero, the way
 * PostgreSQL rounds numeric(p, scale), so what we validate is what the database stores.
 *
 *   int64_t cents;
 *   if (od_fixed_parse("1500.5", 2, &cents) < 0) puts(od_err());   // cents = 150050
 *   char buf[OD_FIXED_BUF];
 *   od_fixed_format(cents, 2, buf, sizeof buf);                      // "1500.50"
 *
 * Products (hours x rate) need scale 4: od_fixed_mul(a, 2, b, 2) gives scale 4, exactly. */
#ifndef OD_MONEY_H
#define OD_MONEY_H
#include <stddef.h>
#include <stdint.h>

#define OD_FIXED_BUF 32
#define OD_FIXED_MAX_SCALE 9

/* Parse s (NUL-terminated) into *out at the given scale (0..9). -1 with od_seterr when s is
 * not a decimal number or does not fit in int64. */
int od_fixed_parse(const char *s, int scale, int64_t *out);
/* Same for n bytes of s. */
int od_fixed_parse_n(const char *s, size_t n, int scale, int64_t *out);
/* Exact text ("-12.30", "0.05", "7" at scale 0) into buf (>= OD_FIXED_BUF bytes).
 * Returns the length. */
int od_fixed_format(int64_t v, int scale, char *buf, size_t n);
/* a (scale sa) x b (scale sb) at scale sa + sb; -1 with od_seterr on overflow. */
int od_fixed_mul(int64_t a, int64_t b, int64_t *out);

/* Convenience at scale 2 (money in cents, hours in hundredths). */
static inline int od_money_parse(const char *s, int64_t *cents)
{
    return od_fixed_parse(s, 2, cents);
}
static inline int od_money_format(int64_t cents, char *buf, size_t n)
{
    return od_fixed_format(cents, 2, buf, n);
}

#endif
