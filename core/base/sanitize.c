/* sanitize — terminal-safe strings, display widths, column fitting, CSV fields.
 * See sanitize.h for the contract. Escape sequences are recognised on raw bytes (ESC and the
 * ASCII bodies are single bytes); everything else is handled per decoded code point. */
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_COMBINING 4

enum cls { CL_KEEP, CL_DROP, CL_SPACE };

struct range {
    uint32_t lo, hi;
};

/* Zero-width combining marks (fallback table and the cap). Zero-width joiners and variation
 * selectors are not here: classify() drops them. */
static const struct range combining[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0711, 0x0711},
    {0x0730, 0x074A}, {0x0900, 0x0902}, {0x093C, 0x093C}, {0x0941, 0x0948}, {0x094D, 0x094D},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x20D0, 0x20FF}, {0x302A, 0x302D}, {0x3099, 0x309A}, {0xFE20, 0xFE2F}, {0x1F3FB, 0x1F3FF},
};

/* East Asian Wide/Fullwidth and emoji presentation (fallback table only). */
static const struct range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F5},   {0x26FA, 0x26FD},
    {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},   {0x274C, 0x274C},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},
    {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},
    {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
    {0x1F300, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393},
    {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4},
    {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D},
    {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596},
    {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC},
    {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC},
    {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF},
    {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static bool in_ranges(const struct range *r, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

static enum cls classify(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x2028 ||
        cp == 0x2029)
        return CL_SPACE;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return CL_DROP;
    if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069))
        return CL_DROP; /* bidi controls (Trojan Source) */
    /* Invisible format characters. Terminals disagree on them (a ZWJ may join two emoji into
     * one glyph, or take a cell of its own; a variation selector may turn a 1-column symbol
     * into a 2-column emoji), so no width we could count would match every terminal: they
     * are removed, and what is left is measured by wcwidth. */
    if (cp == 0x00AD || cp == 0x034F || cp == 0x180E || (cp >= 0x200B && cp <= 0x200D) ||
        (cp >= 0x2060 && cp <= 0x2065) || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF ||
        (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
        (cp >= 0xE0000 && cp <= 0xE007F) || (cp >= 0xE0100 && cp <= 0xE01EF))
        return CL_DROP;
    return CL_KEEP;
}

size_t od_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD; /* continuation byte, C0/C1 overlong lead, or > U+10FFFF lead */
        return 1;
    }
    if (n < len) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

size_t od_utf8_valid(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t k = od_utf8_decode(s, n, &cp);
    return k == 1 && cp == 0xFFFD ? 0 : k; /* a valid 1-byte sequence is ASCII */
}

size_t od_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Escape sequences (ECMA-48). Each skip_* gets the index just after the introducer and
 * returns the index after the sequence; an unterminated one runs to the end of input. */
static size_t skip_csi(const unsigned char *p, size_t n, size_t j)
{
    while (j < n && p[j] >= 0x20 && p[j] <= 0x3F)
        j++;
    while (j < n && p[j] >= 0x20 && p[j] <= 0x2F)
        j++;
    if (j < n && p[j] >= 0x40 && p[j] <= 0x7E) j++;
    return j;
}

static size_t skip_string(const unsigned char *p, size_t n, size_t j)
{
    for (; j < n; j++) {
        if (p[j] == 0x07 || p[j] == 0x9C) return j + 1;
        if (p[j] == 0x1B)
            return (j + 1 < n && p[j + 1] == '\\') ? j + 2 : j; /* ST, or ESC starts anew */
        if (p[j] == 0x18 || p[j] == 0x1A) return j;             /* CAN/SUB abort the string */
        if (p[j] == 0xC2 && j + 1 < n && p[j + 1] == 0x9C) return j + 2; /* ST as UTF-8 C1 */
    }
    return j;
}

static size_t skip_esc(const unsigned char *p, size_t n, size_t j)
{
    if (j >= n) return j;
    switch (p[j]) {
    case '[':
        return skip_csi(p, n, j + 1);
    case ']':
    case 'P':
    case 'X':
    case '^':
    case '_':
        return skip_string(p, n, j + 1);
    default:
        while (j < n && p[j] >= 0x20 && p[j] <= 0x2F)
            j++;
        if (j < n && p[j] >= 0x30 && p[j] <= 0x7E) j++;
        return j;
    }
}

void od_sanitize_to(struct strbuf *sb, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int ncomb = 0;
    bool space = false;
    sb_grow(sb, n);
    sb->buf[sb->len] = '\0';
    while (i < n) {
        uint32_t cp;
        size_t len = od_utf8_decode(p + i, n - i, &cp);
        if (cp == 0x1B) {
            i = skip_esc(p, n, i + 1);
            continue;
        }
        if (cp == 0x9B) {
            i = skip_csi(p, n, i + len);
            continue;
        }
        if (cp == 0x90 || cp == 0x98 || cp == 0x9D || cp == 0x9E || cp == 0x9F) {
            i = skip_string(p, n, i + len);
            continue;
        }
        i += len;
        enum cls c = classify(cp);
        if (c == CL_SPACE) space = true;
        if (c != CL_KEEP) continue;
        if (space) {
            sb_addch(sb, ' ');
            space = false;
            ncomb = 0;
        }
        if (in_ranges(combining, OD_ARRAY_LEN(combining), cp)) {
            if (++ncomb > MAX_COMBINING) continue;
        } else {
            ncomb = 0;
        }
        if (cp == 0xFFFD && len == 1)
            sb_add(sb, "\xEF\xBF\xBD");
        else
            sb_addn(sb, (const char *)p + i - len, len);
    }
    if (space) sb_addch(sb, ' ');
}

char *od_sanitize_n(const char *s, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    if (s) od_sanitize_to(&sb, s, n);
    return sb.buf ? sb_detach(&sb) : od_xstrdup("");
}

char *od_sanitize(const char *s)
{
    return od_sanitize_n(s, s ? strlen(s) : 0);
}

bool od_char_dropped(uint32_t cp)
{
    return classify(cp) != CL_KEEP;
}

int od_char_width(uint32_t cp)
{
    if (classify(cp) != CL_KEEP) return 0;
    if (MB_CUR_MAX > 1) {
        int w = wcwidth((wchar_t)cp);
        if (w >= 0) return w > 2 ? 2 : w;
    }
    if (in_ranges(combining, OD_ARRAY_LEN(combining), cp)) return 0;
    return in_ranges(wide, OD_ARRAY_LEN(wide), cp) ? 2 : 1;
}

int od_display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = s ? strlen(s) : 0, i = 0;
    int w = 0;
    while (i < n) {
        uint32_t cp;
        i += od_utf8_decode(p + i, n - i, &cp);
        w += od_char_width(cp);
    }
    return w;
}

/* One printable unit of a string for fitting: its bytes (or U+FFFD for invalid ones). */
struct unit {
    const char *bytes;
    size_t len;
    int width;
};

static bool next_unit(const unsigned char *p, size_t n, size_t *i, struct unit *u)
{
    while (*i < n) {
        uint32_t cp;
        size_t len = od_utf8_decode(p + *i, n - *i, &cp);
        const char *at = (const char *)p + *i;
        *i += len;
        if (classify(cp) != CL_KEEP) continue;
        u->bytes = (cp == 0xFFFD && len == 1) ? "\xEF\xBF\xBD" : at;
        u->len = (cp == 0xFFFD && len == 1) ? 3 : len;
        u->width = od_char_width(cp);
        return true;
    }
    return false;
}

/* Appends to sb at most maxbytes bytes and cols columns; returns columns used. */
static int fit_core(struct strbuf *sb, const char *s, int cols, size_t maxbytes)
{
    static const char ell[] = "\xE2\x80\xA6"; /* U+2026 */
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), i = 0, bytes = 0;
    int width = 0;
    struct unit u;
    bool fits = true;
    if (cols <= 0) return 0;
    while (next_unit(p, n, &i, &u)) {
        width += u.width;
        bytes += u.len;
        if (width > cols || bytes > maxbytes) {
            fits = false;
            break;
        }
    }
    int limit_w = fits ? cols : cols - 1;
    size_t limit_b = fits ? maxbytes : (maxbytes >= 3 ? maxbytes - 3 : 0);
    i = 0, bytes = 0, width = 0;
    while (next_unit(p, n, &i, &u)) {
        if (width + u.width > limit_w || bytes + u.len > limit_b) break;
        sb_addn(sb, u.bytes, u.len);
        width += u.width;
        bytes += u.len;
    }
    if (!fits && maxbytes >= 3) {
        sb_addn(sb, ell, 3);
        width++;
    }
    return width;
}

int od_fit_to(struct strbuf *sb, const char *s, int cols)
{
    return fit_core(sb, s, cols, SIZE_MAX);
}

int od_fit(const char *s, int cols, char *out, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    int w;
    if (n == 0) return 0;
    w = fit_core(&sb, s, cols, n - 1);
    memcpy(out, sb_str(&sb), sb.len + 1);
    sb_release(&sb);
    return w;
}

static void add_spaces(struct strbuf *sb, int count)
{
    for (int k = 0; k < count; k++)
        sb_addch(sb, ' ');
}

void od_pad_right(struct strbuf *sb, const char *s, int cols)
{
    add_spaces(sb, cols - od_fit_to(sb, s, cols));
}

void od_pad_left(struct strbuf *sb, const char *s, int cols)
{
    struct strbuf tmp = STRBUF_INIT;
    add_spaces(sb, cols - od_fit_to(&tmp, s, cols));
    sb_add(sb, sb_str(&tmp));
    sb_release(&tmp);
}

void od_pad_cell(struct strbuf *sb, const char *untrusted, int cols, bool right)
{
    char *clean = od_sanitize(untrusted);
    (right ? od_pad_left : od_pad_right)(sb, clean, cols);
    free(clean);
}

/* What a terminal must not get raw from a machine format: C0, DEL, C1, bidi controls. */
static bool tty_unsafe(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           od_char_dropped(cp); /* zero-width and format characters: shown escaped too */
}

void od_tty_escape(struct strbuf *sb, const char *s, size_t n, bool json)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes [run, i) are plain: copied in one go */
    while (i < n) {
        uint32_t cp;
        size_t k = p[i] < 0x20 || p[i] >= 0x7F ? od_utf8_decode(p + i, n - i, &cp) : 1;
        bool invalid = k == 1 && p[i] >= 0x80; /* od_utf8_decode gave U+FFFD for one byte */
        if (k == 1 && !invalid) cp = p[i];
        if (!invalid && !tty_unsafe(cp)) {
            i += k;
            continue;
        }
        sb_addn(sb, s + run, i - run);
        if (invalid || (cp < 0x80 && !json))
            sb_addf(sb, "\\x%02x", p[i]);
        else
            sb_addf(sb, "\\u%04x", (unsigned)cp);
        i += k;
        run = i;
    }
    sb_addn(sb, s + run, n - run);
}

/* "-12.50", "3", "+1.5": an optional sign, digits, optionally '.' and digits. */
static bool plain_number(const char *s)
{
    if (*s == '-' || *s == '+') s++;
    const char *d = s;
    while (*s >= '0' && *s <= '9')
        s++;
    if (s == d) return false;
    if (*s == '.') {
        d = ++s;
        while (*s >= '0' && *s <= '9')
            s++;
        if (s == d) return false;
    }
    return *s == '\0';
}

void od_csv_field(struct strbuf *sb, const char *s, unsigned opts)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0) return;
    bool guard = (opts & OD_CSV_GUARD) && strchr("=+-@\t\r", s[0]) &&
                 !((opts & OD_CSV_NUMERIC) && plain_number(s));
    struct strbuf tmp = STRBUF_INIT;
    if (guard || (opts & OD_CSV_TTY)) {
        if (guard) sb_addch(&tmp, '\'');
        if (opts & OD_CSV_TTY)
            od_tty_escape(&tmp, s, n, false);
        else
            sb_addn(&tmp, s, n);
        s = sb_str(&tmp);
        n = tmp.len;
    }
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && s[n - 1] != ' ') {
        sb_addn(sb, s, n);
    } else {
        sb_addch(sb, '"');
        for (const char *c = s; *c; c++) {
            if (*c == '"') sb_addch(sb, '"');
            sb_addch(sb, *c);
        }
        sb_addch(sb, '"');
    }
    sb_release(&tmp);
}
