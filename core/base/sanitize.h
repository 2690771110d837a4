/* sanitize — the one gate every string from outside (APIs, database, files, pasted input)
 * passes before it reaches a terminal or a log line, plus column-exact fitting for tables.
 *
 *   char *s = od_sanitize(untrusted);          // new string, caller frees; never NULL
 *   int w = od_display_width(s);               // terminal columns
 *   od_pad_right(&sb, s, 20);                  // exactly 20 columns: truncated with "…" or padded
 *
 * What od_sanitize does, byte for byte deterministic (independent of the locale):
 *   - invalid UTF-8 (overlong, surrogate, > U+10FFFF, truncated, stray continuation) -> U+FFFD;
 *   - whole escape sequences are removed: ESC [ CSI, ESC ] OSC, ESC P DCS, ESC X/^/_ strings
 *     (to BEL or ST), other ESC sequences, and their C1 forms U+009B/U+009D/U+0090/...;
 *   - other C0 controls, DEL and C1 controls are removed;
 *   - bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) and invisible
 *     format characters are removed: zero-width space/non-joiner/joiner U+200B-U+200D, word
 *     joiner and invisible operators U+2060-U+2065, U+206A-U+206F, BOM U+FEFF, soft hyphen
 *     U+00AD, U+034F, U+180E, U+FFF9-U+FFFB, variation selectors U+FE00-U+FE0F and
 *     U+E0100-U+E01EF, tags U+E0000-U+E007F (terminals disagree on their width, so a row
 *     holding one could not be aligned);
 *   - each run of tab/newline/CR/VT/FF/U+2028/U+2029 becomes a single space;
 *   - at most 4 combining marks follow a base character (xterm CVE-2021-27135).
 *
 * Widths use wcwidth() when the locale's charset is UTF-8 (main() calls setlocale), otherwise
 * a built-in table (wide CJK/emoji = 2, combining marks = 0, else 1).
 * Machine formats keep the data: od_csv_field quotes per RFC 4180 without sanitizing (and,
 * when asked, guards formulas and escapes controls for a terminal). */
#ifndef OD_SANITIZE_H
#define OD_SANITIZE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* New sanitized string (od_xmalloc'd; caller frees). NULL input gives "". */
char *od_sanitize(const char *s);
/* Same for n bytes that may contain NULs (NUL is a control and is removed). */
char *od_sanitize_n(const char *s, size_t n);
/* Append the sanitized form of n bytes of s to sb. */
void od_sanitize_to(struct strbuf *sb, const char *s, size_t n);

/* Strict UTF-8 decode of one code point from s (n > 0 bytes available). Returns the number of
 * bytes consumed (1..4); *cp is U+FFFD for an invalid or truncated sequence (1 byte consumed). */
size_t od_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Length (1..4) of the valid UTF-8 sequence at s (n > 0 bytes available), 0 when invalid. */
size_t od_utf8_valid(const unsigned char *s, size_t n);
/* Encode cp (must be valid) into out (>= 4 bytes); returns the byte count. */
size_t od_utf8_encode(uint32_t cp, char *out);

/* True for a code point od_sanitize removes (controls, whitespace other than space, bidi
 * controls, zero-width format characters, variation selectors). Widths count it as 0 and the
 * TUI grid never draws it. */
bool od_char_dropped(uint32_t cp);
/* Columns one code point takes: 0, 1 or 2 (dropped code points count 0; combining marks 0). */
int od_char_width(uint32_t cp);
/* Columns a string takes on a terminal (invalid bytes count as U+FFFD, controls as 0). */
int od_display_width(const char *s);

/* Fit s into at most cols columns: if it is wider, cut at a character boundary and end with
 * "…" (one column). Output is NUL-terminated and never longer than n-1 bytes (also cut at a
 * character boundary). Non-printable code points are dropped, invalid bytes become U+FFFD.
 * Returns the columns used. */
int od_fit(const char *s, int cols, char *out, size_t n);
/* Append the fitted s to sb; returns the columns used. */
int od_fit_to(struct strbuf *sb, const char *s, int cols);
/* Append s fitted and padded with spaces to exactly cols columns (left-aligned text). */
void od_pad_right(struct strbuf *sb, const char *s, int cols);
/* Same, right-aligned (numbers). */
void od_pad_left(struct strbuf *sb, const char *s, int cols);
/* One table cell from outside text: sanitized, then fitted and padded to exactly cols
 * columns (display width, never bytes), right-aligned when `right`. NULL is "". */
void od_pad_cell(struct strbuf *sb, const char *untrusted, int cols, bool right);

/* The one CSV cell writer (opsdeck report and the console's :export). Appends s as one field
 * per RFC 4180: quoted (with "" for ") when it holds , " CR or LF, or starts/ends with a
 * space; otherwise as is. NULL is the empty field. Options:
 *   OD_CSV_GUARD    formula-injection guard (OWASP): a cell beginning with = + - @ TAB or CR
 *                   gets a leading ' so a spreadsheet shows it as text, not a formula;
 *   OD_CSV_NUMERIC  with the guard: the cell is a number column, so a plain decimal number
 *                   ("-12.50") is left alone (anything else in it is still guarded);
 *   OD_CSV_TTY      the bytes go to a terminal: controls shown escaped (od_tty_escape). */
enum { OD_CSV_GUARD = 1u, OD_CSV_NUMERIC = 2u, OD_CSV_TTY = 4u };
void od_csv_field(struct strbuf *sb, const char *s, unsigned opts);

/* For machine formats shown on a terminal (CSV or JSON to a tty): append n bytes of s with
 * what a terminal would act on written as visible escapes instead: C0 controls and DEL as
 * \x1b (json: \u001b), C1 controls and bidi controls as \u009b / \u202e, bytes that are not
 * valid UTF-8 as \xff. Everything else is copied as is. Display only: files and pipes get the
 * exact bytes. */
void od_tty_escape(struct strbuf *sb, const char *s, size_t n, bool json);

#endif
