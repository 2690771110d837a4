/* password — Argon2id password hashes (libsodium crypto_pwhash_str) and reading a password
 * from the person at the keyboard.
 *
 *   char hash[OD_PASSWORD_HASH_MAX];
 *   if (od_password_hash(pw, hash) != 0) ... od_err()
 *   od_password_verify(hash, pw) == 0            // match
 *   od_password_needs_rehash(hash) == 1          // rehash after a successful login
 *
 *   char *pw = od_password_read("Password: ");   // sodium_malloc'd; NULL + od_err()
 *   ... od_secret_free(pw);                      // wipes and frees (core/base/secmem.h)
 *
 * Parameters default to libsodium's INTERACTIVE limits; tests lower them with
 * od_password_set_limits(). Unknown users cost the same as known ones: the dummy hash for the
 * default limits is a constant, and one for other limits is made when they are set. Passwords
 * longer than OD_PASSWORD_MAX bytes are refused with a clear message (never silently truncated).
 * Reading: with a terminal on stdin, the prompt goes to stderr and echo is off; otherwise one line
 * is read from stdin (for scripts). Input is read byte by byte so no copy is left in stdio buffers
 * and a second line is left for the next read. Plaintext only ever sits in sodium_malloc'd (locked,
 * guarded) memory. */
#ifndef OD_PASSWORD_H
#define OD_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>

#define OD_PASSWORD_MAX 1024
#define OD_PASSWORD_MIN 8
#define OD_PASSWORD_HASH_MAX 128 /* >= crypto_pwhash_STRBYTES */

/* ops/mem = 0 restores the defaults. Not thread-safe: call before threads start. */
void od_password_set_limits(unsigned long long opslimit, size_t memlimit);

/* Policy for a new password: OD_PASSWORD_MIN characters .. OD_PASSWORD_MAX bytes. */
int od_password_check_policy(const char *pw);
int od_password_hash(const char *pw, char out[OD_PASSWORD_HASH_MAX]);
/* 0 when pw matches hash; -1 otherwise (mismatch, malformed hash, too long). */
int od_password_verify(const char *hash, const char *pw);
/* Make ready the dummy hash that od_password_verify_dummy checks against (free with the default
 * limits: a constant); call it where a login path starts, so that no login pays for it.
 * -1 + od_err() when it cannot be made (out of memory). Thread-safe. */
int od_password_prepare(void);
/* The same work as a verify against an existing user (one Argon2id verification with the
 * current limits), for unknown users; always -1. */
int od_password_verify_dummy(const char *pw);
/* 1 when hash was made with other parameters, 0 when current, -1 malformed. */
int od_password_needs_rehash(const char *hash);

/* Read one password (see above). NULL + od_seterr on EOF, error or over-long input. */
char *od_password_read(const char *prompt);
/* The same for any secret line of at most max bytes (tokens, a pasted redirect URL); echo
 * chooses whether a terminal shows what is typed. */
char *od_secret_prompt(const char *prompt, size_t max, bool echo);
/* Read a new password twice and compare; checks the policy. */
char *od_password_read_new(const char *prompt, const char *again_prompt);

#endif
