/* fuzz_vault_blob — the blob decoder under a real key file: random blobs never open (and never
 * crash); the input sealed as plaintext always opens back to itself, and not under another
 * context.
 * FUZZ_SOURCES: core/security/vault.c core/base/secmem.c core/base/sanitize.c core/base/util.c
 * FUZZ_PKGS: libsodium */
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include "tests/fuzz/fuzz_common.h"
#include <unistd.h>

static struct od_vault *vault;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[] = "/tmp/od-fuzz-vault-XXXXXX";
    int fd = mkstemp(path);
    FUZZ_CHECK(fd >= 0);
    close(fd);
    unlink(path);
    FUZZ_CHECK(od_vault_keygen(path) == 0);
    uint32_t id;
    FUZZ_CHECK(od_vault_rotate_file(path, &id) == 0 && id == 2);
    vault = od_vault_open(path);
    FUZZ_CHECK(vault != NULL);
    unlink(path);
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    unsigned char *pt = NULL, *blob = NULL, *back = NULL;
    size_t ptlen = 0, blen = 0, backlen = 0;
    uint32_t id;
    if (od_vault_blob_key_id(data, size, &id) != 0)
        FUZZ_CHECK(od_vault_unseal(vault, "credentials|hubspot|access_token", data, size, &pt,
                                   &ptlen) == -1);
    else if (od_vault_unseal(vault, "credentials|hubspot|access_token", data, size, &pt, &ptlen) ==
             0)
        abort(); /* a forgery opened */
    FUZZ_CHECK(pt == NULL);
    if (size <= OD_VAULT_MAX_PLAINTEXT) {
        FUZZ_CHECK(od_vault_seal(vault, "ctx|a", data, size, &blob, &blen) == 0);
        FUZZ_CHECK(od_vault_unseal(vault, "ctx|a", blob, blen, &back, &backlen) == 0);
        FUZZ_CHECK(backlen == size && memcmp(back, data, size) == 0 && back[size] == '\0');
        FUZZ_CHECK(od_vault_unseal(vault, "ctx|b", blob, blen, &pt, &ptlen) == -1);
        od_secret_free(back);
        free(blob);
    }
    return 0;
}
