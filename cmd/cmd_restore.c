/* cmd_restore — `opsdeck restore FILE --yes`: verify a backup made by `opsdeck backup`,
 * restore it into the configured (empty) database, and prove the result.
 *
 * Order, each step refusing before anything is written: the dump must match its .sha256;
 * its .json manifest must be readable and its MAC must verify under the key derived from the
 * master key id it names (a manifest without one — older backups — only with
 * --allow-unauthenticated); the dump must be the one the manifest describes (SHA-256, size);
 * the target must have no tables, views or sequences outside the system schemas. Then
 * pg_restore --no-owner --exit-on-error --single-transaction (a failure leaves the target empty
 * again), ANALYZE, and the row count of every table compared with the manifest. Credentials:
 * core/db/pgtool.h. */
#include "cmd/command.h"
#include "core/db/backup.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/pgtool.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt restore_opts[] = {
    {.arg = "FILE",
     .kind = OD_CLI_FILE,
     .required = true,
     .help = "an opsdeck-*.dump written by `opsdeck backup`"},
    {.name = "--yes", .required = true, .help = "required: restoring writes the whole database"},
    {.name = "--no-privileges",
     .help = "skip GRANTs (when the roles of the source do not exist here)"},
    {.name = "--allow-unauthenticated",
     .help = "restore even though the manifest cannot be authenticated (a backup you trust)"},
    {0}};

static const char usage[] =
    "usage: opsdeck restore FILE --yes [--no-privileges] [--allow-unauthenticated]\n\n"
    "Restores FILE (an opsdeck-*.dump written by `opsdeck backup`) into the configured\n"
    "database, which must be empty: create a new one and point OPSDECK_DATABASE_URL (or\n"
    "database.url) at it. Before anything is written, the dump is checked against its .sha256\n"
    "file, the MAC of its .json manifest is verified with the master key (secrets.key_file)\n"
    "and the dump must be the one the manifest describes; a damaged or changed dump or\n"
    "manifest is refused. pg_restore runs with --no-owner --exit-on-error in one transaction,\n"
    "then the row count of every table is compared with the manifest and printed.\n\n"
    "  --yes             required: restoring writes the whole database\n"
    "  --no-privileges   skip GRANTs (when the roles of the source do not exist here)\n"
    "  --allow-unauthenticated\n"
    "                    restore even though the manifest cannot be authenticated: a backup\n"
    "                    made before manifests were signed, the master key it was made with\n"
    "                    is lost, or its MAC does not verify. Only for a backup you trust.\n\n"
    "Exit status: 0 restored and verified, 1 refused or failed, 2 usage (or no --yes).\n";

const struct od_command cmd_restore_def = {
    .name = "restore",
    .summary = "Restore a backup into an empty database and verify it",
    .usage = usage,
    .run = run,
    .opts = restore_opts,
};

static int64_t find_count(const struct od_backup_counts *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->t[i].name, name) == 0) return c->t[i].rows;
    return -1;
}

/* Print manifest vs restored counts; returns how many differ. */
static int compare_counts(const struct od_backup_counts *want, const struct od_backup_counts *got)
{
    int bad = 0;
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%-44s %12s %12s\n", "TABLE", "BACKUP", "RESTORED");
    for (size_t i = 0; i < want->n; i++) {
        int64_t g = find_count(got, want->t[i].name);
        int ok = g == want->t[i].rows;
        od_pad_cell(&sb, want->t[i].name, 44, false); /* names from the manifest: outside text */
        if (g < 0)
            sb_addf(&sb, " %12lld %12s  MISSING\n", (long long)want->t[i].rows, "-");
        else
            sb_addf(&sb, " %12lld %12lld%s\n", (long long)want->t[i].rows, (long long)g,
                    ok ? "" : "  MISMATCH");
        bad += !ok;
    }
    for (size_t i = 0; i < got->n; i++) {
        if (find_count(want, got->t[i].name) >= 0) continue;
        od_pad_cell(&sb, got->t[i].name, 44, false);
        sb_addf(&sb, " %12s %12lld  NOT IN BACKUP\n", "-", (long long)got->t[i].rows);
        bad++;
    }
    sb_addf(&sb, "%-44s %12lld %12lld\n", "total", (long long)od_backup_counts_total(want),
            (long long)od_backup_counts_total(got));
    fputs(sb_str(&sb), stdout);
    sb_release(&sb);
    return bad;
}

static int do_restore(struct od_ctx *ctx, PGconn *c, const char *file, int no_acl,
                      const struct od_backup_manifest *m, bool authenticated)
{
    char *what = NULL, *tool = NULL;
    struct od_backup_counts got = {0};
    int rc = 1;
    char *db = od_sanitize(PQdb(c));
    int n = od_backup_target_objects(c, &what);
    if (n < 0) goto fail;
    if (n > 0) {
        od_seterr("refusing to restore into database %s: it is not empty (found %d table%s, "
                  "view%s or sequence%s: %s). Create an empty database and point "
                  "OPSDECK_DATABASE_URL at it.",
                  db, n, n == 1 ? "" : "s", n == 1 ? "" : "s", n == 1 ? "" : "s", what);
        goto fail;
    }
    if (!(tool = od_pgtool_find("pg_restore", PQserverVersion(c) / 10000))) goto fail;
    printf("restoring into database %s ...\n", db);
    fflush(stdout);
    const char *args[12] = {
        tool,       "--no-owner", "--exit-on-error", "--single-transaction", "--no-password",
        "--dbname", PQdb(c)};
    int na = 7;
    if (no_acl) args[na++] = "--no-acl";
    args[na++] = file;
    args[na] = NULL;
    struct od_pgtool_opts o = {"pg_restore", NULL, isatty(STDERR_FILENO) ? stderr : NULL};
    if (od_pgtool_run(ctx->cfg, c, args, &o) < 0) goto fail;
    if (od_backup_restored_counts(c, &got) < 0) goto fail;
    int bad = compare_counts(&m->counts, &got);
    if (bad) {
        od_seterr("restored, but %d table%s differ%s from the manifest", bad, bad == 1 ? "" : "s",
                  bad == 1 ? "s" : "");
        goto fail;
    }
    printf("restored and verified: %zu tables, %lld rows, %zu migrations%s\n", got.n,
           (long long)od_backup_counts_total(&got), m->nmigrations,
           authenticated ? "" : " (manifest NOT authenticated: --allow-unauthenticated)");
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "opsdeck restore: %s\n", od_err());
out:
    od_backup_counts_release(&got);
    free(what);
    free(tool);
    free(db);
    return rc;
}

/* Check the manifest's MAC with the key derived from the master key id it names. Returns 1
 * authenticated, 0 not authenticated but allowed (a warning was printed), -1 refused. */
static int authenticate(const struct od_config *cfg, const char *file,
                        const struct od_backup_manifest *m, bool allow)
{
    char *json = od_backup_sibling(file, ".json");
    struct od_vault *v = NULL;
    unsigned char key[OD_BACKUP_MAC_KEYBYTES];
    int rc = -1;
    if (!m->mac || !*m->mac) {
        bool v1 = !strcmp(m->format, OD_BACKUP_FORMAT_V1);
        od_seterr("%s carries no MAC, so nothing shows the backup is the one opsdeck made: %s",
                  json,
                  v1 ? "it was made by an older opsdeck (format " OD_BACKUP_FORMAT_V1 ")"
                     : "its format says it should have one, so the MAC was removed");
    } else if (!(v = od_vault_open(cfg->secrets.key_file))) {
        char *why = od_xstrdup(od_err()); /* od_seterr writes where od_err() points */
        od_seterr("cannot check the manifest's MAC: %s", why);
        free(why);
    } else if (od_vault_backup_key(v, m->mac_key_id, key) == 0) {
        rc = od_backup_manifest_verify(m, key) == 0 ? 1 : -1;
        sodium_memzero(key, sizeof key);
    }
    od_vault_close(v);
    if (rc == 1) {
        printf("manifest  authenticated (MAC, master key id %u)\n", m->mac_key_id);
    } else if (allow) {
        char *why = od_sanitize(od_err());
        fprintf(stderr,
                "opsdeck restore: WARNING: %s. Restoring anyway because of "
                "--allow-unauthenticated.\n",
                why);
        free(why);
        rc = 0;
    } else {
        char *why = od_xstrdup(od_err());
        od_seterr("%s. If this backup is one you trust (an older backup, or the master key it "
                  "was made with is lost), run again with --allow-unauthenticated",
                  why);
        free(why);
    }
    free(json);
    return rc;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *file = NULL;
    int yes = 0, no_acl = 0;
    bool allow_unauth = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--yes") == 0)
            yes = 1;
        else if (strcmp(argv[i], "--no-privileges") == 0)
            no_acl = 1;
        else if (strcmp(argv[i], "--allow-unauthenticated") == 0)
            allow_unauth = true;
        else if (argv[i][0] == '-' || file)
            return od_cmd_usage_error(&cmd_restore_def, "unexpected argument '%s'", argv[i]);
        else
            file = argv[i];
    }
    if (!file) return od_cmd_usage_error(&cmd_restore_def, "which backup? (FILE.dump)");
    if (!yes) {
        fprintf(stderr,
                "opsdeck restore: this writes every table of the backup into the configured\n"
                "database (which must be empty). Nothing was done. Check the target, then run\n"
                "again with --yes.\n");
        return 2;
    }
    char hex[65];
    struct od_backup_manifest m = {0};
    int auth = -1;
    if (od_backup_verify_checksum(file, hex) < 0 || od_backup_manifest_read(file, &m) < 0 ||
        (auth = authenticate(ctx->cfg, file, &m, allow_unauth)) < 0 ||
        od_backup_manifest_match(&m, file, hex) < 0) {
        char *msg = od_sanitize(od_err()); /* names from the manifest: outside text */
        fprintf(stderr, "opsdeck restore: refusing to restore: %s\n", msg);
        free(msg);
        od_backup_manifest_release(&m);
        return 1;
    }
    printf("checksum  ok (sha256 %s, the same in the manifest)\n", hex);
    char *ver = od_sanitize(m.server_version), *at = od_sanitize(m.created_at);
    printf("backup    %s, PostgreSQL %s, %zu tables, %lld rows\n", at, ver, m.counts.n,
           (long long)od_backup_counts_total(&m.counts));
    free(ver);
    free(at);
    int rc = 1;
    PGconn *c = od_db_connect(ctx->cfg, "opsdeck-restore");
    if (!c)
        fprintf(stderr, "opsdeck restore: %s\n", od_err());
    else
        rc = do_restore(ctx, c, file, no_acl, &m, auth == 1);
    if (c) PQfinish(c);
    od_backup_manifest_release(&m);
    return rc;
}
