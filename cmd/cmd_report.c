/* cmd_report — `opsdeck report profitability ...`: core/domain/profit.c for the numbers,
 * core/domain/report.c for the table/CSV/JSON bytes; this file only parses options and prints. */
#include "cmd/command.h"
#include "cmd/output.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/base/export.h"
#include "core/domain/period.h"
#include "core/domain/profit.h"
#include "core/domain/report.h"
#include "core/base/util.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt report_opts[] = {
    {.name = "--by",
     .arg = "G",
     .kind = OD_CLI_ENUM,
     .values = "client|project|month|person",
     .help = "grouping (default client)"},
    {.name = "--from",
     .arg = "DATE",
     .kind = OD_CLI_TEXT,
     .help = "first day, YYYY-MM-DD or YYYY-MM (default: all time)"},
    {.name = "--to",
     .arg = "DATE",
     .kind = OD_CLI_TEXT,
     .help = "last day, inclusive, YYYY-MM-DD or YYYY-MM (its last day)"},
    {.name = "--period",
     .arg = "NAME",
     .kind = OD_CLI_ENUM,
     .values = "this-month|last-month|this-quarter|last-quarter|ytd|last-30d|all",
     .help = "a named range relative to today (not with --from/--to)"},
    {.name = "--client", .arg = "ID", .kind = OD_CLI_TEXT, .help = "only this Harvest client"},
    {.name = "--project", .arg = "ID", .kind = OD_CLI_TEXT, .help = "only this Harvest project"},
    {.name = "--person", .arg = "ID", .kind = OD_CLI_TEXT, .help = "only this Harvest user"},
    OD_OUTPUT_OPTS_TCJ,
    {.name = "--output",
     .arg = "FILE",
     .kind = OD_CLI_FILE,
     .help = "write to FILE (created 0600; an existing file is refused)"},
    {0}};
static const struct od_subcommand report_subs[] = {
    {.name = "profitability",
     .help = "entries, hours, revenue, cost and margin per group, with totals",
     .opts = report_opts},
    {0}};

static const char usage[] =
    "usage: opsdeck report profitability [--by client|project|month|person] [--from DATE]\n"
    "                                    [--to DATE] [--period NAME] [--client ID]\n"
    "                                    [--project ID] [--person ID]\n"
    "                                    [--format table|csv|json] [--json] [--csv-raw]\n"
    "                                    [--output FILE]\n\n"
    "Entries, hours (tracked), billable hours (billed: rounded hours of billable entries),\n"
    "revenue, cost, margin and margin % per group, with totals, read from the rollups. Clients\n"
    "also show the amount of the linked company's won HubSpot deals (closed in the range when\n"
    "one is given: 'Won in range'); projects show budget burn over their whole life. A row\n"
    "marked ! is incomplete: entries without a cost rate or billable entries without a\n"
    "billable rate (JSON/CSV: entries_missing_cost_rate, entries_missing_billable_rate).\n\n"
    "  --by G          grouping (default client)\n"
    "  --from DATE     first day, YYYY-MM-DD or YYYY-MM (default: all time)\n"
    "  --to DATE       last day, inclusive, YYYY-MM-DD or YYYY-MM (its last day)\n"
    "  --period NAME   this-month, last-month, this-quarter, last-quarter, ytd (1 January to\n"
    "                  today), last-30d (today and the 29 days before) or all; calendar\n"
    "                  months and quarters, today in local time; not with --from/--to\n"
    "  --client ID     only this Harvest client (drill-down)\n"
    "  --project ID    only this Harvest project\n"
    "  --person ID     only this Harvest user\n"
    "  --format F      table (default), csv (RFC 4180, totals last) or json:\n"
    "                  {\"by\":...,\"rows\":[...],\"totals\":{...}} (docs/json.md)\n"
    "  --json          the same as --format json\n"
    "  --csv-raw       CSV text cells exactly as stored: without it a name beginning with\n"
    "                  = + - @ TAB or CR gets a leading ' (no spreadsheet formulas)\n"
    "  --output FILE   write to FILE, created mode 0600; an existing FILE (or a symlink) is\n"
    "                  refused, never overwritten\n\n"
    "CSV or JSON printed to a terminal shows control characters escaped (\\x1b); to a file\n"
    "or a pipe the bytes are exact.\n"
    "Amounts are exact sums rounded half away from zero to 2 places per row; totals round the\n"
    "exact sum. Exit status: 0 ok, 1 failure (database), 2 usage.\n";

const struct od_command cmd_report_def = {
    .name = "report",
    .summary = "Profitability per client, project, month or person",
    .usage = usage,
    .run = run,
    .subs = report_subs,
};

static int parse_id(const char *opt, const char *s, int64_t *out)
{
    long v;
    if (od_parse_long(s, 1, 9007199254740991L, &v) < 0)
        return od_cmd_usage_error(&cmd_report_def, "%s wants a positive id, not '%s'", opt, s);
    *out = v;
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "profitability") != 0)
        return od_cmd_usage_error(&cmd_report_def, "which report? (profitability)");
    struct od_profit_query q = {.by = OD_PROFIT_BY_CLIENT};
    struct od_output fo = {.format = OD_FORMAT_TABLE};
    unsigned opts = 0;
    const char *output = NULL, *period = NULL;
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        int f = od_output_arg(&cmd_report_def, argc, argv, &i, OD_FORMATS_TCJ, &fo);
        if (f == 2) return 2;
        if (f == 1) continue;
        if (i + 1 >= argc)
            return od_cmd_usage_error(&cmd_report_def, "unknown option or missing value: '%s'", o);
        const char *v = argv[++i];
        int rc = 0;
        if (strcmp(o, "--by") == 0)
            rc = od_profit_by_parse(v, &q.by);
        else if (strcmp(o, "--output") == 0)
            output = v;
        else if (strcmp(o, "--period") == 0)
            period = v;
        else if (strcmp(o, "--from") == 0)
            rc = od_profit_date_parse(v, false, q.from);
        else if (strcmp(o, "--to") == 0)
            rc = od_profit_date_parse(v, true, q.to);
        else if (strcmp(o, "--client") == 0)
            rc = parse_id(o, v, &q.client_id) ? -2 : 0;
        else if (strcmp(o, "--project") == 0)
            rc = parse_id(o, v, &q.project_id) ? -2 : 0;
        else if (strcmp(o, "--person") == 0)
            rc = parse_id(o, v, &q.user_id) ? -2 : 0;
        else
            return od_cmd_usage_error(&cmd_report_def, "unknown option '%s'", o);
        if (rc == -2) return 2;
        if (rc < 0) return od_cmd_usage_error(&cmd_report_def, "%s", od_err());
    }
    if (period) {
        if (*q.from || *q.to)
            return od_cmd_usage_error(&cmd_report_def,
                                      "--period and --from/--to are alternatives; give one");
        if (od_profit_period_resolve(period, time(NULL), q.from, q.to) < 0)
            return od_cmd_usage_error(&cmd_report_def, "%s", od_err());
    }
    if (*q.from && *q.to && strcmp(q.from, q.to) > 0) /* a reversed range is a usage error */
        return od_cmd_usage_error(&cmd_report_def, "the range starts (%s) after it ends (%s)",
                                  q.from, q.to);

    static const enum od_report_format formats[] = {[OD_FORMAT_TABLE] = OD_REPORT_TABLE,
                                                    [OD_FORMAT_CSV] = OD_REPORT_CSV,
                                                    [OD_FORMAT_JSON] = OD_REPORT_JSON};
    enum od_report_format fmt = formats[fo.format];
    if (fo.csv_raw) opts |= OD_REPORT_CSV_RAW;
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-report");
    if (!pool) return od_cmd_error("report", 1, "%s", od_err());
    struct od_profit_report r;
    int rc = od_profit_run(pool, &q, &r);
    if (rc < 0) {
        od_cmd_error("report", 1, "%s", od_err());
    } else {
        /* table output is sanitized already; CSV/JSON get escapes only on a terminal */
        if (!output && isatty(STDOUT_FILENO)) opts |= OD_REPORT_TTY;
        struct strbuf out = STRBUF_INIT;
        od_report_profit(&r, fmt, opts, &out);
        if (!output) {
            fwrite(sb_str(&out), 1, out.len, stdout);
        } else if ((rc = od_export_create(AT_FDCWD, output, sb_str(&out), out.len)) != 0) {
            if (rc > 0) od_seterr("%s exists; not overwritten (remove it or name another)", output);
            od_cmd_error("report", 1, "%s", od_err());
            rc = -1;
        }
        sb_release(&out);
    }
    od_profit_report_release(&r);
    od_pool_close(pool);
    return rc < 0 ? 1 : 0;
}
