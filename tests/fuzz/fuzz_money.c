/* fuzz_money — exact fixed-point decimals (core/base/money.h). The first byte picks a scale (0..9),
 * the rest is decimal text (a JSON number token or a HubSpot amount string). Invariants:
 *   - od_fixed_parse_n and od_fixed_parse agree on text without NUL;
 *   - parse(format(v)) == v, and format gives -?digits[.digits{scale}];
 *   - the parsed value is the text rounded half away from zero: within 1/2 unit of
 *     strtold's reading (plus its own error), and parse(-text) == -parse(text);
 *   - scale 2 is scale 9 rounded: |v2 x 10^7 - v9| <= 5 x 10^6;
 *   - the first 16 bytes read as two int64s: format/parse round-trips them at the scale, and
 *     od_fixed_mul is the exact product or reports overflow.
 * FUZZ_SOURCES: core/base/money.c core/base/util.c core/base/sanitize.c */
#include "core/base/money.h"
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"
#include <math.h>

static void check_format(int64_t v, int scale)
{
    char buf[OD_FIXED_BUF];
    int n = od_fixed_format(v, scale, buf, sizeof buf);
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof buf && strlen(buf) == (size_t)n);
    const char *p = buf + (buf[0] == '-');
    FUZZ_CHECK(*p >= '0' && *p <= '9');
    while (*p >= '0' && *p <= '9')
        p++;
    if (scale > 0) {
        FUZZ_CHECK(*p == '.' && strspn(p + 1, "0123456789") == (size_t)scale);
        p += 1 + scale;
    }
    FUZZ_CHECK(*p == '\0');
    int64_t back;
    FUZZ_CHECK(od_fixed_parse(buf, scale, &back) == 0 && back == v);
}

static void check_text(const char *s, size_t n, int scale)
{
    int64_t v, w;
    int rc = od_fixed_parse_n(s, n, scale, &v);
    if (memchr(s, '\0', n) == NULL) {
        char *z = fuzz_cstr((const unsigned char *)s, n);
        int rc2 = od_fixed_parse(z, scale, &w);
        FUZZ_CHECK(rc == rc2 && (rc < 0 || v == w));
        if (rc == 0) {
            /* strtold reads the same grammar (our parser is stricter). */
            char *end;
            long double ld = strtold(z, &end);
            FUZZ_CHECK(*end == '\0');
            long double want = ld * powl(10.0L, (long double)scale);
            long double slack = 0.5L + fabsl(want) * 1e-15L;
            FUZZ_CHECK(fabsl((long double)v - want) <= slack);
        }
        free(z);
    }
    if (rc < 0) {
        FUZZ_CHECK(*od_err()); /* quotes the text as is: callers sanitize before display */
        return;
    }
    check_format(v, scale);
    /* The sign is symmetric (half away from zero). */
    if (n > 0 && s[0] != '-' && s[0] != '+' && v != INT64_MIN) {
        char *neg = malloc(n + 1);
        FUZZ_CHECK(neg != NULL);
        neg[0] = '-';
        memcpy(neg + 1, s, n);
        FUZZ_CHECK(od_fixed_parse_n(neg, n + 1, scale, &w) == 0 && w == -v);
        free(neg);
    }
    /* Rounding at scale 2 agrees with the exact value seen at scale 9. */
    int64_t v2, v9;
    if (od_fixed_parse_n(s, n, 2, &v2) == 0 && od_fixed_parse_n(s, n, 9, &v9) == 0) {
        __int128 d = (__int128)v2 * 10000000 - v9;
        FUZZ_CHECK(d <= 5000000 && d >= -5000000);
    }
}

static void check_ints(const unsigned char *p, int scale)
{
    int64_t a, b, prod;
    memcpy(&a, p, sizeof a);
    memcpy(&b, p + 8, sizeof b);
    check_format(a, scale);
    check_format(b, scale);
    __int128 exact = (__int128)a * b;
    if (od_fixed_mul(a, b, &prod) == 0)
        FUZZ_CHECK(exact == prod);
    else
        FUZZ_CHECK(exact > INT64_MAX || exact < INT64_MIN);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1) return 0;
    int scale = data[0] % (OD_FIXED_MAX_SCALE + 1);
    check_text((const char *)data + 1, size - 1, scale);
    if (size >= 17) check_ints(data + 1, scale);
    return 0;
}
