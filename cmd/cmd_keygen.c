/* cmd_keygen — `opsdeck keygen [--rotate | --rekey] [--file PATH]`: create the master key
 * file, add a new current key, and re-encrypt stored credentials under it. */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/security/credentials.h"
#include "core/db/db.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt keygen_opts[] = {
    {.name = "--rotate",
     .help = "add a new current key and re-encrypt every stored credential under it"},
    {.name = "--rekey", .help = "only re-encrypt stored credentials under the current key"},
    {.name = "--file",
     .arg = "PATH",
     .kind = OD_CLI_FILE,
     .help = "the key file to use instead of secrets.key_file"},
    {0}};

static const char usage[] =
    "usage: opsdeck keygen [--rotate | --rekey] [--file PATH]\n\n"
    "Without options, creates the key file (secrets.key_file, or PATH) with one random key,\n"
    "mode 0600; an existing file is never overwritten.\n\n"
    "  --rotate   add a new key (it becomes the current one; older keys stay so old data can\n"
    "             still be read) and re-encrypt every stored credential under it\n"
    "  --rekey    only re-encrypt stored credentials under the current key (to finish a\n"
    "             rotation whose database step failed)\n"
    "  --file P   the key file to use instead of secrets.key_file\n\n"
    "Run it as the account that runs opsdeck: the file must be owned by that account and\n"
    "readable by no one else. Exit status: 0 success, 1 failure, 2 usage.\n";

const struct od_command cmd_keygen_def = {
    .name = "keygen",
    .summary = "Create or rotate the master key file that encrypts stored tokens",
    .usage = usage,
    .run = run,
    .opts = keygen_opts,
};

static int fail(const char *what)
{
    char *msg = od_sanitize(od_err());
    fprintf(stderr, "opsdeck keygen: %s%s\n", what, msg);
    free(msg);
    return 1;
}

static int rekey(struct od_ctx *ctx, const char *path)
{
    struct od_vault *v = od_vault_open(path);
    if (!v) return fail("");
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-keygen");
    int count = 0, rc = 0;
    if (!pool || od_cred_rekey(pool, v, &count) != 0)
        rc = fail("re-encrypting stored credentials failed (retry with: opsdeck keygen "
                  "--rekey): ");
    else
        printf("re-encrypted %d stored credential%s under key id %u\n", count,
               count == 1 ? "" : "s", od_vault_current_id(v));
    od_pool_close(pool);
    od_vault_close(v);
    return rc;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *path = ctx->cfg->secrets.key_file, *mode = NULL;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "--rotate") || !strcmp(argv[i], "--rekey")) && !mode)
            mode = argv[i];
        else if (!strcmp(argv[i], "--file") && i + 1 < argc)
            path = argv[++i];
        else
            return od_cmd_usage_error(&cmd_keygen_def, "unexpected argument '%s'", argv[i]);
    }
    if (!path || !*path)
        return od_cmd_usage_error(&cmd_keygen_def,
                                  "no key file: set secrets.key_file (or "
                                  "OPSDECK_SECRETS_KEY_FILE), or pass --file PATH");
    if (!mode) {
        if (od_vault_keygen(path) != 0) return fail("");
        printf("created %s (mode 0600) with key id 1\n", path);
        return 0;
    }
    if (!strcmp(mode, "--rotate")) {
        uint32_t id;
        if (od_vault_rotate_file(path, &id) != 0) return fail("");
        printf("added key id %u to %s; it is now the current key\n", id, path);
    }
    return rekey(ctx, path);
}
