/* vault — key file loading and checking, AEAD sealing of secrets, key rotation of the file.
 * See vault.h for the file and blob formats. */
#include "core/security/vault.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MAX 65536
#define KDF_TOKEN_ID 1
#define KDF_SESSION_ID 3
#define KDF_BACKUP_ID 4

struct vkey {
    uint32_t id;
    unsigned char master[crypto_kdf_KEYBYTES];
    unsigned char enc[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
};

struct od_vault {
    struct vkey *keys; /* sodium_malloc'd, read-only after load */
    int n;
};

static const char header_comment[] =
    "# opsdeck master keys: \"KEY_ID HEX\" per line; the last line is the current key.\n"
    "# Keep this file mode 0600 (or 0400), owned by the opsdeck service account. Never share it.\n";

static int check_file(int fd, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return od_seterr("cannot check key file %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return od_seterr("refusing key file %s: it is not a regular file", path);
    if (st.st_uid != geteuid())
        return od_seterr("refusing key file %s: it is owned by uid %u, not by the user running "
                         "opsdeck (uid %u); run: chown %u %s",
                         path, (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(), path);
    unsigned mode = st.st_mode & 07777;
    if (mode & 077)
        return od_seterr("refusing key file %s: mode %04o lets group or others access it "
                         "(allowed: 0600 or 0400); run: chmod 600 %s",
                         path, mode, path);
    if (mode != 0600 && mode != 0400)
        return od_seterr("refusing key file %s: mode %04o (allowed: 0600 or 0400); "
                         "run: chmod 600 %s",
                         path, mode, path);
    if (st.st_size > KEY_FILE_MAX)
        return od_seterr("refusing key file %s: larger than %d bytes", path, KEY_FILE_MAX);
    return 0;
}

/* Parse "ID HEX" lines from text into keys; returns the count or -1. */
static int parse_keys(const char *text, size_t len, struct vkey *keys, const char *path)
{
    int n = 0, lineno = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        size_t j = i;
        while (j < end && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
            j++;
        if (j < end && text[j] != '#') {
            uint64_t id = 0;
            size_t d = j;
            while (j < end && text[j] >= '0' && text[j] <= '9' && id <= UINT32_MAX)
                id = id * 10 + (uint64_t)(text[j++] - '0');
            size_t hexat = j;
            while (hexat < end && (text[hexat] == ' ' || text[hexat] == '\t'))
                hexat++;
            size_t hexend = hexat;
            while (hexend < end && text[hexend] != ' ' && text[hexend] != '\t' &&
                   text[hexend] != '\r')
                hexend++;
            size_t tail = hexend;
            while (tail < end && (text[tail] == ' ' || text[tail] == '\t' || text[tail] == '\r'))
                tail++;
            size_t binlen = 0;
            if (j == d || hexat == j || id == 0 || id > UINT32_MAX || tail != end ||
                hexend - hexat != 2 * crypto_kdf_KEYBYTES)
                return od_seterr("key file %s line %d: expected \"KEY_ID HEX\" with a key id "
                                 "1..4294967295 and 64 hex digits",
                                 path, lineno);
            if (n == OD_VAULT_MAX_KEYS)
                return od_seterr("key file %s: more than %d keys", path, OD_VAULT_MAX_KEYS);
            if (n > 0 && id <= keys[n - 1].id)
                return od_seterr("key file %s line %d: key ids must increase (%llu after %u)", path,
                                 lineno, (unsigned long long)id, keys[n - 1].id);
            if (sodium_hex2bin(keys[n].master, sizeof keys[n].master, text + hexat, hexend - hexat,
                               NULL, &binlen, NULL) != 0 ||
                binlen != sizeof keys[n].master)
                return od_seterr("key file %s line %d: the key is not 64 hex digits", path, lineno);
            keys[n].id = (uint32_t)id;
            crypto_kdf_derive_from_key(keys[n].enc, sizeof keys[n].enc, KDF_TOKEN_ID, "tokenenc",
                                       keys[n].master);
            n++;
        }
        i = end + 1;
    }
    if (n == 0) return od_seterr("key file %s holds no key; create one with: opsdeck keygen", path);
    return n;
}

struct od_vault *od_vault_open(const char *path)
{
    if (!path || !*path) {
        od_seterr("no key file configured: set secrets.key_file (or OPSDECK_SECRETS_KEY_FILE) "
                  "and create it with: opsdeck keygen");
        return NULL;
    }
    if (sodium_init() < 0) {
        od_seterr("libsodium failed to initialise");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        od_seterr("cannot open key file %s: %s%s", path, strerror(errno),
                  errno == ENOENT ? " (create it with: opsdeck keygen)" : "");
        return NULL;
    }
    if (check_file(fd, path) != 0) {
        close(fd);
        return NULL;
    }
    char *text = od_secret_alloc(KEY_FILE_MAX);
    struct vkey *keys = (struct vkey *)od_secret_alloc(sizeof(struct vkey) * OD_VAULT_MAX_KEYS);
    size_t len = 0;
    ssize_t r = 0;
    while (len < KEY_FILE_MAX && (r = read(fd, text + len, KEY_FILE_MAX - len)) != 0) {
        if (r < 0 && errno != EINTR) break;
        if (r > 0) len += (size_t)r;
    }
    close(fd);
    int n = r < 0 ? od_seterr("cannot read key file %s: %s", path, strerror(errno))
                  : parse_keys(text, len, keys, path);
    od_secret_free(text);
    if (n < 0) {
        od_secret_free(keys);
        return NULL;
    }
    sodium_mprotect_readonly(keys);
    struct od_vault *v = od_xcalloc(1, sizeof *v);
    v->keys = keys;
    v->n = n;
    return v;
}

void od_vault_close(struct od_vault *v)
{
    if (!v) return;
    od_secret_free(v->keys); /* zeroes before unmapping */
    free(v);
}

uint32_t od_vault_current_id(const struct od_vault *v)
{
    return v->keys[v->n - 1].id;
}

int od_vault_key_count(const struct od_vault *v)
{
    return v->n;
}

static const struct vkey *find_key(const struct od_vault *v, uint32_t id)
{
    for (int i = 0; i < v->n; i++)
        if (v->keys[i].id == id) return &v->keys[i];
    return NULL;
}

static char *make_ad(const char *context, uint32_t id)
{
    return od_xasprintf("%s|%u", context ? context : "", id);
}

int od_vault_seal(const struct od_vault *v, const char *context, const unsigned char *pt,
                  size_t ptlen, unsigned char **blob, size_t *bloblen)
{
    const struct vkey *k = &v->keys[v->n - 1];
    if (ptlen > OD_VAULT_MAX_PLAINTEXT)
        return od_seterr("secret too large to store (%zu bytes; limit %d)", ptlen,
                         OD_VAULT_MAX_PLAINTEXT);
    size_t n = OD_VAULT_HEADER + ptlen + OD_VAULT_TAG;
    unsigned char *b = od_xmalloc(n);
    b[0] = OD_VAULT_VERSION;
    b[1] = (unsigned char)(k->id >> 24);
    b[2] = (unsigned char)(k->id >> 16);
    b[3] = (unsigned char)(k->id >> 8);
    b[4] = (unsigned char)k->id;
    randombytes_buf(b + 5, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    char *ad = make_ad(context, k->id);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + OD_VAULT_HEADER, &clen, pt, ptlen,
                                               (const unsigned char *)ad, strlen(ad), NULL, b + 5,
                                               k->enc);
    free(ad);
    if (clen != ptlen + OD_VAULT_TAG) od_die("vault: unexpected ciphertext length");
    *blob = b;
    *bloblen = n;
    return 0;
}

int od_vault_blob_key_id(const unsigned char *blob, size_t bloblen, uint32_t *key_id)
{
    if (!blob || bloblen < OD_VAULT_HEADER + OD_VAULT_TAG)
        return od_seterr("stored secret is truncated (%zu bytes)", bloblen);
    if (blob[0] != OD_VAULT_VERSION)
        return od_seterr("stored secret has unknown format version %u", blob[0]);
    if (bloblen - OD_VAULT_HEADER - OD_VAULT_TAG > OD_VAULT_MAX_PLAINTEXT)
        return od_seterr("stored secret is too large (%zu bytes)", bloblen);
    *key_id = (uint32_t)blob[1] << 24 | (uint32_t)blob[2] << 16 | (uint32_t)blob[3] << 8 |
              (uint32_t)blob[4];
    return 0;
}

int od_vault_unseal(const struct od_vault *v, const char *context, const unsigned char *blob,
                    size_t bloblen, unsigned char **pt, size_t *ptlen)
{
    uint32_t id;
    *pt = NULL;
    *ptlen = 0;
    if (od_vault_blob_key_id(blob, bloblen, &id) != 0) return -1;
    const struct vkey *k = find_key(v, id);
    if (!k)
        return od_seterr("stored secret was sealed with key id %u, which the key file does not "
                         "hold (restore that key line, or store the secret again)",
                         id);
    size_t n = bloblen - OD_VAULT_HEADER - OD_VAULT_TAG;
    unsigned char *out = (unsigned char *)od_secret_alloc(n);
    char *ad = make_ad(context, id);
    unsigned long long mlen = 0;
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        out, &mlen, NULL, blob + OD_VAULT_HEADER, bloblen - OD_VAULT_HEADER,
        (const unsigned char *)ad, strlen(ad), blob + 5, k->enc);
    free(ad);
    if (rc != 0) {
        od_secret_free(out);
        return od_seterr("stored secret failed to verify (tampered, moved from another row, or "
                         "a different key file with the same key id)");
    }
    out[mlen] = '\0';
    *pt = out;
    *ptlen = (size_t)mlen;
    return 0;
}

int od_vault_session_key(const struct od_vault *v, unsigned char out[32])
{
    return crypto_kdf_derive_from_key(out, 32, KDF_SESSION_ID, "sesshash",
                                      v->keys[v->n - 1].master);
}

int od_vault_backup_key(const struct od_vault *v, uint32_t key_id, unsigned char out[32])
{
    const struct vkey *k = find_key(v, key_id);
    if (!k)
        return od_seterr("the key file holds no key with id %u (the backup was authenticated "
                         "with it)",
                         key_id);
    return crypto_kdf_derive_from_key(out, 32, KDF_BACKUP_ID, "backupmc", k->master);
}

/* Write n bytes fully; -1 on error. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Key file text for keys (+ one new random key when new_id != 0), in locked memory. */
static char *key_text(const struct vkey *keys, int n, uint32_t new_id, size_t *len)
{
    size_t cap = sizeof header_comment + (size_t)(n + 1) * (12 + 2 * 32 + 2);
    char *t = od_secret_alloc(cap);
    unsigned char fresh[32];
    char hex[65];
    size_t o = (size_t)snprintf(t, cap, "%s", header_comment);
    for (int i = 0; i <= n; i++) {
        const unsigned char *k = fresh;
        uint32_t id = new_id;
        if (i < n) {
            k = keys[i].master;
            id = keys[i].id;
        } else if (new_id == 0) {
            break;
        } else {
            randombytes_buf(fresh, sizeof fresh);
        }
        sodium_bin2hex(hex, sizeof hex, k, 32);
        o += (size_t)snprintf(t + o, cap - o, "%u %s\n", id, hex);
    }
    sodium_memzero(fresh, sizeof fresh);
    sodium_memzero(hex, sizeof hex);
    *len = o;
    return t;
}

int od_vault_keygen(const char *path)
{
    if (sodium_init() < 0) return od_seterr("libsodium failed to initialise");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return od_seterr("cannot create key file %s: %s%s", path, strerror(errno),
                         errno == EEXIST ? " (to add a key use: opsdeck keygen --rotate)" : "");
    size_t len;
    char *t = key_text(NULL, 0, 1, &len);
    int rc = (fchmod(fd, 0600) == 0 && write_all(fd, t, len) == 0 && fsync(fd) == 0) ? 0 : -1;
    if (rc != 0) od_seterr("cannot write key file %s: %s", path, strerror(errno));
    od_secret_free(t);
    if (close(fd) != 0 && rc == 0)
        rc = od_seterr("cannot write key file %s: %s", path, strerror(errno));
    if (rc != 0) unlink(path);
    return rc;
}

int od_vault_rotate_file(const char *path, uint32_t *new_id)
{
    struct od_vault *v = od_vault_open(path);
    struct stat st;
    if (!v) return -1;
    if (v->n == OD_VAULT_MAX_KEYS || od_vault_current_id(v) == UINT32_MAX) {
        od_vault_close(v);
        return od_seterr("key file %s is full; remove retired keys first", path);
    }
    uint32_t id = od_vault_current_id(v) + 1;
    size_t len;
    char *t = key_text(v->keys, v->n, id, &len);
    od_vault_close(v);
    char *tmp = od_xasprintf("%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp), rc = -1;
    if (fd < 0) {
        od_seterr("cannot create a temporary file next to %s: %s", path, strerror(errno));
    } else {
        bool ok = stat(path, &st) == 0 && write_all(fd, t, len) == 0 && fsync(fd) == 0 &&
                  fchmod(fd, st.st_mode & 0600) == 0;
        ok = (close(fd) == 0) && ok;
        if (!ok || rename(tmp, path) != 0) {
            od_seterr("cannot replace key file %s: %s", path, strerror(errno));
            unlink(tmp);
        } else {
            rc = 0;
            *new_id = id;
        }
    }
    od_secret_free(t);
    free(tmp);
    return rc;
}
