/* backup — the files under `opsdeck backup` and `opsdeck restore`: SHA-256 checksum files,
 * the JSON manifest, exact row counts, and pruning old backups. The commands
 * (cmd/cmd_backup.c, cmd/cmd_restore.c) decide the order; this module does one step at a
 * time and never prints except to the FILE * it is given.
 *
 * A backup is three files sharing a stem in one directory:
 *   opsdeck-20261122T211200Z.dump    pg_dump --format=custom
 *   opsdeck-20261122T211200Z.sha256  "<hex>  opsdeck-20261122T211200Z.dump\n" (sha256sum -c)
 *   opsdeck-20261122T211200Z.json    manifest: created_at, server version, migrations, row
 *                                    counts, the dump's SHA-256 and size, and a MAC over them
 *
 * The .sha256 file is for `sha256sum -c` anywhere; anyone can regenerate it. What restore
 * trusts is the manifest's MAC: HMAC-SHA-512-256 (crypto_auth) under a key the caller derives
 * from the master key (od_vault_backup_key), over a canonical encoding of every field restore
 * relies on — so a changed dump (whose hash no longer matches the manifest) or a changed
 * manifest is caught by whoever holds the key file, and nobody without it can make a new one.
 *
 * Running pg_dump/pg_restore is core/db/pgtool.h.
 *
 * Every function returns 0 (or a count) on success, -1 with od_seterr() on failure. */
#ifndef OD_BACKUP_H
#define OD_BACKUP_H
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OD_BACKUP_PREFIX "opsdeck-"
#define OD_BACKUP_STAMP_LEN 16 /* YYYYmmddTHHMMSSZ */

/* SHA-256 of a file (libsodium, streaming) as 64 lowercase hex digits + NUL. */
int od_sha256_file(const char *path, char hex[65]);

/* Names: stem of a dump path (".dump" removed; caller frees) and a sibling with `ext`. */
char *od_backup_sibling(const char *dump_path, const char *ext);
/* Write "<hex>  <basename>\n" to the .sha256 sibling (atomically, mode 0600). */
int od_backup_write_checksum(const char *dump_path, const char *hex);
/* Compare the dump with its .sha256 sibling; hex gets the digest. A mismatch is an error
 * whose message names both digests. */
int od_backup_verify_checksum(const char *dump_path, char hex[65]);

/* Row counts of every ordinary or partitioned table outside the system schemas (partitions
 * are counted through their parent). Names are "table" for public, else "schema.table". */
struct od_table_count {
    char *name;
    int64_t rows;
};
struct od_backup_counts {
    struct od_table_count *t;
    size_t n;
};
int od_backup_count_rows(PGconn *c, struct od_backup_counts *out);
int64_t od_backup_counts_total(const struct od_backup_counts *c);
void od_backup_counts_release(struct od_backup_counts *c);

#define OD_BACKUP_FORMAT "opsdeck-backup/2"    /* with a MAC */
#define OD_BACKUP_FORMAT_V1 "opsdeck-backup/1" /* older: no MAC */
#define OD_BACKUP_MAC_KEYBYTES 32

struct od_backup_manifest {
    char *format;         /* OD_BACKUP_FORMAT when written; as read otherwise */
    char *created_at;     /* RFC 3339 UTC */
    char *server_version; /* e.g. "15.10" */
    char *database;
    char *dump_file; /* basename */
    char *sha256;
    int64_t bytes;
    char **migrations; /* schema_migrations versions, ascending */
    size_t nmigrations;
    struct od_backup_counts counts;
    uint32_t mac_key_id; /* master key id the MAC key was derived from */
    char *mac;           /* 64 hex digits; NULL or "" in a manifest without one */
};
/* Fill server_version, database and migrations from an open connection (inside the same
 * snapshot as the dump, so they describe exactly what it holds). */
int od_backup_manifest_from_db(PGconn *c, struct od_backup_manifest *m);
/* Write the manifest to the .json sibling of dump_path (atomically, mode 0600). */
int od_backup_manifest_write(const struct od_backup_manifest *m, const char *dump_path);
/* Set m->mac (and m->format) to the MAC of m under key, derived from master key key_id. */
void od_backup_manifest_sign(struct od_backup_manifest *m, const unsigned char *key,
                             uint32_t key_id);
/* 0 when m->mac is the MAC of m under key (constant-time compare), else -1 + od_seterr. */
int od_backup_manifest_verify(const struct od_backup_manifest *m, const unsigned char *key);
/* 0 when the dump is the one the manifest describes (its SHA-256, already computed into hex,
 * and its size), else -1 + od_seterr naming both digests. */
int od_backup_manifest_match(const struct od_backup_manifest *m, const char *dump_path,
                             const char *hex);
int od_backup_manifest_read(const char *dump_path, struct od_backup_manifest *m);
void od_backup_manifest_release(struct od_backup_manifest *m);

/* The database side of the two commands, each on the connection the command holds:
 * od_backup_begin_snapshot opens a REPEATABLE READ READ ONLY transaction without statement or
 * idle timeouts and returns its exported snapshot id for pg_dump --snapshot (caller frees;
 * NULL + od_err). od_backup_target_objects counts the tables, views, sequences and foreign
 * tables outside the system schemas (a restore wants none) and puts the first five names,
 * sanitized, in *what (caller frees); -1 on error. od_backup_restored_counts lifts the
 * statement timeout, runs ANALYZE and counts the rows (od_backup_count_rows). */
char *od_backup_begin_snapshot(PGconn *c);
int od_backup_target_objects(PGconn *c, char **what);
int od_backup_restored_counts(PGconn *c, struct od_backup_counts *out);

/* The newest backup in dir by the time stamp in its name: 1 and *dump_path (caller frees),
 * 0 when there is none, -1 when dir cannot be listed. */
int od_backup_newest(const char *dir, char **dump_path);

/* Keep the newest `keep` complete backups in dir (by the time stamp in their names), delete
 * the rest (all three files). Names of deleted dumps are written to `out` one a line.
 * Returns how many were deleted. Files not named like a backup are never touched. */
int od_backup_prune(const char *dir, int keep, FILE *out);

#endif
