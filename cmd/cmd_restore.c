/* cmd_restore — `opsdeck restore FILE --yes`: verify a backup made by `opsdeck backup`,
 * restore it into the configured (empty) database, and prove the result.
 *
 * Order, each step refusing before anything is written: the dump must match its .sha256;
 * its .json manifest must be readable; the target must have no tables, views or sequences
 * outside the system schemas. Then pg_restore --no-owner --exit-on-error
 * --single-transaction (a failure leaves the target empty again), ANALYZE, and the row count
 * of every table compared with the manifest. Credentials: core/db/pgtool.h. */
#include "cmd/command.h"
#include "core/db/backup.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/pgtool.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
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
    {0}};

const struct od_command cmd_restore_def = {
    "restore",
    "Restore a backup into an empty database and verify it",
    "usage: opsdeck restore FILE --yes [--no-privileges]\n\n"
    "Restores FILE (an opsdeck-*.dump written by `opsdeck backup`) into the configured\n"
    "database, which must be empty: create a new one and point OPSDECK_DATABASE_URL (or\n"
    "database.url) at it. Before anything is written, the dump is checked against its .sha256\n"
    "file and its .json manifest is read; a damaged or changed dump is refused. pg_restore runs\n"
    "with --no-owner --exit-on-error in one transaction, then the row count of every table\n"
    "is compared with the manifest and printed.\n\n"
    "  --yes             required: restoring writes the whole database\n"
    "  --no-privileges   skip GRANTs (when the roles of the source do not exist here)\n\n"
    "Exit status: 0 restored and verified, 1 refused or failed, 2 usage (or no --yes).\n",
    run,
    0,
    .opts = restore_opts};

/* Relations outside the system schemas; -1 on error, else how many (names listed in *what). */
static int target_objects(PGconn *c, char **what)
{
    PGresult *r = od_db_exec(
        c,
        "SELECT n.nspname || '.' || c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1",
        0, NULL);
    if (!r) return -1;
    int n = PQntuples(r);
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < n && i < 5; i++) {
        if (i) sb_add(&sb, ", ");
        char *s = od_sanitize(PQgetvalue(r, i, 0));
        sb_add(&sb, s);
        free(s);
    }
    if (n > 5) sb_addf(&sb, " and %d more", n - 5);
    PQclear(r);
    *what = sb_detach(&sb);
    return n;
}

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
    printf("%-44s %12s %12s\n", "TABLE", "BACKUP", "RESTORED");
    for (size_t i = 0; i < want->n; i++) {
        int64_t g = find_count(got, want->t[i].name);
        int ok = g == want->t[i].rows;
        char *name = od_sanitize(want->t[i].name);
        if (g < 0)
            printf("%-44s %12lld %12s  MISSING\n", name, (long long)want->t[i].rows, "-");
        else
            printf("%-44s %12lld %12lld%s\n", name, (long long)want->t[i].rows, (long long)g,
                   ok ? "" : "  MISMATCH");
        free(name);
        bad += !ok;
    }
    for (size_t i = 0; i < got->n; i++) {
        if (find_count(want, got->t[i].name) >= 0) continue;
        char *name = od_sanitize(got->t[i].name);
        printf("%-44s %12s %12lld  NOT IN BACKUP\n", name, "-", (long long)got->t[i].rows);
        free(name);
        bad++;
    }
    printf("%-44s %12lld %12lld\n", "total", (long long)od_backup_counts_total(want),
           (long long)od_backup_counts_total(got));
    return bad;
}

static int do_restore(struct od_ctx *ctx, PGconn *c, const char *file, int no_acl,
                      const struct od_backup_manifest *m)
{
    char *what = NULL, *tool = NULL;
    struct od_backup_counts got = {0};
    int rc = 1;
    char *db = od_sanitize(PQdb(c));
    int n = target_objects(c, &what);
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
    if (od_db_cmd(c, "SET statement_timeout = 0", 0, NULL) < 0 ||
        od_db_cmd(c, "ANALYZE", 0, NULL) < 0 || od_backup_count_rows(c, &got) < 0)
        goto fail;
    int bad = compare_counts(&m->counts, &got);
    if (bad) {
        od_seterr("restored, but %d table%s differ%s from the manifest", bad, bad == 1 ? "" : "s",
                  bad == 1 ? "s" : "");
        goto fail;
    }
    printf("restored and verified: %zu tables, %lld rows, %zu migrations\n", got.n,
           (long long)od_backup_counts_total(&got), m->nmigrations);
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

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *file = NULL;
    int yes = 0, no_acl = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--yes") == 0)
            yes = 1;
        else if (strcmp(argv[i], "--no-privileges") == 0)
            no_acl = 1;
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
    if (od_backup_verify_checksum(file, hex) < 0) {
        fprintf(stderr, "opsdeck restore: refusing to restore: %s\n", od_err());
        return 1;
    }
    struct od_backup_manifest m = {0};
    if (od_backup_manifest_read(file, &m) < 0) {
        fprintf(stderr, "opsdeck restore: refusing to restore: %s\n", od_err());
        return 1;
    }
    printf("checksum  ok (sha256 %s)\n", hex);
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
        rc = do_restore(ctx, c, file, no_acl, &m);
    if (c) PQfinish(c);
    od_backup_manifest_release(&m);
    return rc;
}
