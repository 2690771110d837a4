/* report — writers of a profitability snapshot (core/domain/profit.h) as an aligned text table, CSV
 * (RFC 4180, header row, totals as the last row) or JSON, into a strbuf. No I/O, no database:
 * what a command prints and what a screen exports are the same bytes.
 *
 *   struct strbuf out = STRBUF_INIT;
 *   od_report_profit(&report, OD_REPORT_JSON, &out);
 *   fputs(sb_str(&out), stdout);
 *
 * Table: every string from outside (names, keys) passes od_sanitize and columns are aligned by
 * display width (names fitted to 40 columns). CSV and JSON keep strings intact (CSV quotes,
 * cJSON escapes). Money and hours are exact decimal strings with 2 places in every format. */
#ifndef OD_REPORT_H
#define OD_REPORT_H

struct strbuf;
struct od_profit_report;

enum od_report_format { OD_REPORT_TABLE, OD_REPORT_CSV, OD_REPORT_JSON };

/* "table" | "csv" | "json"; -1 with od_seterr otherwise. */
int od_report_format_parse(const char *s, enum od_report_format *out);

/* Append the report to out. */
void od_report_profit(const struct od_profit_report *r, enum od_report_format fmt,
                      struct strbuf *out);

#endif
