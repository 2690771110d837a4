/* util — the small things every module uses: allocation that never returns NULL,
 * a growable string buffer, a per-thread "last error" message, clocks (dates and timestamps
 * are core/base/time.h).
 *
 * Errors: functions that can fail for expected reasons return -1 (or NULL) and call
 * od_seterr("...") with a message a person can act on; callers read it with od_err().
 * Out of memory is not an expected failure: od_xmalloc() and friends call the
 * registered OOM hook (the TUI restores the terminal) and abort with a message. */
#ifndef OD_UTIL_H
#define OD_UTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define OD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define OD_PRINTF(f, a) __attribute__((format(printf, f, a)))

void *od_xmalloc(size_t n);
void *od_xcalloc(size_t n, size_t size);
void *od_xrealloc(void *p, size_t n);
char *od_xstrdup(const char *s);
char *od_xstrndup(const char *s, size_t n); /* at most n bytes, stops at NUL */
char *od_xasprintf(const char *fmt, ...) OD_PRINTF(1, 2);
_Noreturn void od_die(const char *fmt, ...) OD_PRINTF(1, 2);
/* Called before od_die() exits (e.g. to restore the terminal). */
void od_set_die_hook(void (*hook)(void));

/* Per-thread last error. od_seterr always returns -1 so `return od_seterr(...)` reads well. */
int od_seterr(const char *fmt, ...) OD_PRINTF(1, 2);
const char *od_err(void);

/* Growable NUL-terminated buffer. Zero-initialised (STRBUF_INIT) is valid and empty. */
struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
};
/* (clang-format would spread this one-line initializer macro over four lines) */
/* clang-format off */
#define STRBUF_INIT {NULL, 0, 0}
/* clang-format on */
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addch(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) OD_PRINTF(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_addi64(struct strbuf *sb, int64_t v); /* decimal, like "%lld" without printf's cost */
void sb_reset(struct strbuf *sb);
const char *sb_str(const struct strbuf *sb); /* never NULL */
char *sb_detach(struct strbuf *sb);          /* caller frees; sb becomes empty */
void sb_release(struct strbuf *sb);

/* Monotonic and wall clocks. */
int64_t od_now_ms(void);  /* CLOCK_MONOTONIC, milliseconds */
int64_t od_now_us(void);  /* CLOCK_MONOTONIC, microseconds */
int64_t od_wall_ms(void); /* CLOCK_REALTIME, milliseconds since the epoch */
void od_sleep_ms(int64_t ms);

/* Strict integer parse of the whole string; -1 with od_seterr on failure. */
int od_parse_long(const char *s, long min, long max, long *out);

/* Create dir and its missing parents, each mode 0700 (existing ones are left as they are);
 * -1 with od_seterr naming the one that could not be made. */
int od_mkdir_p(const char *dir);

/* Wipe memory in a way the compiler cannot drop. */
void od_wipe(void *p, size_t n);

#endif
