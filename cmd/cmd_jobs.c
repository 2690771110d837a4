/* cmd_jobs — `opsdeck jobs`: list the sync queue, retry or cancel a job. */
#include "cmd/command.h"
#include "cmd/output.h"
#include "core/base/config.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/jobs/jobview.h"
#include "core/jobs/queue.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt jobs_opts[] = {
    OD_OUTPUT_OPTS_TCJ,
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
    {.arg = "ID", .kind = OD_CLI_TEXT, .required = true, .help = "the job, as listed"},
    OD_OUTPUT_OPTS_TJ,
    {0}};
static const struct od_subcommand jobs_subs[] = {
    {.name = "retry",
     .help = "make a dead, cancelled or retryable job available now",
     .opts = jobs_id_opts},
    {.name = "cancel",
     .help = "cancel a pending job; a running one stops at its next page",
     .opts = jobs_id_opts},
    {0}};

static const char usage[] =
    "usage: opsdeck jobs [--format table|csv|json] [--json] [--csv-raw] [--state STATE]\n"
    "                    [--limit N]\n"
    "       opsdeck jobs retry ID [--format table|json]\n"
    "       opsdeck jobs cancel ID [--format table|json]\n\n"
    "Lists the newest jobs of the sync queue (default 50): id, provider/resource, state,\n"
    "attempts, progress, last update and last error.\n"
    "States: available, running, retryable (waiting for its backoff), completed, dead (gave up\n"
    "after max attempts or a permanent error), cancelled.\n\n"
    "  --format F     table (default), csv or json: {\"jobs\":[...]} with every field,\n"
    "                 including all recorded errors (docs/json.md)\n"
    "  --json         the same as --format json\n"
    "  --csv-raw      CSV text cells exactly as stored (no formula guard)\n"
    "  --state STATE  only jobs in STATE\n"
    "  --limit N      at most N jobs (1..10000)\n"
    "  retry ID       make a dead, cancelled or retryable job available now\n"
    "  cancel ID      cancel a pending job; a running one stops at its next page\n"
    "                 (retry and cancel with --format json: {\"retried\":[ID]} or\n"
    "                 {\"cancelled\":[ID]})\n\n"
    "Exit status: 0 ok, 1 failure (database, no such job, not possible in its state), 2 usage.\n";

const struct od_command cmd_jobs_def = {
    .name = "jobs",
    .summary = "List sync jobs; retry or cancel one",
    .usage = usage,
    .run = run,
    .subs = jobs_subs,
    .opts = jobs_opts,
};

/* A number of seconds with one decimal, or null. */
static void add_seconds(cJSON *o, const char *name, bool present, double s)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f", s);
    if (present)
        cJSON_AddRawToObject(o, name, buf);
    else
        cJSON_AddNullToObject(o, name);
}

/* One job as JSON; a zeroed row gives the members (CSV header). */
static cJSON *job_json(const struct od_job_row *r, int heartbeat_s)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", r->id);
    od_json_add_str(o, "provider", r->provider);
    od_json_add_str(o, "resource", r->resource);
    od_json_add_str(o, "state", r->state);
    /* status: the state in words (stalled, waiting, retry in ...), as the console says it */
    char words[OD_JOBVIEW_MAX] = "";
    if (r->state) od_jobview_state(r, heartbeat_s, words, sizeof words);
    od_json_add_str(o, "status", words);
    bool waiting = r->state && !strcmp(r->state, "running") && r->wait_s > 0;
    add_seconds(o, "waiting_s", waiting, r->wait_s);
    od_json_add_str(o, "wait_reason", waiting ? r->wait_reason : NULL);
    add_seconds(o, "heartbeat_age_s", r->heartbeat_age_s >= 0, r->heartbeat_age_s);
    od_json_add_i64(o, "priority", r->priority);
    od_json_add_i64(o, "attempts", r->attempts);
    od_json_add_i64(o, "max_attempts", r->max_attempts);
    od_json_add_i64(o, "progress_done", r->progress_done);
    if (r->progress_total >= 0)
        od_json_add_i64(o, "progress_total", r->progress_total);
    else
        cJSON_AddNullToObject(o, "progress_total");
    char rate[32];
    snprintf(rate, sizeof rate, "%.2f", r->rate_per_s);
    cJSON_AddRawToObject(o, "rate_per_s", rate);
    od_json_add_str(o, "unique_key", r->unique_key);
    od_json_add_str(o, "locked_by", r->locked_by);
    od_output_add_time(o, "run_at", r->run_at);
    od_output_add_time(o, "created_at", r->created_at);
    od_output_add_time(o, "updated_at", r->updated_at);
    od_output_add_time(o, "finished_at", r->finished_at);
    od_json_add_str(o, "last_error", r->last_error);
    od_output_add_json(o, "args", r->args_json ? r->args_json : "{}");
    od_output_add_json(o, "errors", r->errors_json ? r->errors_json : "[]");
    return o;
}

static void print_data(const struct od_job_row *rows, size_t n, int heartbeat_s,
                       const struct od_output *out)
{
    cJSON *arr, *doc = od_output_doc("jobs", &arr);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, job_json(&rows[i], heartbeat_s));
    struct od_job_row proto = {.progress_total = -1, .heartbeat_age_s = -1};
    od_output_emit(doc, "jobs", out, job_json(&proto, heartbeat_s));
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

/* jobs retry|cancel ID: a line, or with --format json {"retried":[ID]} / {"cancelled":[ID]}
 * (the shape of `deadletters discard`); errors through od_cmd_error, so JSON on stderr too. */
static int act(PGconn *c, const char *verb, const char *arg, const struct od_output *out)
{
    long id;
    bool retry = !strcmp(verb, "retry");
    if (od_parse_long(arg, 1, 0x7fffffffffffffffL, &id) < 0)
        return od_cmd_usage_error(&cmd_jobs_def, "%s: job id '%s' is not a number", verb, arg);
    int rc = retry ? od_queue_retry(c, id) : od_queue_cancel(c, id);
    if (rc < 0) return od_cmd_error("jobs", 1, "%s: %s", verb, od_err());
    if (rc == 0)
        return od_cmd_error("jobs", 1,
                            "%s: job %ld cannot be %s in its current state (see `opsdeck jobs`)",
                            verb, id, retry ? "retried" : "cancelled");
    if (out->format == OD_FORMAT_JSON) {
        const char *name = retry ? "retried" : "cancelled";
        char num[24];
        snprintf(num, sizeof num, "%ld", id);
        cJSON *arr, *doc = od_output_doc(name, &arr);
        cJSON_AddItemToArray(arr, cJSON_CreateRaw(num));
        od_output_emit(doc, name, out, NULL);
    } else {
        printf("job %ld %s\n", id, retry ? "will run again" : "cancelled");
    }
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    struct od_output out = {.format = OD_FORMAT_TABLE};
    const char *state = NULL, *verb = NULL, *arg = NULL;
    long limit = 50;
    for (int i = 1; i < argc; i++) {
        int f = od_output_arg(&cmd_jobs_def, argc, argv, &i, OD_FORMATS_TCJ, &out);
        if (f == 2) return 2;
        if (f == 1) {
            continue;
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
    if (verb && out.format == OD_FORMAT_CSV)
        return od_cmd_usage_error(&cmd_jobs_def, "%s prints a line or JSON (--format table|json)",
                                  verb);
    PGconn *c = od_db_connect(ctx->cfg, "opsdeck-jobs");
    if (!c) return od_cmd_error("jobs", 1, "%s", od_err());
    int rc = 0;
    if (verb) {
        rc = act(c, verb, arg, &out);
    } else {
        struct od_job_row *rows = NULL;
        size_t n = 0;
        if (od_queue_list(c, state, NULL, 0, (int)limit, &rows, &n) < 0) {
            rc = od_cmd_error("jobs", 1, "%s", od_err());
        } else if (out.format != OD_FORMAT_TABLE) {
            print_data(rows, n, ctx->cfg->sync.heartbeat_s, &out);
        } else {
            print_table(rows, n);
        }
        od_queue_rows_free(rows, n);
    }
    PQfinish(c);
    return rc;
}
