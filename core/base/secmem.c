/* secmem — sodium_malloc'd strings for secrets. See secmem.h. */
#include "core/base/secmem.h"
#include "core/base/util.h"
#include <sodium.h>
#include <string.h>

char *od_secret_alloc(size_t n)
{
    if (sodium_init() < 0) od_die("libsodium failed to initialise");
    /* sodium_malloc puts the block at the end of a page, so its alignment is that of the
     * size: round up to 16 so structs can live here too. */
    size_t size = (n + 1 + 15) & ~(size_t)15;
    char *p = sodium_malloc(size);
    if (!p) od_die("out of locked memory (%zu bytes); raise RLIMIT_MEMLOCK", size);
    memset(p, 0, size);
    return p;
}

char *od_secret_strndup(const char *s, size_t n)
{
    char *p = od_secret_alloc(n);
    memcpy(p, s, n);
    return p;
}

char *od_secret_strdup(const char *s)
{
    return od_secret_strndup(s, strlen(s));
}

void od_secret_free(void *p)
{
    if (p) sodium_free(p);
}
