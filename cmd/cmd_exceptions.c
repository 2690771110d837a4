/* cmd_exceptions — `opsdeck exceptions ...`: list, evaluate, acknowledge and resolve
 * exceptions (core/domain/exceptions.c, rules in core/domain/rules.c). */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/domain/exceptions.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt exceptions_list_opts[] = {
    {.name = "--json", .help = "one JSON array"},
    {.name = "--kind",
     .arg = "K",
     .kind = OD_CLI_TEXT,
     .help = "only exceptions of kind K (`opsdeck exceptions rules` lists the kinds)"},
    {.name = "--open", .help = "open and acknowledged exceptions (the default)"},
    {.name = "--all", .help = "exceptions in every state"},
    {0}};
static const struct od_cli_opt exceptions_edit_opts[] = {
    {.arg = "ID", .kind = OD_CLI_TEXT, .required = true, .help = "the exception, as listed"},
    {.name = "--note",
     .arg = "TEXT",
     .kind = OD_CLI_TEXT,
     .help = "a note recorded with the change"},
    {.name = "--version",
     .arg = "V",
     .kind = OD_CLI_TEXT,
     .help = "the version shown by the list; a change made since is refused"},
    {0}};
static const struct od_subcommand exceptions_subs[] = {
    {.name = "list",
     .help = "live exceptions, most severe first (the default)",
     .opts = exceptions_list_opts},
    {.name = "ack",
     .help = "acknowledge: someone is on it (recorded with your name and the note)",
     .opts = exceptions_edit_opts},
    {.name = "resolve",
     .help = "mark fixed; if the rule still finds the problem, a new one opens",
     .opts = exceptions_edit_opts},
    {.name = "evaluate",
     .help = "run every rule now (also done after each sync and on a schedule)"},
    {.name = "rules", .help = "the rules, their severity and threshold"},
    {0}};

static const char usage[] =
    "usage: opsdeck exceptions [list] [--json] [--kind K] [--open|--all]\n"
    "       opsdeck exceptions ack ID [--note TEXT] [--version V]\n"
    "       opsdeck exceptions resolve ID [--note TEXT] [--version V]\n"
    "       opsdeck exceptions evaluate\n"
    "       opsdeck exceptions rules\n\n"
    "list      live exceptions (open and acknowledged; --all: every state), most severe first\n"
    "ack       acknowledge: someone is on it (recorded with your name, the time and the note)\n"
    "resolve   mark fixed; if the rule still finds the problem, a new exception opens\n"
    "evaluate  run every rule now (also done after each sync and on a schedule)\n"
    "rules     the rules, their severity and threshold\n\n"
    "  --version V  the version shown by the list; a change made since is refused\n\n"
    "Exit status: 0 ok, 1 failure (stale version, no such exception, database), 2 usage.\n";

const struct od_command cmd_exceptions_def = {
    .name = "exceptions",
    .summary = "List, evaluate, acknowledge and resolve exceptions",
    .usage = usage,
    .run = run,
    .subs = exceptions_subs,
    .opts = exceptions_list_opts,
};

static void print_json(const struct od_exception_list *l)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(doc, "exceptions");
    for (size_t i = 0; i < l->n; i++) {
        const struct od_exception *e = &l->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)e->id);
        cJSON_AddStringToObject(o, "kind", e->kind);
        cJSON_AddStringToObject(o, "severity", e->severity);
        cJSON_AddStringToObject(o, "subject", e->subject ? e->subject : "");
        cJSON_AddStringToObject(o, "message", e->message ? e->message : "");
        cJSON_AddStringToObject(o, "state", e->state);
        cJSON_AddStringToObject(o, "first_seen", e->first_seen);
        cJSON_AddStringToObject(o, "last_seen", e->last_seen);
        cJSON_AddNumberToObject(o, "count", (double)e->count);
        cJSON_AddNumberToObject(o, "version", e->version);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_PrintUnformatted(doc);
    puts(s);
    free(s);
    cJSON_Delete(doc);
}

static void print_table(const struct od_exception_list *l)
{
    struct strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%6s  %-8s  %-12s  %-26s  %-24s  %5s  %3s  %s\n", "ID", "SEVERITY", "STATE",
            "KIND", "SUBJECT", "COUNT", "VER", "MESSAGE");
    for (size_t i = 0; i < l->n; i++) {
        const struct od_exception *e = &l->items[i];
        sb_addf(&sb, "%6lld  ", (long long)e->id);
        const char *cells[] = {e->severity, e->state, e->kind, e->subject};
        static const int w[] = {8, 12, 26, 24};
        for (size_t c = 0; c < OD_ARRAY_LEN(cells); c++) {
            od_pad_cell(&sb, cells[c], w[c], false);
            sb_add(&sb, "  ");
        }
        sb_addf(&sb, "%5lld  %3d  ", (long long)e->count, e->version);
        char *s = od_sanitize(e->message);
        od_fit_to(&sb, s, 100);
        free(s);
        sb_addch(&sb, '\n');
    }
    if (l->n == 0) sb_add(&sb, "(no exceptions)\n");
    fputs(sb_str(&sb), stdout);
    sb_release(&sb);
}

static int do_list(struct od_pool *pool, int argc, char **argv)
{
    struct od_exception_filter f = {0};
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "list") == 0 && i == 1) continue;
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--all") == 0)
            f.all = true;
        else if (strcmp(argv[i], "--open") == 0)
            f.all = false;
        else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc)
            f.kind = argv[++i];
        else
            return od_cmd_usage_error(&cmd_exceptions_def, "unknown option '%s'", argv[i]);
    }
    struct od_exception_list l;
    if (od_exceptions_list(pool, &f, &l) < 0) {
        fprintf(stderr, "opsdeck exceptions: %s\n", od_err());
        return 1;
    }
    if (json)
        print_json(&l);
    else
        print_table(&l);
    od_exception_list_release(&l);
    return 0;
}

static int do_transition(struct od_pool *pool, bool resolve, int argc, char **argv)
{
    long id = 0, version = 0;
    const char *note = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--note") == 0 && i + 1 < argc) {
            note = argv[++i];
        } else if (strcmp(argv[i], "--version") == 0 && i + 1 < argc) {
            if (od_parse_long(argv[++i], 1, 1000000000L, &version) < 0)
                return od_cmd_usage_error(&cmd_exceptions_def, "--version: %s", od_err());
        } else if (!id && od_parse_long(argv[i], 1, 9007199254740991L, &id) == 0) {
            continue;
        } else {
            return od_cmd_usage_error(&cmd_exceptions_def, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!id) return od_cmd_usage_error(&cmd_exceptions_def, "%s needs an exception ID", argv[1]);
    struct passwd *pw = getpwuid(geteuid());
    char *actor = od_xasprintf("cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    int nv = 0;
    int rc = resolve ? od_exceptions_resolve(pool, id, (int)version, actor, note, &nv)
                     : od_exceptions_ack(pool, id, (int)version, actor, note, &nv);
    free(actor);
    if (rc < 0) {
        fprintf(stderr, "opsdeck exceptions: %s\n", od_err());
        return 1;
    }
    printf("exception %ld %s (version %d)\n", id, resolve ? "resolved" : "acknowledged", nv);
    return 0;
}

static int do_evaluate(struct od_pool *pool, const struct od_config *cfg)
{
    struct od_exceptions_eval ev;
    int rc = od_exceptions_evaluate(pool, cfg, &ev);
    printf("%d rules: %d opened, %d changed, %d closed, %d failed\n", ev.rules, ev.opened,
           ev.changed, ev.closed, ev.failed);
    if (rc < 0) fprintf(stderr, "opsdeck exceptions: %s\n", od_err());
    return rc < 0 ? 1 : 0;
}

static int do_rules(const struct od_config *cfg)
{
    printf("%-26s  %-8s  %-24s  %s\n", "KIND", "SEVERITY", "THRESHOLD", "WHAT IT FINDS");
    for (size_t i = 0; i < od_rules_count; i++) {
        const struct od_rule *r = &od_rules[i];
        char thr[64] = "-";
        if (r->threshold)
            snprintf(thr, sizeof thr, "rules.%s=%d", r->threshold, od_rule_threshold(r, cfg));
        printf("%-26s  %-8s  %-24s  %s\n", r->kind, r->severity, thr, r->describe);
    }
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "list";
    if (strcmp(sub, "rules") == 0) return do_rules(ctx->cfg);
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-exceptions");
    if (!pool) {
        fprintf(stderr, "opsdeck exceptions: %s\n", od_err());
        return 1;
    }
    int rc;
    if (strcmp(sub, "ack") == 0 || strcmp(sub, "resolve") == 0)
        rc = do_transition(pool, strcmp(sub, "resolve") == 0, argc, argv);
    else if (strcmp(sub, "evaluate") == 0)
        rc = do_evaluate(pool, ctx->cfg);
    else
        rc = do_list(pool, argc, argv);
    od_pool_close(pool);
    return rc;
}
