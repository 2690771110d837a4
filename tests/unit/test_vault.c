/* test_vault — sealing round trip, tamper/AD/key-id checks, rotation, key file refusal. */
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char dir[] = "/tmp/od-vault-XXXXXX";

static char *key_path(const char *name)
{
    return od_xasprintf("%s/%s", dir, name);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static struct od_vault *fresh_vault(const char *name)
{
    char *p = key_path(name);
    unlink(p);
    assert_int_equal(od_vault_keygen(p), 0);
    struct od_vault *v = od_vault_open(p);
    assert_non_null(v);
    free(p);
    return v;
}

static void test_keygen_makes_0600_file_and_refuses_overwrite(void **state)
{
    char *p = key_path("gen.key");
    struct stat st;
    unlink(p);
    assert_int_equal(od_vault_keygen(p), 0);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(od_vault_keygen(p), -1);
    assert_non_null(strstr(od_err(), "--rotate"));
    free(p);
}

static void test_round_trip(void **state)
{
    struct od_vault *v = fresh_vault("rt.key");
    const char *secret = "pat-na1-11111111-2222";
    unsigned char *blob, *pt;
    size_t blen, plen;
    assert_int_equal(od_vault_seal(v, "credentials|hubspot|private_app",
                                   (const unsigned char *)secret, strlen(secret), &blob, &blen),
                     0);
    assert_int_equal(blen, OD_VAULT_HEADER + strlen(secret) + OD_VAULT_TAG);
    assert_int_equal(blob[0], OD_VAULT_VERSION);
    assert_null(memmem(blob, blen, secret, strlen(secret)));
    assert_int_equal(od_vault_unseal(v, "credentials|hubspot|private_app", blob, blen, &pt, &plen),
                     0);
    assert_int_equal(plen, strlen(secret));
    assert_string_equal((char *)pt, secret);
    od_secret_free(pt);
    free(blob);
    od_vault_close(v);
}

static void test_tamper_wrong_ad_wrong_key_id(void **state)
{
    struct od_vault *v = fresh_vault("tamper.key");
    unsigned char *blob, *pt = NULL;
    size_t blen, plen;
    assert_int_equal(od_vault_seal(v, "credentials|harvest|token", (const unsigned char *)"tok", 3,
                                   &blob, &blen),
                     0);
    /* moved to another row */
    assert_int_equal(od_vault_unseal(v, "credentials|hubspot|token", blob, blen, &pt, &plen), -1);
    assert_non_null(strstr(od_err(), "failed to verify"));
    assert_null(pt);
    /* one flipped ciphertext bit */
    blob[blen - 1] ^= 1;
    assert_int_equal(od_vault_unseal(v, "credentials|harvest|token", blob, blen, &pt, &plen), -1);
    blob[blen - 1] ^= 1;
    /* relabelled key id: unknown key */
    blob[4] = 9;
    assert_int_equal(od_vault_unseal(v, "credentials|harvest|token", blob, blen, &pt, &plen), -1);
    assert_non_null(strstr(od_err(), "key id 9"));
    blob[4] = 1;
    /* bad version, truncated */
    blob[0] = 2;
    assert_int_equal(od_vault_unseal(v, "credentials|harvest|token", blob, blen, &pt, &plen), -1);
    blob[0] = 1;
    assert_int_equal(
        od_vault_unseal(v, "credentials|harvest|token", blob, OD_VAULT_HEADER, &pt, &plen), -1);
    assert_int_equal(od_vault_unseal(v, "credentials|harvest|token", blob, blen, &pt, &plen), 0);
    od_secret_free(pt);
    free(blob);
    od_vault_close(v);
}

static void test_rotation_keeps_old_blobs_readable(void **state)
{
    char *p = key_path("rot.key");
    unlink(p);
    assert_int_equal(od_vault_keygen(p), 0);
    struct od_vault *v1 = od_vault_open(p);
    unsigned char *blob, *pt, *blob2;
    size_t blen, plen, blen2;
    uint32_t id = 0, new_id = 0;
    assert_int_equal(od_vault_seal(v1, "ctx", (const unsigned char *)"old", 3, &blob, &blen), 0);
    od_vault_close(v1);
    assert_int_equal(od_vault_rotate_file(p, &new_id), 0);
    assert_int_equal(new_id, 2);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    struct od_vault *v2 = od_vault_open(p);
    assert_non_null(v2);
    assert_int_equal(od_vault_key_count(v2), 2);
    assert_int_equal(od_vault_current_id(v2), 2);
    assert_int_equal(od_vault_unseal(v2, "ctx", blob, blen, &pt, &plen), 0);
    assert_string_equal((char *)pt, "old");
    assert_int_equal(od_vault_seal(v2, "ctx", pt, plen, &blob2, &blen2), 0);
    assert_int_equal(od_vault_blob_key_id(blob2, blen2, &id), 0);
    assert_int_equal(id, 2);
    od_secret_free(pt);
    free(blob);
    free(blob2);
    od_vault_close(v2);
    free(p);
}

static void test_refuses_world_readable_file(void **state)
{
    char *p = key_path("open.key");
    unlink(p);
    assert_int_equal(od_vault_keygen(p), 0);
    assert_int_equal(chmod(p, 0644), 0);
    assert_null(od_vault_open(p));
    char want[512];
    snprintf(want, sizeof want,
             "refusing key file %s: mode 0644 lets group or others access it (allowed: 0600 or "
             "0400); run: chmod 600 %s",
             p, p);
    assert_string_equal(od_err(), want);
    assert_int_equal(chmod(p, 0640), 0);
    assert_null(od_vault_open(p));
    assert_int_equal(chmod(p, 0400), 0);
    struct od_vault *v = od_vault_open(p);
    assert_non_null(v);
    od_vault_close(v);
    free(p);
}

static void test_refuses_malformed_files(void **state)
{
    static const char *const bad[] = {
        "",
        "# only a comment\n",
        "1 abcd\n",
        "0 "
        "0000000000000000000000000000000000000000000000000000000000000000\n",
        "x 0000000000000000000000000000000000000000000000000000000000000000\n",
        "2 0000000000000000000000000000000000000000000000000000000000000000\n"
        "1 0000000000000000000000000000000000000000000000000000000000000000\n",
        "1 zz00000000000000000000000000000000000000000000000000000000000000\n",
        "1 0000000000000000000000000000000000000000000000000000000000000000 trailing\n",
    };
    char *p = key_path("bad.key");
    for (size_t i = 0; i < OD_ARRAY_LEN(bad); i++) {
        unlink(p);
        write_file(p, bad[i], 0600);
        assert_null(od_vault_open(p));
    }
    unlink(p);
    write_file(p, "# c\n\n  7 000000000000000000000000000000000000000000000000000000000000000a\n",
               0600);
    struct od_vault *v = od_vault_open(p);
    assert_non_null(v);
    assert_int_equal(od_vault_current_id(v), 7);
    od_vault_close(v);
    assert_null(od_vault_open("/nonexistent/opsdeck.key"));
    assert_non_null(strstr(od_err(), "opsdeck keygen"));
    free(p);
}

static int setup(void **state)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char *cmd = od_xasprintf("rm -rf %s", dir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygen_makes_0600_file_and_refuses_overwrite),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tamper_wrong_ad_wrong_key_id),
        cmocka_unit_test(test_rotation_keeps_old_blobs_readable),
        cmocka_unit_test(test_refuses_world_readable_file),
        cmocka_unit_test(test_refuses_malformed_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
