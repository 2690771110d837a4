/* output — what every command that prints data shares: `--format table|csv|json` (`--json` is
 * `--format json`), one JSON document per run, CSV from the same data, and errors as JSON on
 * stderr when JSON was asked for. docs/json.md describes what scripts get.
 *
 *   static const struct od_cli_opt opts[] = {OD_OUTPUT_OPTS_TCJ, ..., {0}};   // in the table
 *   struct od_output o = {.format = OD_FORMAT_TABLE};
 *   for (int i = 1; i < argc; i++) {
 *       int r = od_output_arg(&cmd_jobs_def, argc, argv, &i, OD_FORMATS_TCJ, &o);
 *       if (r == 2) return 2;                  // usage error, already printed
 *       if (r == 1) continue;                  // it was --format F, --json or --csv-raw
 *       ...
 *   }
 *   if (fails) return od_cmd_error("jobs", 1, "%s", od_err());
 *   cJSON *arr, *doc = od_output_doc("jobs", &arr);
 *   for (...) cJSON_AddItemToArray(arr, row_json(&rows[i]));
 *   od_output_emit(doc, "jobs", &o, row_json(&(struct od_job_row){0}));   // JSON or CSV
 *
 * JSON: one document, an object whose data is a named array ({"jobs":[...]}), compact on one
 * line; counts are numbers (int64 exact, od_json_add_i64), money and hours decimal strings
 * ("1250.00", never through a double), times RFC 3339 UTC to the second
 * ("2026-12-05T22:46:27Z", od_output_add_time), absent values null.
 * CSV (RFC 4180, CRLF): one row per object of the named array, its members the columns in
 * order; text cells beginning with = + - @ TAB or CR get a leading ' unless --csv-raw;
 * nested objects and arrays are cells of compact JSON.
 * On a terminal, controls inside JSON strings or CSV cells are shown escaped (\u001b, \x1b);
 * to a file or a pipe the bytes are exact.
 *
 * Errors: main calls od_output_setup() before the command runs; from then on, when the command
 * declares --json in its table and argv asks for JSON, od_cmd_error() and od_cmd_usage_error()
 * write {"error":{"message":"...","code":N}} (N = the exit status) to stderr instead of
 * "opsdeck CMD: message", and nothing else. Exit codes do not change. */
#ifndef OD_CMD_OUTPUT_H
#define OD_CMD_OUTPUT_H
#include <stdbool.h>
#include "cmd/command.h"

struct cJSON;

enum od_format { OD_FORMAT_TABLE, OD_FORMAT_CSV, OD_FORMAT_JSON };
/* Which formats a command offers (od_output_arg's `formats`), and whether it takes --csv-raw
 * (OD_OUTPUT_CSV_RAW: CSV with text cells). */
enum {
    OD_OUTPUT_CSV_RAW = 1u << 8,
    OD_FORMATS_TJ = 1u << OD_FORMAT_TABLE | 1u << OD_FORMAT_JSON,
    OD_FORMATS_TCJ =
        1u << OD_FORMAT_TABLE | 1u << OD_FORMAT_CSV | 1u << OD_FORMAT_JSON | OD_OUTPUT_CSV_RAW,
    OD_FORMATS_CJ = 1u << OD_FORMAT_CSV | 1u << OD_FORMAT_JSON, /* links export: ids only */
};

struct od_output {
    enum od_format format; /* the command's default until an option says otherwise */
    bool csv_raw;          /* --csv-raw: no formula guard */
};

/* Option table entries (core/base/cli.h) for a command's or a subcommand's .opts, so every
 * command names, explains and completes them the same way. The usage text names them too. */
// clang-format off
#define OD_OUTPUT_OPT_JSON {.name = "--json", .help = "the same as --format json"}
#define OD_OUTPUT_OPT_CSV_RAW \
    {.name = "--csv-raw", .help = "CSV text cells exactly as stored (no formula guard)"}
#define OD_OUTPUT_OPT_FORMAT(vals, text) \
    {.name = "--format", .arg = "F", .kind = OD_CLI_ENUM, .values = vals, .help = text}
#define OD_OUTPUT_OPTS_TJ \
    OD_OUTPUT_OPT_FORMAT("table|json", "table (default) or json (one document, docs/json.md)"), \
    OD_OUTPUT_OPT_JSON
#define OD_OUTPUT_OPTS_TCJ \
    OD_OUTPUT_OPT_FORMAT("table|csv|json", \
                         "table (default), csv (RFC 4180) or json (one document, docs/json.md)"), \
    OD_OUTPUT_OPT_JSON, OD_OUTPUT_OPT_CSV_RAW
// clang-format on

/* If argv[*i] is --format F, --format=F, --json or (OD_OUTPUT_CSV_RAW) --csv-raw: apply it
 * to *out, step *i past its value and return 1. Anything else: 0. A format the command does
 * not offer, or --format without a value: the usage error is printed and 2 returned. */
int od_output_arg(const struct od_command *cmd, int argc, char **argv, int *i, unsigned formats,
                  struct od_output *out);

/* main.c, before the command runs: errors become JSON from here on when cmd declares --json
 * (in .opts or a subcommand's) and argv asks for JSON (od_cmd_machine_output). */
void od_output_setup(const struct od_command *cmd, int argc, char **argv);
/* True when errors are written as JSON. */
bool od_output_json_errors(void);
/* An error for a person or a script: "opsdeck WHO: message" (WHO = "jobs", "user list") or
 * {"error":{"message":"message","code":code}} on stderr. Returns code. */
int od_cmd_error(const char *who, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* {"NAME":[]}: a new document and (in *array, borrowed) its named array. */
struct cJSON *od_output_doc(const char *name, struct cJSON **array);
/* Print doc to stdout as o->format says (JSON, or CSV of the objects in doc's array `name`;
 * proto, an object with the same members as a row, names the CSV columns when the array is
 * empty) and delete doc and proto (proto may be NULL). Never called for tables. */
void od_output_emit(struct cJSON *doc, const char *name, const struct od_output *o,
                    struct cJSON *proto);

/* Member `name`: the timestamp ts (RFC 3339 or PostgreSQL text, any zone) as RFC 3339 UTC to
 * the second; null when ts is NULL or "" (or the text itself when it is not a timestamp). */
void od_output_add_time(struct cJSON *obj, const char *name, const char *ts);

/* Member `name`: JSON text from the database (a jsonb column: rule details, job arguments) as
 * a value, numbers with a fraction or an exponent (money, hours) as strings of their exact
 * text and whole numbers as numbers; null when text is NULL, a string when it is not JSON. */
void od_output_add_json(struct cJSON *obj, const char *name, const char *text);

#endif
