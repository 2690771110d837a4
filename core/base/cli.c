/* cli — option tables to roff and plain text; see cli.h. */
#include "core/base/cli.h"
#include "core/base/config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One UTF-8 sequence at p: its code point and length; U+FFFD and 1 for a bad byte. */
static uint32_t utf8_next(const unsigned char *p, int *len)
{
    int n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 0;
    uint32_t cp = n == 4 ? *p & 0x07u : n == 3 ? *p & 0x0Fu : *p & 0x1Fu;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) n = 0;
        if (!n) break;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (!n) {
        *len = 1;
        return 0xFFFD;
    }
    *len = n;
    return cp;
}

/* minus: '-' as \- (options, to be copied from the page) rather than a hyphen. A `quoted`
 * span (a command to type) is set in bold. */
static void escape(FILE *out, const char *s, bool line_start, bool minus)
{
    const unsigned char *p = (const unsigned char *)s;
    bool code = false, opt = minus;
    while (*p) {
        if (line_start && (*p == '.' || *p == '\'')) fputs("\\&", out);
        line_start = false;
        if (*p == '`' && (code || strchr((const char *)p + 1, '`'))) {
            fputs(code ? "\\fR" : "\\fB", out);
            code = !code;
            minus = opt || code; /* in a command, a dash is an option's */
        } else if (*p == '\\') {
            fputs("\\e", out);
        } else if (*p == '-' && minus) {
            fputs("\\-", out);
        } else if (*p == '\n') {
            fputc('\n', out);
            line_start = true;
        } else if (*p < 0x80) {
            fputc(*p, out);
        } else {
            int n;
            fprintf(out, "\\[u%04X]", (unsigned)utf8_next(p, &n));
            p += n;
            continue;
        }
        p++;
    }
}

void od_roff_text(FILE *out, const char *s)
{
    escape(out, s, true, false);
}

void od_roff_head(FILE *out, const char *name, int section, const char *source, const char *what)
{
    char date[16] = "";
    int64_t sde = od_config_source_date();
    time_t t = sde > 0 ? (time_t)sde : time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(date, sizeof date, "%Y-%m-%d", &tm);
    fputs(".TH ", out);
    for (const char *p = name; *p; p++)
        fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, out);
    fprintf(out, " %d %s \"", section, date);
    escape(out, source, false, false);
    /* no hyphenation: an option broken across lines cannot be copied */
    fputs("\" \"User Commands\"\n.nh\n.SH NAME\n", out);
    escape(out, name, true, true);
    fputs(" \\- ", out);
    escape(out, what, false, false);
    fputc('\n', out);
}

/* An enumeration's values: \fBa\fR|\:\fBb\fR (\: lets a long list break after a bar). */
static void roff_values(FILE *out, const char *values)
{
    const char *p = values;
    while (*p) {
        size_t n = strcspn(p, "|");
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)n, p);
        fputs("\\fB", out);
        escape(out, word, false, true);
        fputs("\\fR", out);
        p += n;
        if (*p == '|') fputs("|\\:", out), p++;
    }
}

/* The option (or positional) with its argument, no brackets. */
static void roff_opt(FILE *out, const struct od_cli_opt *o)
{
    if (o->name) {
        fputs("\\fB", out);
        escape(out, o->name, false, true);
        fputs("\\fR", out);
        if (o->kind == OD_CLI_SWITCH) return;
        fputc(' ', out);
    }
    if (o->kind == OD_CLI_ENUM && o->values) {
        roff_values(out, o->values);
        return;
    }
    fputs("\\fI", out);
    escape(out, o->arg ? o->arg : "ARG", false, true);
    fputs("\\fR", out);
}

void od_roff_synopsis(FILE *out, const struct od_cli_opt *opts)
{
    for (const struct od_cli_opt *o = opts; o && !od_cli_end(o); o++) {
        fputs(o->required ? " " : " [", out);
        roff_opt(out, o);
        if (!o->required) fputc(']', out);
    }
}

void od_roff_options(FILE *out, const struct od_cli_opt *opts)
{
    for (const struct od_cli_opt *o = opts; o && !od_cli_end(o); o++) {
        fputs(".TP\n", out);
        roff_opt(out, o);
        fputc('\n', out);
        od_roff_text(out, o->help ? o->help : "");
        fputc('\n', out);
    }
}

void od_cli_print_options(FILE *out, const struct od_cli_opt *opts, int col)
{
    for (const struct od_cli_opt *o = opts; o && !od_cli_end(o); o++) {
        char tag[128];
        const char *arg = o->kind == OD_CLI_ENUM && o->values ? o->values : o->arg;
        if (!o->name)
            snprintf(tag, sizeof tag, "%s", arg ? arg : "ARG");
        else if (o->kind == OD_CLI_SWITCH)
            snprintf(tag, sizeof tag, "%s", o->name);
        else
            snprintf(tag, sizeof tag, "%s %s", o->name, arg ? arg : "ARG");
        int w = (int)strlen(tag) + 2;
        fprintf(out, "  %s%*s %s\n", tag, w < col ? col - w : 0, "", o->help ? o->help : "");
    }
}
