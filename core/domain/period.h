/* period — named date ranges (presets) for profitability reports, resolved against a given
 * day, so the command line (`opsdeck report profitability --period ...`) and the console's
 * `:range` give the same answer for the same name and day.
 *
 *   char from[11], to[11];
 *   struct od_day today;
 *   od_period_today(&today);
 *   if (od_period_resolve("last-30d", today, from, to) < 0) puts(od_err());
 *   // from = "2026-11-06", to = "2026-12-05"; "" on both for "all"
 *
 * Presets (every range inclusive of both days, calendar months and quarters):
 *   this-month    the first .. the last day of today's month
 *   last-month    the whole previous month
 *   this-quarter  the first day .. the last day of today's quarter (Jan-Mar, Apr-Jun, ...)
 *   last-quarter  the whole previous quarter
 *   ytd           1 January .. today
 *   last-30d      the 30 days ending today (today - 29 .. today)
 *   all           no bounds ("" and "")
 * "Today" is the local calendar day (TZ), as a person at the terminal reads it. */
#ifndef OD_PERIOD_H
#define OD_PERIOD_H

struct od_day {
    int y, m, d;
};

/* The local calendar day now. */
void od_period_today(struct od_day *out);

/* Resolve a preset name against today into from/to ("YYYY-MM-DD", "" = unbounded; each at
 * least 11 bytes). -1 with od_seterr naming the presets when the name is unknown or today is
 * not a real day. */
int od_period_resolve(const char *name, struct od_day today, char from[11], char to[11]);

/* The preset names, space-separated, for help and error texts. */
const char *od_period_names(void);

#endif
