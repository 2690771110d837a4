/* util — allocation, string buffer, last-error, clocks. See util.h. */
#include "core/base/util.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void (*die_hook)(void);
static _Thread_local char errbuf[512];

void od_set_die_hook(void (*hook)(void))
{
    die_hook = hook;
}

_Noreturn void od_die(const char *fmt, ...)
{
    va_list ap;
    if (die_hook) die_hook();
    fputs("opsdeck: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *od_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) od_die("out of memory (%zu bytes)", n);
    return p;
}

void *od_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) od_die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *od_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) od_die("out of memory (%zu bytes)", n);
    return q;
}

char *od_xstrdup(const char *s)
{
    return od_xstrndup(s, strlen(s));
}

char *od_xstrndup(const char *s, size_t n)
{
    n = strnlen(s, n); /* like strndup: stops at the first NUL */
    char *p = od_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *od_xasprintf(const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    return sb_detach(&sb);
}

int od_seterr(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(errbuf)) {
        /* cut at a UTF-8 character boundary, never inside a sequence */
        size_t len = sizeof(errbuf) - 1, lead = len;
        while (lead > 0 && ((unsigned char)errbuf[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0) {
            unsigned char c = (unsigned char)errbuf[lead - 1];
            size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (lead - 1 + need > len) errbuf[lead - 1] = '\0';
        }
    }
    return -1;
}

const char *od_err(void)
{
    return errbuf[0] ? errbuf : "unknown error";
}

void sb_grow(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap) return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    int was_empty = sb->buf == NULL;
    sb->buf = od_xrealloc(sb->buf, cap);
    sb->cap = cap;
    if (was_empty) sb->buf[0] = '\0';
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
    sb_grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void sb_add(struct strbuf *sb, const char *s)
{
    sb_addn(sb, s, strlen(s));
}

void sb_addch(struct strbuf *sb, char c)
{
    sb_addn(sb, &c, 1);
}

void sb_addi64(struct strbuf *sb, int64_t v)
{
    char tmp[24];
    int n = sizeof tmp;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        tmp[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[--n] = '-';
    sb_addn(sb, tmp + n, sizeof tmp - (size_t)n);
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) return;
    sb_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(sb, fmt, ap);
    va_end(ap);
}

void sb_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->buf) sb->buf[0] = '\0';
}

const char *sb_str(const struct strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

char *sb_detach(struct strbuf *sb)
{
    char *p = sb->buf ? sb->buf : od_xstrdup("");
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void sb_release(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t od_now_ms(void)
{
    return clock_ns(CLOCK_MONOTONIC) / 1000000LL;
}

int64_t od_now_us(void)
{
    return clock_ns(CLOCK_MONOTONIC) / 1000LL;
}

int64_t od_wall_ms(void)
{
    return clock_ns(CLOCK_REALTIME) / 1000000LL;
}

void od_sleep_ms(int64_t ms)
{
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

int od_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return od_seterr("empty value; expected a whole number from %ld to %ld", min, max);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s)
        return od_seterr("'%s' is not a whole number (expected %ld to %ld)", s, min, max);
    if (v < min || v > max)
        return od_seterr("%ld is out of range (expected %ld to %ld)", v, min, max);
    *out = v;
    return 0;
}

void od_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

int od_mkdir_p(const char *dir)
{
    char *p = od_xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0') continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = od_seterr("cannot create %s: %s", p, strerror(errno));
            break;
        }
        *s = c;
        if (!c) break;
    }
    free(p);
    return rc;
}
