/* cmd_links — `opsdeck links ...`: list, match and edit client ↔ company and project ↔ deal
 * links (core/domain/links.c), export and import them as CSV (core/domain/links_bulk.c). */
#include "cmd/command.h"
#include "core/db/db.h"
#include "core/domain/links.h"
#include "core/domain/links_bulk.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt links_list_opts[] = {
    {.name = "--kind",
     .arg = "KIND",
     .kind = OD_CLI_ENUM,
     .values = "client|project",
     .help = "only client/company or only project/deal links"},
    {.name = "--json", .help = "one JSON array"},
    {0}};
static const struct od_cli_opt links_set_opts[] = {
    {.arg = "KIND",
     .kind = OD_CLI_ENUM,
     .values = "client|project",
     .required = true,
     .help = "a client/company or a project/deal link"},
    {.arg = "ID", .kind = OD_CLI_TEXT, .required = true, .help = "the Harvest client or project"},
    {.arg = "COMPANY_OR_DEAL_ID",
     .kind = OD_CLI_TEXT,
     .required = true,
     .help = "the HubSpot company or deal"},
    {.name = "--version",
     .arg = "V",
     .kind = OD_CLI_TEXT,
     .help = "the version shown by `links list`; an edit against an older one is refused"},
    {0}};
static const struct od_cli_opt links_unset_opts[] = {
    {.arg = "KIND",
     .kind = OD_CLI_ENUM,
     .values = "client|project",
     .required = true,
     .help = "a client/company or a project/deal link"},
    {.arg = "ID", .kind = OD_CLI_TEXT, .required = true, .help = "the Harvest client or project"},
    {.name = "--version",
     .arg = "V",
     .kind = OD_CLI_TEXT,
     .help = "the version shown by `links list`; an edit against an older one is refused"},
    {0}};
static const struct od_cli_opt links_export_opts[] = {{.name = "--format",
                                                       .arg = "F",
                                                       .kind = OD_CLI_ENUM,
                                                       .values = "csv",
                                                       .help = "csv (kind,harvest_id,hubspot_id)"},
                                                      {0}};
static const struct od_cli_opt links_import_opts[] = {
    {.arg = "FILE",
     .kind = OD_CLI_FILE,
     .required = true,
     .help = "a CSV file as `links export` writes it, or - for stdin"},
    {.name = "--dry-run", .help = "check the file and count what would change; apply nothing"},
    {0}};
static const struct od_subcommand links_subs[] = {
    {.name = "list",
     .help = "every client and project with its HubSpot company or deal (the default)",
     .opts = links_list_opts},
    {.name = "auto", .help = "match now by name and domain (manual links are never changed)"},
    {.name = "set", .help = "link by hand", .opts = links_set_opts},
    {.name = "unset", .help = "record 'no company/deal' by hand", .opts = links_unset_opts},
    {.name = "reset",
     .help = "forget the manual decision and match automatically again",
     .opts = links_unset_opts},
    {.name = "export", .help = "every link row as CSV on stdout", .opts = links_export_opts},
    {.name = "import",
     .help = "apply a links CSV file, all or nothing (audited)",
     .opts = links_import_opts},
    {0}};

static const char usage[] =
    "usage: opsdeck links [list] [--kind client|project] [--json]\n"
    "       opsdeck links auto\n"
    "       opsdeck links set client|project ID COMPANY_OR_DEAL_ID [--version V]\n"
    "       opsdeck links unset client|project ID [--version V]\n"
    "       opsdeck links reset client|project ID [--version V]\n"
    "       opsdeck links export [--format csv]\n"
    "       opsdeck links import FILE [--dry-run]\n\n"
    "list   every client (and project) with its HubSpot company (deal), how it was linked\n"
    "       (name, domain, manual) and the row version\n"
    "auto   match now by name/domain (runs after every sync; manual links are never changed)\n"
    "set    link by hand; unset: record 'no company/deal' by hand; reset: forget the manual\n"
    "       decision and match automatically again\n\n"
    "export every link row as CSV on stdout: kind,harvest_id,hubspot_id with kinds\n"
    "       client_company and project_deal (hubspot_id empty: no company/deal, by hand)\n"
    "import apply such a file (FILE or - for stdin), all or nothing: exact header, valid UTF-8,\n"
    "       ids that exist, no row twice, at most 10 MiB and 100000 rows. Every bad row is\n"
    "       reported as FILE:LINE: reason and nothing is applied. A row that differs from the\n"
    "       current link becomes a manual link (automatic matching never changes it); a row\n"
    "       equal to it is left alone, so export then import changes nothing. Audited.\n\n"
    "  --version V  the version shown by `links list` (0 or omitted: there is no link row yet);\n"
    "               an edit made against an older version is refused\n"
    "  --dry-run    check the file and count what would change; apply nothing\n\n"
    "Exit status: 0 ok, 1 failure (stale version, unknown id, database, unreadable file),\n"
    "2 usage or a bad import file (nothing applied).\n";

const struct od_command cmd_links_def = {
    .name = "links",
    .summary = "List, match and edit client/company and project/deal links",
    .usage = usage,
    .run = run,
    .subs = links_subs,
    .opts = links_list_opts,
};

static char *cli_actor(void)
{
    struct passwd *pw = getpwuid(geteuid());
    return od_xasprintf("cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

static void print_json(struct od_link_list *lists, size_t n)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(doc, "links");
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < lists[k].n; i++) {
            const struct od_link *l = &lists[k].items[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "kind", od_link_kind_name(l->kind));
            cJSON_AddNumberToObject(o, "id", (double)l->local_id);
            cJSON_AddStringToObject(o, "name", l->local_name ? l->local_name : "");
            if (l->remote_id)
                cJSON_AddNumberToObject(o, "linked_id", (double)l->remote_id);
            else
                cJSON_AddNullToObject(o, "linked_id");
            if (l->remote_name)
                cJSON_AddStringToObject(o, "linked_name", l->remote_name);
            else
                cJSON_AddNullToObject(o, "linked_name");
            if (*l->method)
                cJSON_AddStringToObject(o, "method", l->method);
            else
                cJSON_AddNullToObject(o, "method");
            cJSON_AddNumberToObject(o, "version", l->version);
            cJSON_AddItemToArray(arr, o);
        }
    char *s = cJSON_PrintUnformatted(doc);
    puts(s);
    free(s);
    cJSON_Delete(doc);
}

static void print_table(struct od_link_list *lists, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%-8s %12s  %-32s %12s  %-32s %-7s %s\n", "KIND", "ID", "NAME", "LINKED",
            "LINKED NAME", "METHOD", "VERSION");
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < lists[k].n; i++) {
            const struct od_link *l = &lists[k].items[i];
            sb_addf(&sb, "%-8s %12lld  ", od_link_kind_name(l->kind), (long long)l->local_id);
            od_pad_cell(&sb, l->local_name, 32, false);
            if (l->remote_id)
                sb_addf(&sb, " %12lld  ", (long long)l->remote_id);
            else
                sb_addf(&sb, " %12s  ", "-");
            od_pad_cell(&sb,
                        l->remote_name ? l->remote_name : (*l->method ? "(none, by hand)" : ""), 32,
                        false);
            sb_addch(&sb, ' ');
            od_pad_cell(&sb, *l->method ? l->method : "-", 7, false);
            sb_addf(&sb, " %d\n", l->version);
        }
    fputs(sb_str(&sb), stdout);
    sb_release(&sb);
}

static int do_list(struct od_pool *pool, int argc, char **argv)
{
    bool json = false;
    int only = -1;
    for (int i = 1; i < argc; i++) {
        enum od_link_kind k;
        if (strcmp(argv[i], "list") == 0 && i == 1) continue;
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc &&
                 od_link_kind_parse(argv[i + 1], &k) == 0)
            only = (int)k, i++;
        else
            return od_cmd_usage_error(&cmd_links_def, "unknown option '%s'", argv[i]);
    }
    struct od_link_list lists[2] = {{NULL, 0}, {NULL, 0}};
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++)
        if (only < 0 || only == k) rc = od_links_list(pool, (enum od_link_kind)k, &lists[k]);
    if (rc == 0) {
        if (json)
            print_json(lists, 2);
        else
            print_table(lists, 2);
    } else {
        fprintf(stderr, "opsdeck links: %s\n", od_err());
    }
    od_link_list_release(&lists[0]);
    od_link_list_release(&lists[1]);
    return rc < 0 ? 1 : 0;
}

static int do_edit(struct od_pool *pool, enum od_link_edit edit, int argc, char **argv)
{
    enum od_link_kind kind;
    long local = 0, remote = 0, version = 0;
    int need = edit == OD_LINK_SET ? 3 : 2; /* kind, id [, remote] */
    int pos = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0 && i + 1 < argc) {
            if (od_parse_long(argv[++i], 0, 1000000000L, &version) < 0)
                return od_cmd_usage_error(&cmd_links_def, "--version: %s", od_err());
        } else if (pos == 0 && od_link_kind_parse(argv[i], &kind) == 0) {
            pos++;
        } else if (pos == 1 && od_parse_long(argv[i], 1, 9007199254740991L, &local) == 0) {
            pos++;
        } else if (pos == 2 && need == 3 &&
                   od_parse_long(argv[i], 1, 9007199254740991L, &remote) == 0) {
            pos++;
        } else {
            return od_cmd_usage_error(&cmd_links_def, "unexpected argument '%s'", argv[i]);
        }
    }
    if (pos != need)
        return od_cmd_usage_error(&cmd_links_def, "%s needs %s", argv[1],
                                  need == 3 ? "client|project ID LINKED_ID" : "client|project ID");
    char *actor = cli_actor();
    int nv = 0;
    int rc = od_links_edit(pool, kind, edit, local, remote, (int)version, actor, &nv);
    free(actor);
    if (rc < 0) {
        fprintf(stderr, "opsdeck links: %s\n", od_err());
        return 1;
    }
    if (edit == OD_LINK_RESET)
        printf("%s %ld: manual decision removed; automatic matching applies\n",
               od_link_kind_name(kind), local);
    else
        printf("%s %ld: %s by hand (version %d)\n", od_link_kind_name(kind), local,
               edit == OD_LINK_SET ? "linked" : "unlinked", nv);
    return 0;
}

static int do_export(struct od_pool *pool, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(argv[i + 1], "csv"))
            i++;
        else
            return od_cmd_usage_error(&cmd_links_def, "export: unknown option '%s' (--format csv)",
                                      argv[i]);
    }
    struct strbuf out = STRBUF_INIT;
    int rc = od_links_export_csv(pool, &out);
    if (rc < 0)
        fprintf(stderr, "opsdeck links: %s\n", od_err());
    else
        fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
    sb_release(&out);
    return rc < 0 ? 1 : 0;
}

/* Read at most max + 1 bytes of path ("-" = stdin) into sb. -1 with od_seterr. */
static int read_file(const char *path, size_t max, struct strbuf *sb)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return od_seterr("cannot open %s: %s", path, strerror(errno));
    char buf[65536];
    size_t n;
    while (sb->len <= max && (n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_addn(sb, buf, n);
    int bad = ferror(f);
    if (f != stdin) fclose(f);
    return bad ? od_seterr("cannot read %s", path) : 0;
}

static int do_import(struct od_pool *pool, int argc, char **argv)
{
    const char *path = NULL;
    bool dry = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--dry-run"))
            dry = true;
        else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-")))
            path = argv[i];
        else
            return od_cmd_usage_error(&cmd_links_def, "import: unexpected argument '%s'", argv[i]);
    }
    if (!path) return od_cmd_usage_error(&cmd_links_def, "import needs a FILE (or - for stdin)");
    char *label = od_sanitize(path);
    struct strbuf data = STRBUF_INIT;
    int rc = 1;
    if (read_file(path, OD_LINKS_IMPORT_MAX_BYTES, &data) < 0) {
        char *e = od_sanitize(od_err());
        fprintf(stderr, "opsdeck links: %s\n", e);
        free(e);
        goto out;
    }
    char *actor = cli_actor();
    struct od_links_import res;
    int r = od_links_import_csv(pool, label, data.buf, data.len, dry, actor, &res);
    free(actor);
    if (r < 0) {
        fprintf(stderr, "opsdeck links: %s\n", od_err());
    } else if (r > 0) {
        fputs(sb_str(&res.errors), stderr);
        fprintf(stderr, "opsdeck links: %s: %d bad row%s; nothing was applied\n", label, res.bad,
                res.bad == 1 ? "" : "s");
        rc = 2;
    } else {
        printf("%s%s: %d row%s, %d client link%s and %d project link%s %s, %d unchanged\n",
               dry ? "dry run: " : "", label, res.rows, res.rows == 1 ? "" : "s",
               res.changed_clients, res.changed_clients == 1 ? "" : "s", res.changed_projects,
               res.changed_projects == 1 ? "" : "s",
               dry ? "would be set by hand (nothing applied)" : "set by hand", res.unchanged);
        rc = 0;
    }
    od_links_import_release(&res);
out:
    sb_release(&data);
    free(label);
    return rc;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    static const char *const edits[] = {"set", "unset", "reset"};
    const char *sub = argc > 1 ? argv[1] : "list";
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-links");
    if (!pool) {
        fprintf(stderr, "opsdeck links: %s\n", od_err());
        return 1;
    }
    int rc = -1;
    for (size_t e = 0; e < OD_ARRAY_LEN(edits); e++)
        if (strcmp(sub, edits[e]) == 0) rc = do_edit(pool, (enum od_link_edit)e, argc, argv);
    if (rc == -1 && strcmp(sub, "export") == 0) rc = do_export(pool, argc, argv);
    if (rc == -1 && strcmp(sub, "import") == 0) rc = do_import(pool, argc, argv);
    if (rc == -1 && strcmp(sub, "auto") == 0) {
        struct od_links_auto_result res;
        rc = od_links_auto(pool, &res) < 0 ? 1 : 0;
        if (rc)
            fprintf(stderr, "opsdeck links: %s\n", od_err());
        else
            printf("automatic links: %d created or changed, %d removed\n", res.linked, res.removed);
    }
    if (rc == -1) rc = do_list(pool, argc, argv);
    od_pool_close(pool);
    return rc;
}
