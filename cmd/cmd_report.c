/* cmd_report — `opsdeck report profitability ...`: core/domain/profit.c for the numbers,
 * core/domain/report.c for the table/CSV/JSON bytes; this file only parses options and prints. */
#include "cmd/command.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/domain/profit.h"
#include "core/domain/report.h"
#include "core/base/util.h"
#include <stdio.h>
#include <string.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

const struct od_command cmd_report_def = {
    "report", "Profitability per client, project, month or person",
    "usage: opsdeck report profitability [--by client|project|month|person] [--from DATE]\n"
    "                                    [--to DATE] [--client ID] [--project ID] [--person ID]\n"
    "                                    [--format table|csv|json]\n\n"
    "Entries, hours, billable hours, revenue, cost, margin and margin % per group, with totals,\n"
    "read from the rollups. Clients also show the amount of the linked company's won HubSpot\n"
    "deals (closed in the range when one is given: 'Won in range'); projects show budget burn\n"
    "over their whole life.\n\n"
    "  --by G          grouping (default client)\n"
    "  --from DATE     first day, YYYY-MM-DD or YYYY-MM (default: all time)\n"
    "  --to DATE       last day, inclusive, YYYY-MM-DD or YYYY-MM (its last day)\n"
    "  --client ID     only this Harvest client (drill-down)\n"
    "  --project ID    only this Harvest project\n"
    "  --person ID     only this Harvest user\n"
    "  --format F      table (default), csv (RFC 4180, totals last) or json\n\n"
    "Amounts are exact sums rounded half away from zero to 2 places per row; totals round the\n"
    "exact sum. Exit status: 0 ok, 1 failure (database), 2 usage.\n",
    run, 0};

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
    enum od_report_format fmt = OD_REPORT_TABLE;
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        if (i + 1 >= argc)
            return od_cmd_usage_error(&cmd_report_def, "unknown option or missing value: '%s'", o);
        const char *v = argv[++i];
        int rc = 0;
        if (strcmp(o, "--by") == 0)
            rc = od_profit_by_parse(v, &q.by);
        else if (strcmp(o, "--format") == 0)
            rc = od_report_format_parse(v, &fmt);
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

    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-report");
    if (!pool) {
        fprintf(stderr, "opsdeck report: %s\n", od_err());
        return 1;
    }
    struct od_profit_report r;
    int rc = od_profit_run(pool, &q, &r);
    if (rc < 0) {
        fprintf(stderr, "opsdeck report: %s\n", od_err());
    } else {
        struct strbuf out = STRBUF_INIT;
        od_report_profit(&r, fmt, &out);
        fputs(sb_str(&out), stdout);
        sb_release(&out);
    }
    od_profit_report_release(&r);
    od_pool_close(pool);
    return rc < 0 ? 1 : 0;
}
