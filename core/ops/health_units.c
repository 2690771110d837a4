/* health_units — observed values in units people read at a glance (see health.h):
 *   bytes  "512 B", "25.7 MiB", "1.2 GiB" (binary prefixes, one decimal)
 *   s      "45 s", "12 min 5 s", "1 h 12 min", "3 d 4 h" (the two largest units; a zero second
 *          unit is left out)
 *   ms     "12.3 ms", "1.25 s" from 1000 ms
 *   count  the number alone
 *   %      "85 %"
 * Anything else (or a value that is not a number) is shown as given, with its unit. */
#include "core/ops/health.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bytes(long long v, char *out, size_t n)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (v < 1024 && v > -1024) {
        snprintf(out, n, "%lld B", v);
        return;
    }
    /* tenths, in integers: no rounding surprises from binary floating point */
    long long a = v < 0 ? -v : v;
    size_t u = 0;
    long long div = 1024;
    while (u + 1 < sizeof units / sizeof *units && a / div >= 1024)
        div *= 1024, u++;
    long long tenths = (a * 10 + div / 2) / div;
    snprintf(out, n, "%s%lld.%lld %s", v < 0 ? "-" : "", tenths / 10, tenths % 10, units[u]);
}

static void duration(long long v, char *out, size_t n)
{
    static const struct {
        const char *name;
        long long s;
    } units[] = {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}};
    const char *sign = v < 0 ? "-" : "";
    long long a = v < 0 ? -v : v;
    size_t i = 0;
    while (i + 1 < sizeof units / sizeof *units && a < units[i].s)
        i++;
    long long big = a / units[i].s,
              rest = i + 1 < sizeof units / sizeof *units ? a % units[i].s / units[i + 1].s : 0;
    if (rest)
        snprintf(out, n, "%s%lld %s %lld %s", sign, big, units[i].name, rest, units[i + 1].name);
    else
        snprintf(out, n, "%s%lld %s", sign, big, units[i].name);
}

void od_health_format_value(const char *value, const char *unit, char *out, size_t n)
{
    if (!value || !*value) {
        snprintf(out, n, "%s", "");
        return;
    }
    char *end;
    double d = strtod(value, &end);
    bool number = *end == '\0';
    long long v = strtoll(value, &end, 10);
    bool integer = *end == '\0';
    if (unit && integer && strcmp(unit, "bytes") == 0)
        bytes(v, out, n);
    else if (unit && integer && strcmp(unit, "s") == 0)
        duration(v, out, n);
    else if (unit && number && strcmp(unit, "ms") == 0 && (d >= 1000 || d <= -1000))
        snprintf(out, n, "%.2f s", d / 1000);
    else if (unit && number && strcmp(unit, "ms") == 0)
        snprintf(out, n, "%.1f ms", d);
    else if (!unit || strcmp(unit, "count") == 0)
        snprintf(out, n, "%s", value);
    else
        snprintf(out, n, "%s %s", value, unit);
}
