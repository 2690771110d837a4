/* vault — secrets at rest: XChaCha20-Poly1305 (IETF) AEAD under keys from a master key file.
 *
 *   struct od_vault *v = od_vault_open(cfg->secrets.key_file);   // NULL + od_err()
 *   od_vault_seal(v, "credentials|hubspot|refresh_token", pt, ptlen, &blob, &bloblen);
 *   od_vault_unseal(v, "credentials|hubspot|refresh_token", blob, bloblen, &pt, &ptlen);
 *   od_vault_close(v);
 *
 * Key file (text, mode 0600 or 0400, owned by the user running opsdeck): one key per line,
 * "KEY_ID HEX" where KEY_ID is a decimal number 1..4294967295 and HEX is 64 hex digits
 * (32 random bytes); blank lines and lines starting with '#' are ignored. Key ids are
 * strictly increasing; the LAST line is the current key (used to seal), older lines stay so
 * blobs sealed under them can still be opened until they are re-encrypted. A file that is
 * group/world accessible, not owned by the effective user, or not a regular file is refused
 * with the reason and the fix. Keys live in sodium_malloc'd (locked, guarded) memory, read-only
 * after loading, wiped on close. The master key itself never encrypts: purpose subkeys come
 * from crypto_kdf ("tokenenc" for blobs, "sesshash" for session token hashing, "backupmc" for
 * backup manifests).
 *
 * Blob (binary): version(1 byte = 0x01) | key_id (4 bytes, big-endian) | nonce (24) |
 * ciphertext + tag (16). The associated data is "<context>|<key_id>", so a blob moved to
 * another row/provider/name, or relabelled with another key id, fails to open. A blob is only
 * ever opened with the key its id names (never "try all keys"). */
#ifndef OD_VAULT_H
#define OD_VAULT_H
#include <stddef.h>
#include <stdint.h>

#define OD_VAULT_VERSION 0x01
#define OD_VAULT_HEADER (1 + 4 + 24)
#define OD_VAULT_TAG 16
#define OD_VAULT_MAX_PLAINTEXT 65536
#define OD_VAULT_MAX_KEYS 64

struct od_vault;

/* Open and check a key file. NULL with od_seterr (path, reason, fix) on failure. */
struct od_vault *od_vault_open(const char *path);
void od_vault_close(struct od_vault *v);
uint32_t od_vault_current_id(const struct od_vault *v);
int od_vault_key_count(const struct od_vault *v);

/* Seal ptlen bytes under the current key. *blob is od_xmalloc'd (caller frees). */
int od_vault_seal(const struct od_vault *v, const char *context, const unsigned char *pt,
                  size_t ptlen, unsigned char **blob, size_t *bloblen);
/* Open a blob. *pt is sodium_malloc'd with a NUL after ptlen bytes; free with od_secret_free.
 * -1 with od_seterr when the blob is malformed, names an unknown key, or fails to verify. */
int od_vault_unseal(const struct od_vault *v, const char *context, const unsigned char *blob,
                    size_t bloblen, unsigned char **pt, size_t *ptlen);
/* Key id a blob was sealed with (after a strict header check); -1 if malformed. */
int od_vault_blob_key_id(const unsigned char *blob, size_t bloblen, uint32_t *key_id);

/* 32-byte subkey for keyed hashing of session tokens, derived from the current key. */
int od_vault_session_key(const struct od_vault *v, unsigned char out[32]);
/* 32-byte subkey ("backupmc") that authenticates backup manifests, derived from the key with
 * id key_id (od_vault_current_id() when making a backup). -1 + od_seterr when the file does
 * not hold that key. Wipe it after use. */
int od_vault_backup_key(const struct od_vault *v, uint32_t key_id, unsigned char out[32]);

/* Key file management (opsdeck keygen). Create a new file (mode 0600, O_EXCL) with key id 1;
 * refuses to overwrite. */
int od_vault_keygen(const char *path);
/* Append a fresh key (id = last + 1) atomically (temp file + rename, mode kept 0600/0400).
 * *new_id gets its id. */
int od_vault_rotate_file(const char *path, uint32_t *new_id);

#endif
