/* test_password — Argon2id hash/verify, rehash detection, length policy, reading from a
 * non-terminal stdin. Uses small limits so the suite stays fast. */
#include "core/security/password.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define FAST_OPS 1
#define FAST_MEM (8u << 20)

static void test_hash_and_verify(void **state)
{
    char hash[OD_PASSWORD_HASH_MAX];
    assert_int_equal(od_password_hash("correct horse battery", hash), 0);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_null(strstr(hash, "correct horse"));
    assert_int_equal(od_password_verify(hash, "correct horse battery"), 0);
    assert_int_equal(od_password_verify(hash, "correct horse batterY"), -1);
    assert_int_equal(od_password_verify(hash, ""), -1);
    assert_int_equal(od_password_verify("not a hash", "x"), -1);
    assert_int_equal(od_password_verify_dummy("anything"), -1);
}

static void test_rehash_when_limits_change(void **state)
{
    char hash[OD_PASSWORD_HASH_MAX];
    assert_int_equal(od_password_hash("password-one", hash), 0);
    assert_int_equal(od_password_needs_rehash(hash), 0);
    od_password_set_limits(FAST_OPS + 1, FAST_MEM);
    assert_int_equal(od_password_needs_rehash(hash), 1);
    assert_int_equal(od_password_verify(hash, "password-one"), 0); /* old hash still verifies */
    od_password_set_limits(FAST_OPS, FAST_MEM);
    assert_int_equal(od_password_needs_rehash(hash), 0);
    assert_int_equal(od_password_needs_rehash("garbage"), -1);
}

static void test_length_policy(void **state)
{
    char *big = od_xmalloc(OD_PASSWORD_MAX + 2);
    char hash[OD_PASSWORD_HASH_MAX];
    memset(big, 'a', OD_PASSWORD_MAX + 1);
    big[OD_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(od_password_check_policy(big), -1);
    assert_string_equal(od_err(), "Password is too long (more than 1024 bytes).");
    assert_int_equal(od_password_hash(big, hash), -1);
    assert_int_equal(od_password_verify("$argon2id$whatever", big), -1);
    big[OD_PASSWORD_MAX] = '\0';
    assert_int_equal(od_password_check_policy(big), 0);
    assert_int_equal(od_password_check_policy("short"), -1);
    assert_string_equal(od_err(), "Password is too short (at least 8 characters).");
    assert_int_equal(od_password_check_policy("ünïcödé!"), 0); /* 8 characters, more bytes */
    free(big);
}

/* Replace stdin with a pipe holding text. */
static int saved_stdin = -1;
static void feed_stdin(const char *text)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    if (saved_stdin < 0) saved_stdin = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
}

static void test_read_from_pipe(void **state)
{
    feed_stdin("first-secret\r\nsecond-secret\n");
    char *a = od_password_read("Password: ");
    char *b = od_password_read("Password: ");
    assert_string_equal(a, "first-secret");
    assert_string_equal(b, "second-secret"); /* the second line was left for the next read */
    assert_null(od_password_read("Password: "));
    od_secret_free(a);
    od_secret_free(b);

    feed_stdin("same-password\nsame-password\n");
    char *n = od_password_read_new("New password: ", "Again: ");
    assert_non_null(n);
    assert_string_equal(n, "same-password");
    od_secret_free(n);

    feed_stdin("only-one-line\n"); /* a pipe may give the password once */
    n = od_password_read_new("New password: ", "Again: ");
    assert_non_null(n);
    assert_string_equal(n, "only-one-line");
    od_secret_free(n);

    feed_stdin("same-password\nother-password\n");
    assert_null(od_password_read_new("New password: ", "Again: "));
    assert_string_equal(od_err(), "The two passwords do not match.");

    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < OD_PASSWORD_MAX + 10; i++)
        sb_addch(&sb, 'x');
    sb_add(&sb, "\nnext\n");
    feed_stdin(sb_str(&sb));
    assert_null(od_password_read("Password: "));
    assert_string_equal(od_err(), "Password is too long (more than 1024 bytes).");
    char *next = od_password_read("Password: ");
    assert_string_equal(next, "next");
    od_secret_free(next);
    sb_release(&sb);
    dup2(saved_stdin, STDIN_FILENO);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    od_password_set_limits(FAST_OPS, FAST_MEM);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_rehash_when_limits_change),
        cmocka_unit_test(test_length_policy),
        cmocka_unit_test(test_read_from_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
