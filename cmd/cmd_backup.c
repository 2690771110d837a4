/* cmd_backup — `opsdeck backup [--dir DIR] [--keep N]`: a pg_dump of the configured database
 * with a checksum and a manifest, then pruning of old backups.
 *
 * The row counts in the manifest and the dump describe the same instant: this command opens a
 * REPEATABLE READ transaction, exports its snapshot, counts inside it, and runs
 * `pg_dump --snapshot` on it. pg_dump is written to NAME.dump.partial (created 0600 first) and
 * renamed only once it succeeded and its checksum is on disk. Credentials: core/db/pgtool.h.
 *
 * The manifest is signed (core/db/backup.h) with a key derived from the current master key
 * (secrets.key_file), opened before anything else: no key, no backup. */
#include "cmd/command.h"
#include "core/db/backup.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/pgtool.h"
#include "core/base/sanitize.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt backup_opts[] = {
    {.name = "--dir",
     .arg = "DIR",
     .kind = OD_CLI_DIR,
     .help = "where to write (default $XDG_STATE_HOME/opsdeck/backups; created 0700)"},
    {.name = "--keep",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "how many backups to keep, 1..10000 (default 7)"},
    {0}};

static const char usage[] =
    "usage: opsdeck backup [--dir DIR] [--keep N]\n\n"
    "Runs pg_dump --format=custom (the one matching the server's major version) on the\n"
    "configured database and writes three files into DIR:\n"
    "  opsdeck-YYYYmmddTHHMMSSZ.dump     the dump\n"
    "  opsdeck-YYYYmmddTHHMMSSZ.sha256   its SHA-256 (sha256sum -c format)\n"
    "  opsdeck-YYYYmmddTHHMMSSZ.json     manifest: time, server version, migrations, row counts,\n"
    "                                    the dump's SHA-256, and a MAC over all of it\n"
    "then deletes all but the newest N backups in DIR. The row counts are taken in the\n"
    "snapshot pg_dump uses; `opsdeck restore` checks them. The MAC key is derived from the\n"
    "master key (secrets.key_file), which must be readable: restore refuses a dump or\n"
    "manifest changed after the backup.\n\n"
    "  --dir DIR   where to write (default $XDG_STATE_HOME/opsdeck/backups; created 0700)\n"
    "  --keep N    how many backups to keep, 1..10000 (default 7)\n\n"
    "The password never appears in pg_dump's arguments or environment. See docs/backup.md.\n"
    "Exit status: 0 ok, 1 failure, 2 usage.\n";

const struct od_command cmd_backup_def = {
    .name = "backup",
    .summary = "Dump the database to a checksummed file and prune old backups",
    .usage = usage,
    .run = run,
    .opts = backup_opts,
};

static void print_summary(const struct od_backup_manifest *m, const char *dump)
{
    char *json = od_backup_sibling(dump, ".json"), *sum = od_backup_sibling(dump, ".sha256");
    char *db = od_sanitize(m->database);
    printf("backup    %s\n", dump);
    printf("database  %s (PostgreSQL %s), %zu migrations\n", db, m->server_version, m->nmigrations);
    printf("size      %lld bytes, %zu tables, %lld rows\n", (long long)m->bytes, m->counts.n,
           (long long)od_backup_counts_total(&m->counts));
    printf("sha256    %s (%s)\n", m->sha256, sum);
    printf("manifest  %s (signed with master key id %u)\n", json, m->mac_key_id);
    free(db);
    free(json);
    free(sum);
}

static int do_backup(struct od_ctx *ctx, PGconn *c, const char *dir, int keep,
                     const struct od_vault *v)
{
    struct od_backup_manifest m = {0};
    char *snap = NULL, *tool = NULL, *dump = NULL, *partial = NULL;
    int rc = 1, made_partial = 0;
    char stamp[OD_BACKUP_STAMP_LEN + 1], created[40];
    /* Names have one-second resolution: a second backup within the same second waits for the
     * next one rather than failing (the check below still refuses a name that exists). */
    int64_t now = 0;
    for (int tries = 0; tries < 3; tries++) {
        now = od_wall_ms();
        time_t secs = (time_t)(now / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
        char *probe = od_xasprintf("%s/%s%s.dump", dir, OD_BACKUP_PREFIX, stamp);
        int taken = access(probe, F_OK) == 0;
        free(probe);
        if (!taken) break;
        od_sleep_ms(1000 - now % 1000 + 1);
    }
    od_time_format_ms(now, created, sizeof(created));

    if (!(snap = od_backup_begin_snapshot(c)) || od_backup_manifest_from_db(c, &m) < 0 ||
        od_backup_count_rows(c, &m.counts) < 0)
        goto fail;
    if (!(tool = od_pgtool_find("pg_dump", PQserverVersion(c) / 10000))) goto fail;
    dump = od_xasprintf("%s/%s%s.dump", dir, OD_BACKUP_PREFIX, stamp);
    partial = od_xasprintf("%s.partial", dump);
    if (access(dump, F_OK) == 0) {
        od_seterr("%s already exists (two backups in one second?)", dump);
        goto fail;
    }
    int fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        od_seterr("cannot create %s: %s", partial, strerror(errno));
        goto fail;
    }
    close(fd);
    made_partial = 1;
    const char *args[] = {tool, "--format=custom", "--no-password", "--snapshot",
                          snap, "--file",          partial,         NULL};
    struct od_pgtool_opts o = {"pg_dump", partial, isatty(STDERR_FILENO) ? stderr : NULL};
    if (od_pgtool_run(ctx->cfg, c, args, &o) < 0) goto fail;
    od_db_rollback(c); /* read-only snapshot transaction: nothing to commit */

    char hex[65];
    struct stat st;
    if (od_sha256_file(partial, hex) < 0) goto fail;
    if (stat(partial, &st) != 0 || rename(partial, dump) != 0) {
        od_seterr("cannot rename %s to %s: %s", partial, dump, strerror(errno));
        goto fail;
    }
    made_partial = 0;
    const char *base = strrchr(dump, '/');
    m.created_at = od_xstrdup(created);
    m.dump_file = od_xstrdup(base ? base + 1 : dump);
    m.sha256 = od_xstrdup(hex);
    m.bytes = (int64_t)st.st_size;
    unsigned char key[OD_BACKUP_MAC_KEYBYTES];
    uint32_t kid = od_vault_current_id(v);
    if (od_vault_backup_key(v, kid, key) < 0) goto fail;
    od_backup_manifest_sign(&m, key, kid);
    sodium_memzero(key, sizeof key);
    if (od_backup_write_checksum(dump, hex) < 0 || od_backup_manifest_write(&m, dump) < 0)
        goto fail;
    print_summary(&m, dump);
    rc = 0;
    printf("prune     keeping the newest %d in %s\n", keep, dir);
    fflush(stdout);
    int pruned = od_backup_prune(dir, keep, stdout);
    if (pruned < 0) {
        fprintf(stderr, "opsdeck backup: the backup is fine, but pruning failed: %s\n", od_err());
        rc = 1;
    } else {
        printf("pruned    %d older backup%s\n", pruned, pruned == 1 ? "" : "s");
    }
    goto out;
fail:
    fprintf(stderr, "opsdeck backup: %s\n", od_err());
out:
    if (made_partial) unlink(partial);
    od_backup_manifest_release(&m);
    free(snap);
    free(tool);
    free(dump);
    free(partial);
    return rc;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *dir_opt = NULL;
    long keep = 7;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir_opt = argv[++i];
        } else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
            if (od_parse_long(argv[++i], 1, 10000, &keep) < 0)
                return od_cmd_usage_error(&cmd_backup_def, "--keep wants 1..10000, not '%s'",
                                          argv[i]);
        } else {
            return od_cmd_usage_error(&cmd_backup_def, "unknown option or missing value: '%s'",
                                      argv[i]);
        }
    }
    char *dir;
    if (dir_opt && *dir_opt) {
        dir = od_xstrdup(dir_opt);
    } else {
        char *state = od_state_dir();
        dir = od_xasprintf("%s/backups", state);
        free(state);
    }
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dir[--dl] = '\0';
    struct od_vault *v = od_vault_open(ctx->cfg->secrets.key_file);
    if (!v) {
        fprintf(stderr,
                "opsdeck backup: cannot sign the backup: %s\n"
                "(the manifest is authenticated with a key derived from the master key, so "
                "that a restore can tell the backup was not changed; see docs/backup.md)\n",
                od_err());
        free(dir);
        return 1;
    }
    PGconn *c = NULL;
    int rc = 1;
    if (od_mkdir_p(dir) < 0 || !(c = od_db_connect(ctx->cfg, "opsdeck-backup")))
        fprintf(stderr, "opsdeck backup: %s\n", od_err());
    else
        rc = do_backup(ctx, c, dir, (int)keep, v);
    if (c) PQfinish(c);
    od_vault_close(v);
    free(dir);
    return rc;
}
