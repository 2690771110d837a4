/* cmd_jobs — `opsdeck jobs`: list the sync queue, retry or cancel a job. */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/jobs/queue.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt jobs_opts[] = {
    {.name = "--json", .help = "one JSON array with every field, including all recorded errors"},
    {.name = "--state",
     .arg = "STATE",
     .kind = OD_CLI_ENUM,
     .values = "available|running|retryable|completed|dead|cancelled",
     .help = "only jobs in STATE"},
    {.name = "--limit",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "at most N jobs, 1..10000 (default 50)"},
    {0}};
static const struct od_cli_opt jobs_id_opts[] = {
    {.arg = "ID", .kind = OD_CLI_TEXT, .required = true, .help = "the job, as listed"}, {0}};
static const struct od_subcommand jobs_subs[] = {
    {.name = "retry",
     .help = "make a dead, cancelled or retryable job available now",
     .opts = jobs_id_opts},
    {.name = "cancel",
     .help = "cancel a pending job; a running one stops at its next page",
     .opts = jobs_id_opts},
    {0}};

static const char usage[] =
    "usage: opsdeck jobs [--json] [--state STATE] [--limit N]\n"
    "       opsdeck jobs retry ID\n"
    "       opsdeck jobs cancel ID\n\n"
    "Lists the newest jobs of the sync queue (default 50): id, provider/resource, state,\n"
    "attempts, progress, last update and last error.\n"
    "States: available, running, retryable (waiting for its backoff), completed, dead (gave up\n"
    "after max attempts or a permanent error), cancelled.\n\n"
    "  --json         one JSON array with every field, including all recorded errors\n"
    "  --state STATE  only jobs in STATE\n"
    "  --limit N      at most N jobs (1..10000)\n"
    "  retry ID       make a dead, cancelled or retryable job available now\n"
    "  cancel ID      cancel a pending job; a running one stops at its next page\n\n"
    "Exit status: 0 ok, 1 failure (database, no such job, not possible in its state), 2 usage.\n";

const struct od_command cmd_jobs_def = {
    .name = "jobs",
    .summary = "List sync jobs; retry or cancel one",
    .usage = usage,
    .run = run,
    .subs = jobs_subs,
    .opts = jobs_opts,
};

static void print_json(const struct od_job_row *rows, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "[");
    for (size_t i = 0; i < n; i++) {
        const struct od_job_row *r = &rows[i];
        sb_addf(&sb, "%s\n  {\"id\":%lld,\"provider\":", i ? "," : "", (long long)r->id);
        od_json_quote(&sb, r->provider);
        sb_add(&sb, ",\"resource\":");
        od_json_quote(&sb, r->resource);
        sb_add(&sb, ",\"state\":");
        od_json_quote(&sb, r->state);
        sb_addf(&sb, ",\"priority\":%d,\"attempts\":%d,\"max_attempts\":%d", r->priority,
                r->attempts, r->max_attempts);
        sb_addf(&sb, ",\"progress_done\":%lld,\"progress_total\":", (long long)r->progress_done);
        if (r->progress_total < 0)
            sb_add(&sb, "null");
        else
            sb_addf(&sb, "%lld", (long long)r->progress_total);
        sb_addf(&sb, ",\"rate_per_s\":%.2f,\"unique_key\":", r->rate_per_s);
        od_json_quote(&sb, r->unique_key);
        sb_add(&sb, ",\"locked_by\":");
        od_json_quote(&sb, r->locked_by);
        const char *keys[] = {"run_at", "created_at", "updated_at", "finished_at", "last_error"};
        const char *vals[] = {r->run_at, r->created_at, r->updated_at, r->finished_at,
                              r->last_error};
        for (size_t k = 0; k < OD_ARRAY_LEN(keys); k++) {
            sb_addf(&sb, ",\"%s\":", keys[k]);
            od_json_quote(&sb, vals[k]);
        }
        /* args and errors are jsonb from the database: valid JSON as they stand. */
        sb_addf(&sb, ",\"args\":%s,\"errors\":%s}", r->args_json ? r->args_json : "{}",
                r->errors_json ? r->errors_json : "[]");
    }
    sb_add(&sb, n ? "\n]\n" : "]\n");
    fputs(sb_str(&sb), stdout);
    sb_release(&sb);
}

static void cell(struct strbuf *sb, const char *s, int cols, bool right)
{
    od_pad_cell(sb, s, cols, right);
    sb_addch(sb, ' ');
}

static void print_table(const struct od_job_row *rows, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb,
           "     ID JOB                        STATE      TRY    PROGRESS  UPDATED              "
           "ERROR\n");
    for (size_t i = 0; i < n; i++) {
        const struct od_job_row *r = &rows[i];
        char buf[64];
        snprintf(buf, sizeof(buf), "%lld", (long long)r->id);
        cell(&sb, buf, 7, true);
        char *job = od_xasprintf("%s/%s", r->provider, r->resource);
        cell(&sb, job, 26, false);
        free(job);
        cell(&sb, r->state, 10, false);
        snprintf(buf, sizeof(buf), "%d/%d", r->attempts, r->max_attempts);
        cell(&sb, buf, 6, false);
        if (r->progress_total >= 0)
            snprintf(buf, sizeof(buf), "%lld/%lld", (long long)r->progress_done,
                     (long long)r->progress_total);
        else
            snprintf(buf, sizeof(buf), "%lld", (long long)r->progress_done);
        cell(&sb, buf, 11, true);
        cell(&sb, r->updated_at, 20, false);
        char *err =
            od_sanitize(r->last_error && strcmp(r->state, "completed") ? r->last_error : "");
        od_fit_to(&sb, err, 60);
        free(err);
        sb_addch(&sb, '\n');
    }
    if (n == 0) sb_add(&sb, "(no jobs)\n");
    fputs(sb_str(&sb), stdout);
    sb_release(&sb);
}

static int act(PGconn *c, const char *verb, const char *arg)
{
    long id;
    if (od_parse_long(arg, 1, 0x7fffffffffffffffL, &id) < 0)
        return od_cmd_usage_error(&cmd_jobs_def, "%s: job id '%s' is not a number", verb, arg);
    int rc = !strcmp(verb, "retry") ? od_queue_retry(c, id) : od_queue_cancel(c, id);
    if (rc < 0) {
        fprintf(stderr, "opsdeck jobs %s: %s\n", verb, od_err());
        return 1;
    }
    if (rc == 0) {
        fprintf(stderr,
                "opsdeck jobs %s: job %ld cannot be %s in its current state (see "
                "`opsdeck jobs`)\n",
                verb, id, !strcmp(verb, "retry") ? "retried" : "cancelled");
        return 1;
    }
    printf("job %ld %s\n", id, !strcmp(verb, "retry") ? "will run again" : "cancelled");
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    const char *state = NULL, *verb = NULL, *arg = NULL;
    long limit = 50;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--state") && i + 1 < argc) {
            state = argv[++i];
            if (!od_queue_state_valid(state))
                return od_cmd_usage_error(&cmd_jobs_def, "unknown state '%s'", state);
        } else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
            if (od_parse_long(argv[++i], 1, 10000, &limit) < 0)
                return od_cmd_usage_error(&cmd_jobs_def, "--limit: %s", od_err());
        } else if (!verb && (!strcmp(argv[i], "retry") || !strcmp(argv[i], "cancel")) &&
                   i + 1 < argc) {
            verb = argv[i];
            arg = argv[++i];
        } else {
            return od_cmd_usage_error(&cmd_jobs_def, "unexpected argument '%s'", argv[i]);
        }
    }
    PGconn *c = od_db_connect(ctx->cfg, "opsdeck-jobs");
    if (!c) {
        fprintf(stderr, "opsdeck jobs: %s\n", od_err());
        return 1;
    }
    int rc = 0;
    if (verb) {
        rc = act(c, verb, arg);
    } else {
        struct od_job_row *rows = NULL;
        size_t n = 0;
        if (od_queue_list(c, state, NULL, 0, (int)limit, &rows, &n) < 0) {
            fprintf(stderr, "opsdeck jobs: %s\n", od_err());
            rc = 1;
        } else if (json) {
            print_json(rows, n);
        } else {
            print_table(rows, n);
        }
        od_queue_rows_free(rows, n);
    }
    PQfinish(c);
    return rc;
}
