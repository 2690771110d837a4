/* text — the screens' small formatting helpers (bars, sparklines, ages) as strings, so table
 * cells can hold them and tests can check them without a terminal. Declared in common.h. */
#include <langinfo.h>
#include <stdio.h>
#include <string.h>
#include "core/base/time.h"
#include "core/base/util.h"
#include "screens/common.h"

bool scr_ascii(void)
{
    const char *cs = nl_langinfo(CODESET);
    return !(cs && (strstr(cs, "UTF-8") || strstr(cs, "utf8")));
}

static void put(char *out, size_t n, size_t *len, const char *s)
{
    size_t l = strlen(s);
    if (*len + l + 1 > n) return;
    memcpy(out + *len, s, l + 1);
    *len += l;
}

void scr_bar(char *out, size_t n, int64_t done, int64_t total, int w)
{
    static const char *const eighth[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    bool ascii = scr_ascii();
    size_t len = 0;
    out[0] = '\0';
    if (w <= 0) return;
    int64_t cells8 = 0;
    if (total > 0) {
        if (done < 0) done = 0;
        if (done > total) done = total;
        cells8 = done * w * 8 / total;
    }
    int full = (int)(cells8 / 8), part = (int)(cells8 % 8), used = 0;
    for (; used < full; used++)
        put(out, n, &len, ascii ? "#" : "█");
    if (part && used < w && !ascii) {
        put(out, n, &len, eighth[part]);
        used++;
    }
    for (; used < w; used++)
        put(out, n, &len, ascii ? "." : " ");
}

void scr_spark(char *out, size_t n, const int64_t *v, size_t count, int w)
{
    static const char *const lv[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const alv[] = {"_", ".", "-", "~", "=", "+", "*", "#"};
    const char *const *levels = scr_ascii() ? alv : lv;
    size_t len = 0;
    out[0] = '\0';
    if (w <= 0 || count == 0) return;
    size_t start = count > (size_t)w ? count - (size_t)w : 0;
    int64_t lo = v[start], hi = v[start];
    for (size_t i = start; i < count; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    for (size_t i = start; i < count; i++) {
        int l = hi == lo ? (hi == 0 ? 0 : 3) : (int)((v[i] - lo) * 7 / (hi - lo));
        put(out, n, &len, levels[l]);
    }
}

void scr_spark_gaps(char *out, size_t n, const int64_t *v, const bool *has, size_t count)
{
    static const char *const lv[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char *const alv[] = {"_", ".", "-", "~", "=", "+", "*", "#"};
    const char *const *levels = scr_ascii() ? alv : lv;
    size_t len = 0;
    bool any = false;
    int64_t lo = 0, hi = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++)
        if (has[i]) {
            if (!any || v[i] < lo) lo = v[i];
            if (!any || v[i] > hi) hi = v[i];
            any = true;
        }
    for (size_t i = 0; i < count; i++) {
        if (!has[i]) {
            put(out, n, &len, " ");
            continue;
        }
        int l = hi == lo ? (hi == 0 ? 0 : 3) : (int)((v[i] - lo) * 7 / (hi - lo));
        put(out, n, &len, levels[l]);
    }
}

void scr_thousands(char *out, size_t n, const char *num, const char *suffix)
{
    const char *p = num, *digits;
    size_t nd = 0;
    if (*p == '-') p++;
    digits = p;
    while (p[nd] >= '0' && p[nd] <= '9')
        nd++;
    bool plain =
        nd > 0 &&
        (p[nd] == '\0' || (p[nd] == '.' && strspn(p + nd + 1, "0123456789") == strlen(p + nd + 1)));
    if (!plain) {
        snprintf(out, n, "%s%s", num, suffix);
        return;
    }
    char buf[96];
    size_t len = 0;
    if (digits != num) buf[len++] = '-';
    for (size_t i = 0; i < nd && len < sizeof buf - 2; i++) {
        if (i && (nd - i) % 3 == 0) buf[len++] = ',';
        buf[len++] = digits[i];
    }
    buf[len] = '\0';
    snprintf(out, n, "%s%s%s", buf, digits + nd, suffix);
}

int64_t scr_parse_time(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int64_t t;
    if (od_time_parse_ms(s, n, &t) == 0) return t;
    return od_date_parse(s, n, &t) == 0 ? t * 86400000 : 0; /* a date alone: its midnight UTC */
}

void scr_age(char *out, size_t n, const char *rfc3339)
{
    int64_t t = scr_parse_time(rfc3339);
    if (!t) {
        snprintf(out, n, "%s", "");
        return;
    }
    int64_t s = (od_wall_ms() - t) / 1000;
    if (s < 0) s = 0;
    if (s < 60)
        snprintf(out, n, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, n, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(out, n, "%lldh", (long long)(s / 3600));
    else
        snprintf(out, n, "%lldd", (long long)(s / 86400));
}
