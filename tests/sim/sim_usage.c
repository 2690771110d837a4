/* sim_usage — opsdeck-sim's option table, --help and man page; see sim_usage.h. */
#include "tests/sim/sim_usage.h"
#include "core/base/cli.h"

static const struct od_cli_opt options[] = {
    {.name = "--listen",
     .arg = "ADDR:PORT",
     .kind = OD_CLI_TEXT,
     .help = "listen address (default 127.0.0.1:8089; port 0 = any free)"},
    {.name = "--port-file",
     .arg = "FILE",
     .kind = OD_CLI_FILE,
     .help = "write the port number here once listening"},
    {.name = "--seed", .arg = "N", .kind = OD_CLI_TEXT, .help = "world seed (default 1)"},
    {.name = "--t0",
     .arg = "DATE",
     .kind = OD_CLI_TEXT,
     .help = "the world's now (YYYY-MM-DD; default a day in 2026-06..08 from the seed)"},
    {.name = "--scale",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "number of time entries (default 1000)"},
    {.name = "--harvest-token",
     .arg = "T",
     .kind = OD_CLI_TEXT,
     .help = "Harvest bearer token (default sim-harvest-token)"},
    {.name = "--harvest-account",
     .arg = "ID",
     .kind = OD_CLI_TEXT,
     .help = "Harvest-Account-Id (default 1000001)"},
    {.name = "--hubspot-token",
     .arg = "T",
     .kind = OD_CLI_TEXT,
     .help = "HubSpot private-app token (default sim-hubspot-token)"},
    {.name = "--hubspot-client-id",
     .arg = "ID",
     .kind = OD_CLI_TEXT,
     .help = "OAuth client id (default sim-client-id)"},
    {.name = "--hubspot-client-secret",
     .arg = "S",
     .kind = OD_CLI_TEXT,
     .help = "OAuth client secret (default sim-client-secret)"},
    {.name = "--rate-limits",
     .arg = "on|off",
     .kind = OD_CLI_ENUM,
     .values = "on|off",
     .help = "enforce provider rate limits (default on)"},
    {.name = "--harvest-limit",
     .arg = "N/S",
     .kind = OD_CLI_TEXT,
     .help = "Harvest limit (default 100/15)"},
    {.name = "--hubspot-limit",
     .arg = "N/S",
     .kind = OD_CLI_TEXT,
     .help = "HubSpot limit (default 100/10)"},
    {.name = "--search-limit",
     .arg = "N/S",
     .kind = OD_CLI_TEXT,
     .help = "HubSpot search limit (default 5/1)"},
    {.name = "--oauth-code-ttl",
     .arg = "S",
     .kind = OD_CLI_TEXT,
     .help = "authorization code lifetime (default 600)"},
    {.name = "--access-token-ttl",
     .arg = "S",
     .kind = OD_CLI_TEXT,
     .help = "OAuth access token lifetime (default 1800)"},
    {.name = "--rotate-refresh-tokens",
     .help = "each refresh returns a new refresh token, the old one dies"},
    {.name = "--hang-ms",
     .arg = "MS",
     .kind = OD_CLI_TEXT,
     .help = "how long the timeout fault holds a request (default 30000)"},
    {.name = "--threads",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "HTTP worker threads (default 4)"},
    {.name = "--log",
     .arg = "FILE",
     .kind = OD_CLI_FILE,
     .help = "request log (default stderr); tokens are never logged"},
    {.name = "--help", .help = "this text"},
    {0}};

/* Faults: also settable at run time with POST /__sim/faults (docs/simulator.md). */
static const struct od_cli_opt faults[] = {
    {.name = "--error-rate",
     .arg = "F",
     .kind = OD_CLI_TEXT,
     .help = "fraction of requests answered 500, 502 or 503"},
    {.name = "--latency-ms",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "every request waits N ms first"},
    {.name = "--timeout-rate",
     .arg = "F",
     .kind = OD_CLI_TEXT,
     .help = "fraction of requests held for --hang-ms, then dropped"},
    {.name = "--truncate-rate",
     .arg = "F",
     .kind = OD_CLI_TEXT,
     .help = "fraction of 200 bodies cut off halfway"},
    {.name = "--malformed-json-rate",
     .arg = "F",
     .kind = OD_CLI_TEXT,
     .help = "fraction of 200 bodies that are not JSON"},
    {.name = "--bad-records",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "N time entries served with invalid fields"},
    {.name = "--change-between-pages",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "edit a record between pages of the next N listings"},
    {.name = "--rate-limit-storm",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "the next N requests get 429 (Retry-After: 1)"},
    {.name = "--fault-provider",
     .arg = "P",
     .kind = OD_CLI_ENUM,
     .values = "harvest|hubspot|all",
     .help = "limit the faults above to one provider (default all)"},
    {.name = "--delete",
     .arg = "ID[,ID...]",
     .kind = OD_CLI_TEXT,
     .help = "delete those time entries"},
    {.name = "--retry-after",
     .arg = "VALUE",
     .kind = OD_CLI_TEXT,
     .help = "Retry-After sent verbatim with the storm's 429s (seconds or HTTP-date)"},
    {.name = "--rate-limit-policy",
     .arg = "P",
     .kind = OD_CLI_ENUM,
     .values = "daily|default",
     .help = "HubSpot policyName on the storm's 429s"},
    {.name = "--unavailable-storm",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "the next N requests get 503 with Retry-After"},
    {.name = "--huge-body",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "the next N list requests get a huge streamed body"},
    {.name = "--huge-body-mib",
     .arg = "N",
     .kind = OD_CLI_TEXT,
     .help = "size of a huge body in MiB (default 300)"},
    {.name = "--huge-body-length",
     .arg = "B",
     .kind = OD_CLI_ENUM,
     .values = "0|1",
     .help = "1: announce the huge body's Content-Length"},
    {0}};

static const char secrets_note[] =
    "secrets may also come from OPSDECK_SIM_HARVEST_TOKEN, OPSDECK_SIM_HARVEST_ACCOUNT,\n"
    "OPSDECK_SIM_HUBSPOT_TOKEN, OPSDECK_SIM_HUBSPOT_CLIENT_ID, OPSDECK_SIM_HUBSPOT_CLIENT_SECRET";

void sim_usage_help(FILE *out)
{
    fputs("usage: opsdeck-sim [options]\n"
          "Harvest v2 + HubSpot CRM API simulator for opsdeck tests (see docs/simulator.md).\n\n",
          out);
    od_cli_print_options(out, options, 29);
    fprintf(out, "\n%s\n\nFaults (also at run time with POST /__sim/faults):\n", secrets_note);
    od_cli_print_options(out, faults, 29);
}

void sim_usage_man(FILE *out)
{
    od_roff_head(out, "opsdeck-sim", 1, "opsdeck " OPSDECK_VERSION,
                 "Harvest v2 and HubSpot CRM API simulator for opsdeck tests and demos");
    fputs(".SH SYNOPSIS\n\\fBopsdeck\\-sim\\fR", out);
    od_roff_synopsis(out, options);
    fputs("\n.SH DESCRIPTION\n"
          "opsdeck\\-sim serves the parts of the Harvest v2 and HubSpot CRM APIs that opsdeck\n"
          "uses, from a generated world (clients, projects, people, time entries, companies,\n"
          "deals), faithful to the public documentation: pagination, rate limits with\n"
          "Retry\\-After, OAuth, search caps.\n"
          "Point \\fBharvest.base_url\\fR and \\fBhubspot.base_url\\fR of opsdeck at it.\n"
          "It stops cleanly on SIGINT or SIGTERM.\n"
          ".SH OPTIONS\n",
          out);
    od_roff_options(out, options);
    fputs(".SS Faults\n"
          "Also settable while it runs, with POST /__sim/faults.\n",
          out);
    od_roff_options(out, faults);
    fputs(".SH ENVIRONMENT\n", out);
    od_roff_text(out, secrets_note);
    fputs(" (instead of the options, which other users can see in the process list).\n"
          ".SH EXIT STATUS\n"
          "0 after SIGINT or SIGTERM, 1 when it cannot listen or write its log, 2 usage.\n"
          ".SH SEE ALSO\n"
          ".BR opsdeck (1);\n"
          "\\fIdocs/simulator.md\\fR in the opsdeck sources.\n",
          out);
}
