/* fuzz_common — shared checks for the libFuzzer harnesses: an invariant that fails aborts
 * with a message, so libFuzzer records the input as a crash.
 *
 * Each harness names what tests/fuzz/run.sh links it with, in comment lines of its own:
 *   FUZZ_SOURCES: core/x.c ...   the core objects it needs (never curses; gen/embedded.c is
 *                                generated from the themes/ files)
 *   FUZZ_PKGS: libsodium ...     pkg-config packages
 *   FUZZ_DICT: json.dict         a libFuzzer dictionary in tests/fuzz/ */
#ifndef OD_FUZZ_COMMON_H
#define OD_FUZZ_COMMON_H
#include "core/base/sanitize.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* True when s is valid UTF-8 and holds no C0/DEL/C1 control, no bidi control and no
 * zero-width format character (ZWSP/ZWNJ/ZWJ, word joiner, BOM, variation selectors). */
static inline int fuzz_terminal_safe(const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = od_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (cp == 0xFFFD && len == 1) return 0;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
            (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
            (cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
            (cp >= 0xFE00 && cp <= 0xFE0F))
            return 0;
        i += len;
    }
    return 1;
}

/* True when n bytes of s are valid UTF-8 (what PostgreSQL accepts in a text value). */
static inline int fuzz_valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = od_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (cp == 0xFFFD && len == 1) return 0;
        if (cp == 0) return 0;
        i += len;
    }
    return 1;
}

/* A NUL-terminated copy of the fuzzer's bytes (caller frees). */
static inline char *fuzz_cstr(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
