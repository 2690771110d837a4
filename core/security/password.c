/* password — Argon2id hashing, verification, dummy verification and echo-off reading.
 * See password.h. */
#include "core/security/password.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static unsigned long long ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t mem_limit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

/* A hash of 32 random bytes that were thrown away, made with libsodium's INTERACTIVE limits (the
 * defaults): unknown users are verified against it at the cost of a real hash, with nothing to
 * compute first. Other limits (tests) get their own dummy when they are set. */
static const char default_dummy[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$ngB98SncdSoJjiCp47cs5A$"
    "U6rvt52f4l3UWmYoOu86a22NNVp953+ChoWWQeRL0tg";
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[OD_PASSWORD_HASH_MAX];

static void make_dummy(void)
{
    _Static_assert(sizeof default_dummy <= sizeof dummy_hash, "dummy hash buffer");
    if (crypto_pwhash_str_needs_rehash(default_dummy, ops_limit, mem_limit) == 0) {
        memcpy(dummy_hash, default_dummy, sizeof default_dummy);
        return;
    }
    unsigned char junk[32];
    randombytes_buf(junk, sizeof junk);
    if (crypto_pwhash_str(dummy_hash, (const char *)junk, sizeof junk, ops_limit, mem_limit) != 0)
        dummy_hash[0] = '\0';
    sodium_memzero(junk, sizeof junk);
}

void od_password_set_limits(unsigned long long opslimit, size_t memlimit)
{
    ops_limit = opslimit ? opslimit : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    mem_limit = memlimit ? memlimit : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    make_dummy(); /* now, not inside the first unknown-user login */
}

int od_password_prepare(void)
{
    pthread_once(&dummy_once, make_dummy);
    if (!dummy_hash[0])
        return od_seterr("cannot prepare password checks: out of memory (Argon2id needs %zu MiB)",
                         mem_limit >> 20);
    return 0;
}

int od_password_check_policy(const char *pw)
{
    size_t n = strlen(pw), chars = 0;
    if (n > OD_PASSWORD_MAX)
        return od_seterr("Password is too long (more than %d bytes).", OD_PASSWORD_MAX);
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)pw[i] & 0xC0) != 0x80;
    if (chars < OD_PASSWORD_MIN)
        return od_seterr("Password is too short (at least %d characters).", OD_PASSWORD_MIN);
    return 0;
}

int od_password_hash(const char *pw, char out[OD_PASSWORD_HASH_MAX])
{
    _Static_assert(OD_PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer");
    size_t n = strlen(pw);
    if (n > OD_PASSWORD_MAX)
        return od_seterr("Password is too long (more than %d bytes).", OD_PASSWORD_MAX);
    if (crypto_pwhash_str(out, pw, n, ops_limit, mem_limit) != 0)
        return od_seterr("cannot hash the password: out of memory (Argon2id needs %zu MiB)",
                         mem_limit >> 20);
    return 0;
}

int od_password_verify(const char *hash, const char *pw)
{
    size_t n = strlen(pw);
    if (!hash || n > OD_PASSWORD_MAX) return od_password_verify_dummy(pw);
    return crypto_pwhash_str_verify(hash, pw, n) == 0 ? 0 : -1;
}

int od_password_verify_dummy(const char *pw)
{
    size_t n = strlen(pw);
    if (od_password_prepare() == 0 &&
        crypto_pwhash_str_verify(dummy_hash, pw, n > OD_PASSWORD_MAX ? 0 : n) == 0)
        return -1; /* nobody knows the dummy's password; the work is what counts */
    return -1;
}

int od_password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, ops_limit, mem_limit);
}

/* Read a line from fd into a sodium buffer; refuses more than max bytes. */
static char *read_line(int fd, size_t max)
{
    char *buf = od_secret_alloc(max);
    size_t n = 0;
    int too_long = 0, got = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got = 1;
        if (c == '\n') break;
        if (n == max)
            too_long = 1;
        else
            buf[n++] = c;
    }
    if (n > 0 && buf[n - 1] == '\r') n--;
    buf[n] = '\0';
    if (!got || too_long) {
        od_secret_free(buf);
        if (too_long && max == OD_PASSWORD_MAX)
            od_seterr("Password is too long (more than %d bytes).", OD_PASSWORD_MAX);
        else if (too_long)
            od_seterr("the input is too long (more than %zu bytes)", max);
        else
            od_seterr("nothing was entered (end of input)");
        return NULL;
    }
    return buf;
}

char *od_password_read(const char *prompt)
{
    return od_secret_prompt(prompt, OD_PASSWORD_MAX, false);
}

char *od_secret_prompt(const char *prompt, size_t max, bool echo)
{
    struct termios old, quiet;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old) != 0)
        return read_line(STDIN_FILENO, max);
    /* Echo off; block the signals that would leave the terminal without echo. */
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTSTP);
    sigaddset(&block, SIGQUIT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &saved);
    quiet = old;
    if (!echo) quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    quiet.c_lflag |= ICANON | ISIG;
    fputs(prompt, stderr);
    fflush(stderr);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    char *pw = read_line(STDIN_FILENO, max);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!echo) fputc('\n', stderr);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return pw;
}

char *od_password_read_new(const char *prompt, const char *again_prompt)
{
    char *a = od_password_read(prompt);
    if (!a) return NULL;
    if (od_password_check_policy(a) != 0) {
        od_secret_free(a);
        return NULL;
    }
    bool piped = !isatty(STDIN_FILENO);
    char *b = od_password_read(again_prompt);
    if (!b && piped)
        return a; /* from a pipe or file one line is enough; a second line must match */
    if (!b) {
        od_secret_free(a);
        return NULL;
    }
    size_t la = strlen(a), lb = strlen(b);
    int same = la == lb && sodium_memcmp(a, b, la) == 0;
    od_secret_free(b);
    if (!same) {
        od_secret_free(a);
        od_seterr("The two passwords do not match.");
        return NULL;
    }
    return a;
}
