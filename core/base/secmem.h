/* secmem — secrets in locked memory. Every plaintext secret the core hands out (passwords,
 * decrypted tokens, OAuth codes) is a NUL-terminated string in sodium_malloc'd memory: guarded
 * pages, mlock'd, excluded from core dumps, zeroed when freed with od_secret_free().
 * Running out of locked memory is treated like out of memory (od_die). */
#ifndef OD_SECMEM_H
#define OD_SECMEM_H
#include <stddef.h>

/* n + 1 zeroed bytes (room for a NUL). */
char *od_secret_alloc(size_t n);
/* Copy n bytes of s and a NUL. */
char *od_secret_strndup(const char *s, size_t n);
char *od_secret_strdup(const char *s);
/* Wipe and free; NULL is fine. */
void od_secret_free(void *p);

#endif
