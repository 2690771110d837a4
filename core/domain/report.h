/* report — writers of a profitability snapshot (core/domain/profit.h) as an aligned text table, CSV
 * (RFC 4180, header row, totals as the last row) or JSON, into a strbuf. No I/O, no database:
 * what a command prints and what a screen exports are the same bytes.
 *
 *   struct strbuf out = STRBUF_INIT;
 *   od_report_profit(&report, OD_REPORT_JSON, &out);
 *   fputs(sb_str(&out), stdout);
 *
 * Table: every string from outside (names, keys) passes od_sanitize and columns are aligned by
 * display width (names fitted to 40 columns). The first column ("!") marks a row whose cost or
 * revenue is incomplete (entries without a cost rate, billable entries without a billable
 * rate); a legend line under the table gives the totals' counts when any row is marked. JSON
 * and CSV carry the counts instead: entries_missing_cost_rate, entries_missing_billable_rate
 * (CSV: the last two columns). CSV and JSON keep strings intact (CSV quotes,
 * cJSON escapes), with two exceptions the caller chooses:
 *   - CSV text cells beginning with = + - @ TAB or CR get a leading ' (formula injection,
 *     OWASP); numbers never do. OD_REPORT_CSV_RAW turns this off (opsdeck report --csv-raw).
 *   - OD_REPORT_TTY: the output goes to a terminal, so controls in CSV cells and JSON strings
 *     are shown escaped (\x1b, \u009b; od_tty_escape). Without it the bytes are exact.
 * Money and hours are exact decimal strings with 2 places in every format. */
#ifndef OD_REPORT_H
#define OD_REPORT_H

struct strbuf;
struct od_profit_report;

enum od_report_format { OD_REPORT_TABLE, OD_REPORT_CSV, OD_REPORT_JSON };

/* "table" | "csv" | "json"; -1 with od_seterr otherwise. */
int od_report_format_parse(const char *s, enum od_report_format *out);

enum { OD_REPORT_CSV_RAW = 1u, OD_REPORT_TTY = 2u };

/* Append the report to out; opts: OD_REPORT_* (0 for a file with formula-guarded CSV). */
void od_report_profit(const struct od_profit_report *r, enum od_report_format fmt, unsigned opts,
                      struct strbuf *out);

#endif
