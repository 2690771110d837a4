/* cmd_deadletters — `opsdeck deadletters`: records that failed validation during a sync: list,
 * show one, replay (store it after all, once fixed upstream or by a newer parser) or discard.
 * The work is core/connectors/deadletters.h; this file parses arguments and prints. Every
 * string from outside is sanitized for a terminal (tables) or escaped (JSON on a terminal). */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "core/connectors/deadletters.h"
#include "core/db/db.h"
#include "core/security/auth.h"
#include "core/security/vault.h"
#include <cjson/cJSON.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt list_opts[] = {
    {.name = "--all", .help = "replayed dead letters too"},
    {.name = "--limit", .arg = "N", .kind = OD_CLI_TEXT, .help = "at most N (default 100)"},
    {.name = "--format",
     .arg = "F",
     .kind = OD_CLI_ENUM,
     .values = "table|json",
     .help = "table (default) or one JSON document"},
    {.name = "--json", .help = "the same as --format json"},
    {0}};
static const struct od_cli_opt id_opts[] = {
    {.arg = "ID", .kind = OD_CLI_TEXT, .required = true, .help = "the dead letter's id"},
    {.name = "--format",
     .arg = "F",
     .kind = OD_CLI_ENUM,
     .values = "table|json",
     .help = "table (default) or one JSON document"},
    {.name = "--json", .help = "the same as --format json"},
    {0}};
static const struct od_cli_opt replay_opts[] = {
    {.arg = "ID", .kind = OD_CLI_TEXT, .help = "the dead letter's id (or --all)"},
    {.name = "--all", .help = "every open dead letter, oldest first"},
    {.name = "--from",
     .arg = "SRC",
     .kind = OD_CLI_ENUM,
     .values = "auto|upstream|stored",
     .help = "where the record comes from (default auto)"},
    {.name = "--format",
     .arg = "F",
     .kind = OD_CLI_ENUM,
     .values = "table|json",
     .help = "table (default) or one JSON document"},
    {.name = "--json", .help = "the same as --format json"},
    {0}};
static const struct od_subcommand dl_subs[] = {
    {.name = "list", .help = "open dead letters, newest first (the default)", .opts = list_opts},
    {.name = "show", .help = "one dead letter with its payload", .opts = id_opts},
    {.name = "replay", .help = "fetch, validate and store the record again", .opts = replay_opts},
    {.name = "discard", .help = "delete it (audited)", .opts = id_opts},
    {0}};

static const char usage[] =
    "usage: opsdeck deadletters [list] [--all] [--limit N] [--format table|json]\n"
    "       opsdeck deadletters show ID [--format table|json]\n"
    "       opsdeck deadletters replay ID [--from auto|upstream|stored] [--format table|json]\n"
    "       opsdeck deadletters replay --all [--from auto|upstream|stored] [--format table|json]\n"
    "       opsdeck deadletters discard ID [--format table|json]\n\n"
    "A dead letter is a record a sync could not store (bad date, hours not a number, missing\n"
    "project ...): its provider, resource, record id, the reason and the payload as received.\n\n"
    "  list           open dead letters, newest first (--all: replayed ones too; --limit N,\n"
    "                 default 100): id, provider, resource, record id, when, reason\n"
    "  show ID        one dead letter with its payload as indented JSON\n"
    "  replay ID      fetch the record again from upstream by id (Harvest GET\n"
    "                 /v2/time_entries/ID, HubSpot GET /crm/v3/objects/deals/ID ...), validate\n"
    "                 it with today's parser and store it as the sync would (time entries with\n"
    "                 their rollups, in one transaction); every open dead letter of that record\n"
    "                 is marked replayed (kept, with who and when) and the audit log says so.\n"
    "                 A record still invalid is refused with the reason; one gone upstream\n"
    "                 (404) is refused too (discard it).\n"
    "  --from auto    upstream, or the stored payload when upstream cannot be asked (default)\n"
    "  --from upstream  upstream only;  --from stored  the stored payload only (no network)\n"
    "  replay --all   every open dead letter, oldest first; a summary at the end\n"
    "  discard ID     delete it; the audit log keeps what it was and who discarded it\n"
    "  --format json  one JSON document (--json is the same): {\"dead_letters\":[...],\n"
    "                 \"open\":N,\"resolved\":N}, {\"dead_letter\":{...}}, {\"replayed\":[...],\n"
    "                 \"stored\":N,\"refused\":N} or {\"discarded\":[ID]}; times RFC 3339 UTC\n"
    "  --json         the same as --format json\n\n"
    "Console users need the role's permission (ops and admin replay and discard; on-call may\n"
    "read); the CLI acts as the service account and is audited as cli:<unix user>.\n"
    "See docs/runbook.md, \"Dead letters\".\n\n"
    "Exit status: 0 ok, 1 failure (no such dead letter, a replay refused, database), 2 usage.\n";

const struct od_command cmd_deadletters_def = {
    .name = "deadletters",
    .summary = "List, show, replay or discard records that failed validation during a sync",
    .usage = usage,
    .run = run,
    .subs = dl_subs,
    .opts = list_opts,
};

static void out_json(struct strbuf *doc)
{
    sb_addch(doc, '\n');
    if (isatty(STDOUT_FILENO)) { /* a terminal acts on controls: show them escaped */
        struct strbuf t = STRBUF_INIT;
        od_tty_escape(&t, doc->buf, doc->len, true);
        fputs(sb_str(&t), stdout);
        sb_release(&t);
    } else {
        fwrite(doc->buf, 1, doc->len, stdout);
    }
}

static void cell(struct strbuf *sb, const char *s, int cols, bool right)
{
    char *clean = od_sanitize(s ? s : "-");
    if (right)
        od_pad_left(sb, clean, cols);
    else
        od_pad_right(sb, clean, cols);
    sb_add(sb, "  ");
    free(clean);
}

static void dl_json(struct strbuf *sb, const struct od_deadletter *d)
{
    sb_addf(sb, "{\"id\":%lld,\"provider\":", (long long)d->id);
    od_json_quote(sb, d->provider);
    sb_add(sb, ",\"resource\":");
    od_json_quote(sb, d->resource);
    sb_add(sb, ",\"record_id\":");
    od_json_quote(sb, d->record_id);
    if (d->job_id)
        sb_addf(sb, ",\"job_id\":%lld", (long long)d->job_id);
    else
        sb_add(sb, ",\"job_id\":null");
    sb_add(sb, ",\"reason\":");
    od_json_quote(sb, d->reason);
    sb_add(sb, ",\"created_at\":");
    od_json_quote(sb, d->created_at);
    sb_add(sb, ",\"resolved_at\":");
    od_json_quote(sb, *d->resolved_at ? d->resolved_at : NULL);
    sb_add(sb, ",\"resolution\":");
    od_json_quote(sb, d->resolution);
    sb_add(sb, ",\"resolved_by\":");
    od_json_quote(sb, d->resolved_by);
    sb_addf(sb, ",\"payload_bytes\":%lld", (long long)d->payload_bytes);
}

static int do_list(PGconn *c, const struct od_dl_who *who, bool all, long limit, bool json)
{
    struct od_deadletter_list l;
    if (od_deadletters_list(c, who, all, (int)limit, &l) < 0) {
        fprintf(stderr, "opsdeck deadletters: %s\n", od_err());
        return 1;
    }
    struct strbuf sb = STRBUF_INIT;
    if (json) {
        sb_add(&sb, "{\"dead_letters\":[");
        for (size_t i = 0; i < l.n; i++) {
            sb_add(&sb, i ? ",\n  " : "\n  ");
            dl_json(&sb, &l.items[i]);
            sb_addch(&sb, '}');
        }
        sb_addf(&sb, "%s],\"open\":%lld,\"resolved\":%lld}", l.n ? "\n" : "", (long long)l.open,
                (long long)l.resolved);
        out_json(&sb);
    } else {
        sb_add(&sb, "     ID  PROVIDER  RESOURCE        RECORD        WHEN                  ");
        sb_add(&sb, all ? "STATE     REASON\n" : "REASON\n");
        for (size_t i = 0; i < l.n; i++) {
            const struct od_deadletter *d = &l.items[i];
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)d->id);
            cell(&sb, id, 7, true);
            cell(&sb, d->provider, 8, false);
            cell(&sb, d->resource, 14, false);
            cell(&sb, d->record_id, 12, false);
            cell(&sb, d->created_at, 20, false);
            if (all) cell(&sb, d->resolution ? d->resolution : "open", 8, false);
            char *reason = od_sanitize(d->reason);
            od_fit_to(&sb, reason, 70);
            free(reason);
            sb_addch(&sb, '\n');
        }
        sb_addf(&sb, "%lld open, %lld resolved%s\n", (long long)l.open, (long long)l.resolved,
                l.open ? "  (show ID, replay ID, replay --all, discard ID)" : "");
        fputs(sb_str(&sb), stdout);
    }
    sb_release(&sb);
    od_deadletter_list_release(&l);
    return 0;
}

/* The payload as indented JSON, each line sanitized (indentation kept as spaces). */
static void pretty_payload(struct strbuf *sb, const char *payload)
{
    cJSON *j = cJSON_Parse(payload);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) {
        char *clean = od_sanitize(payload);
        sb_addf(sb, "  (not JSON) %s\n", clean);
        free(clean);
        return;
    }
    for (char *line = text; *line;) {
        size_t n = strcspn(line, "\n"), tabs = strspn(line, "\t");
        if (tabs > n) tabs = n;
        char *clean = od_sanitize_n(line + tabs, n - tabs);
        sb_addf(sb, "  %*s%s\n", (int)(2 * tabs), "", clean);
        free(clean);
        line += n + (line[n] == '\n');
    }
    free(text);
}

static int do_show(PGconn *c, const struct od_dl_who *who, long id, bool json)
{
    struct od_deadletter d;
    if (od_deadletter_get(c, who, id, &d) < 0) {
        fprintf(stderr, "opsdeck deadletters: %s\n", od_err());
        return 1;
    }
    struct strbuf sb = STRBUF_INIT;
    if (json) {
        sb_add(&sb, "{\"dead_letter\":");
        dl_json(&sb, &d);
        sb_add(&sb, ",\"payload\":");
        cJSON *j = cJSON_Parse(d.payload);
        char *norm = j ? cJSON_PrintUnformatted(j) : NULL;
        if (norm)
            sb_add(&sb, norm);
        else
            od_json_quote(&sb, d.payload);
        free(norm);
        cJSON_Delete(j);
        sb_add(&sb, "}}");
        out_json(&sb);
    } else {
        const char *keys[] = {"provider", "resource", "record", "received", "reason"};
        const char *vals[] = {d.provider, d.resource, d.record_id, d.created_at, d.reason};
        sb_addf(&sb, "dead letter %lld (%s)\n", (long long)d.id,
                d.resolution ? d.resolution : "open");
        for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++) {
            char *v = od_sanitize(vals[i] ? vals[i] : "-");
            sb_addf(&sb, "%-10s %s\n", keys[i], v);
            free(v);
        }
        if (d.job_id) sb_addf(&sb, "%-10s %lld\n", "job", (long long)d.job_id);
        if (*d.resolved_at) {
            char *by = od_sanitize(d.resolved_by ? d.resolved_by : "?");
            sb_addf(&sb, "%-10s %s at %s by %s\n", "resolved", d.resolution ? d.resolution : "",
                    d.resolved_at, by);
            free(by);
        }
        sb_addf(&sb, "payload (%lld bytes, as received):\n", (long long)d.payload_bytes);
        pretty_payload(&sb, d.payload);
        fputs(sb_str(&sb), stdout);
    }
    sb_release(&sb);
    od_deadletter_clear(&d);
    return 0;
}

static int do_discard(PGconn *c, const struct od_dl_who *who, long id, bool json)
{
    if (od_deadletter_discard(c, who, id) < 0) {
        fprintf(stderr, "opsdeck deadletters: %s\n", od_err());
        return 1;
    }
    if (json) {
        struct strbuf sb = STRBUF_INIT;
        sb_addf(&sb, "{\"discarded\":[%ld]}", id);
        out_json(&sb);
        sb_release(&sb);
    } else {
        printf("dead letter %ld discarded (deleted; the audit log keeps what it was)\n", id);
    }
    return 0;
}

struct replay_opts {
    struct od_replay_env env;
    enum od_replay_from from;
    bool json;
};

static int do_replay(const struct od_dl_who *who, const struct replay_opts *o, const int64_t *ids,
                     size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    long stored = 0, refused = 0;
    if (o->json) sb_add(&sb, "{\"replayed\":[");
    for (size_t i = 0; i < n; i++) {
        struct od_replay_result r;
        int rc = od_deadletter_replay(&o->env, who, ids[i], o->from, &r);
        rc == 0 ? stored++ : refused++;
        char *msg = od_sanitize(r.message);
        if (o->json) {
            sb_addf(&sb, "%s\n  {\"id\":%lld,\"stored\":%s,\"from\":", i ? "," : "",
                    (long long)ids[i], rc == 0 ? "true" : "false");
            od_json_quote(&sb, *r.from ? r.from : NULL);
            sb_addf(&sb, ",\"upserted\":%lld,\"resolved\":%lld,\"message\":", (long long)r.upserted,
                    (long long)r.resolved);
            od_json_quote(&sb, r.message);
            sb_addch(&sb, '}');
        } else if (rc == 0) {
            printf("dead letter %lld: %s\n", (long long)ids[i], msg);
        } else {
            fprintf(stderr, "opsdeck deadletters: dead letter %lld not replayed: %s\n",
                    (long long)ids[i], msg);
        }
        free(msg);
    }
    if (o->json) {
        sb_addf(&sb, "%s],\"stored\":%ld,\"refused\":%ld}", n ? "\n" : "", stored, refused);
        out_json(&sb);
    } else if (n != 1) {
        printf("%ld replayed, %ld refused\n", stored, refused);
    }
    sb_release(&sb);
    return refused ? 1 : 0;
}

static char *cli_actor(void)
{
    struct passwd *pw = getpwuid(geteuid());
    return od_xasprintf("cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *verb = "list";
    long id = 0, limit = 100;
    bool all = false, json = false;
    struct replay_opts ro = {.from = OD_REPLAY_AUTO};
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') verb = argv[first++];
    if (strcmp(verb, "list") && strcmp(verb, "show") && strcmp(verb, "replay") &&
        strcmp(verb, "discard"))
        return od_cmd_usage_error(&cmd_deadletters_def, "unknown subcommand '%s'", verb);
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--format") && i + 1 < argc &&
                   (!strcmp(argv[i + 1], "json") || !strcmp(argv[i + 1], "table"))) {
            json = !strcmp(argv[++i], "json");
        } else if (!strcmp(a, "--all") && (!strcmp(verb, "list") || !strcmp(verb, "replay"))) {
            all = true;
        } else if (!strcmp(a, "--limit") && i + 1 < argc && !strcmp(verb, "list")) {
            if (od_parse_long(argv[++i], 1, 100000, &limit) < 0)
                return od_cmd_usage_error(&cmd_deadletters_def, "--limit: %s", od_err());
        } else if (!strcmp(a, "--from") && i + 1 < argc && !strcmp(verb, "replay")) {
            const char *f = argv[++i];
            if (!strcmp(f, "auto"))
                ro.from = OD_REPLAY_AUTO;
            else if (!strcmp(f, "upstream"))
                ro.from = OD_REPLAY_UPSTREAM;
            else if (!strcmp(f, "stored"))
                ro.from = OD_REPLAY_STORED;
            else
                return od_cmd_usage_error(&cmd_deadletters_def,
                                          "--from wants auto, upstream or stored, not '%s'", f);
        } else if (!id && strcmp(verb, "list") &&
                   od_parse_long(a, 1, 0x7fffffffffffffffL, &id) == 0) {
            continue;
        } else {
            return od_cmd_usage_error(&cmd_deadletters_def, "unexpected argument '%s'", a);
        }
    }
    bool wants_id = strcmp(verb, "list") && !(all && !strcmp(verb, "replay"));
    if (wants_id && !id)
        return od_cmd_usage_error(&cmd_deadletters_def, "%s needs a dead letter ID", verb);
    if (!wants_id && id)
        return od_cmd_usage_error(&cmd_deadletters_def, "%s takes no ID here", verb);

    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-deadletters");
    PGconn *c = pool ? od_pool_acquire(pool, ctx->cfg->database.acquire_timeout_ms) : NULL;
    if (!c) {
        fprintf(stderr, "opsdeck deadletters: %s\n", od_err());
        od_pool_close(pool);
        return 1;
    }
    char *actor = cli_actor();
    struct od_dl_who who = {NULL, actor, od_config_login_source()};
    struct od_vault *vault = NULL;
    int rc;
    if (!strcmp(verb, "list")) {
        rc = do_list(c, &who, all, limit, json);
    } else if (!strcmp(verb, "show")) {
        rc = do_show(c, &who, id, json);
    } else if (!strcmp(verb, "discard")) {
        rc = do_discard(c, &who, id, json);
    } else {
        const char *key = ctx->cfg->secrets.key_file;
        if (key && *key && !(vault = od_vault_open(key)))
            od_log_warn("no secrets key (%s): replay uses environment tokens", od_err());
        ro.env = (struct od_replay_env){ctx->cfg, pool, vault};
        ro.json = json;
        int64_t one = id, *ids = &one;
        size_t n = 1;
        if (all && od_deadletters_open_ids(c, &ids, &n) < 0) {
            fprintf(stderr, "opsdeck deadletters: %s\n", od_err());
            rc = 1;
        } else {
            od_pool_release(pool, c); /* each replay takes its own connection */
            c = NULL;
            rc = do_replay(&who, &ro, ids, n);
        }
        if (ids != &one) free(ids);
    }
    free(actor);
    if (c) od_pool_release(pool, c);
    od_pool_close(pool);
    od_vault_close(vault);
    return rc;
}
