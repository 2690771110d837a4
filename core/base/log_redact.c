/* log_redact — secrets out of any text before it is logged or shown: od_log_redact() and
 * od_log_redact_echo() (see log.h). Pure string work, no state, thread-safe.
 *
 * What is a secret here:
 *   - the password of a URL's userinfo: scheme://user:SECRET@host (up to the first '/', '?',
 *     '#', space or quote: the '@' that ends it is the last one before those);
 *   - the value after a secret keyword: password (also inside a word: sslpassword,
 *     PGPASSWORD, db_password), passwd, passphrase, apikey, token, secret, code,
 *     code_verifier, refresh_token, access_token; followed by '=' (the password family also
 *     with spaces around it, as libpq's conninfo allows: password = 'x') or, as a JSON key,
 *     by '":' then a string. A value is bare (up to a space, quote, '&', ',', ';', '}'; a
 *     backslash escapes the next character, as in libpq), or quoted with ' or " (up to the
 *     matching unescaped quote; the quotes are kept);
 *   - what follows "Authorization:" (an optional scheme word such as Bearer is kept) and
 *     "Bearer ".
 * The secret is replaced by REDACTED; everything else is kept byte for byte. */
#include "core/base/log.h"
#include "core/base/util.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RED "REDACTED"

enum {
    K_ANYWHERE = 1, /* may end a longer word (sslpassword) */
    K_SPACED = 2,   /* spaces allowed around '=' (libpq conninfo) */
    K_HEADER = 4,   /* "Authorization:" — ':' then spaces then an optional scheme word */
    K_SCHEME = 8,   /* "Bearer" — spaces then the value */
};

static const struct {
    const char *word;
    int flags;
} keywords[] = {
    {"password", K_ANYWHERE | K_SPACED},
    {"passwd", K_ANYWHERE | K_SPACED},
    {"passphrase", K_ANYWHERE | K_SPACED},
    {"apikey", K_ANYWHERE},
    {"refresh_token", 0},
    {"access_token", 0},
    {"token", 0},
    {"secret", 0},
    {"code_verifier", 0},
    {"code", 0},
    {"authorization", K_HEADER},
    {"bearer", K_SCHEME},
};

/* Secrets found, as they appear and unescaped (for od_log_redact_echo). */
struct found {
    char **s;
    size_t n;
};

static void found_add(struct found *f, const char *s, size_t n)
{
    if (!f || n == 0) return;
    f->s = od_xrealloc(f->s, (f->n + 1) * sizeof(*f->s));
    f->s[f->n++] = od_xasprintf("%.*s", (int)n, s);
}

/* Also record the value with backslash escapes resolved (libpq), or %XX decoded (URLs). */
static void found_add_decoded(struct found *f, const char *s, size_t n, bool percent)
{
    if (!f) return;
    char *d = od_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (!percent && s[i] == '\\' && i + 1 < n) {
            d[o++] = s[++i];
        } else if (percent && s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
                   isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            d[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            d[o++] = s[i];
        }
    }
    if (o != n || memcmp(d, s, n) != 0) found_add(f, d, o);
    free(d);
}

static bool bare_char(char c)
{
    return c && c != '"' && c != '\'' && c != '&' && c != ',' && c != ' ' && c != '\t' &&
           c != '\n' && c != '\r' && c != '}' && c != ';';
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The value at v: append it redacted to sb; returns the end of the value. */
static const char *redact_value(struct strbuf *sb, const char *v, struct found *f)
{
    if (*v == '\'' || *v == '"') {
        char q = *v;
        const char *e = v + 1;
        while (*e && *e != q)
            e += (*e == '\\' && e[1]) ? 2 : 1;
        sb_addch(sb, q);
        if (e > v + 1) sb_add(sb, RED);
        found_add(f, v + 1, (size_t)(e - v - 1));
        found_add_decoded(f, v + 1, (size_t)(e - v - 1), false);
        if (*e == q) sb_addch(sb, q), e++;
        return e;
    }
    const char *e = v;
    while (bare_char(*e))
        e += (*e == '\\' && e[1]) ? 2 : 1;
    if (e > v) sb_add(sb, RED);
    found_add(f, v, (size_t)(e - v));
    found_add_decoded(f, v, (size_t)(e - v), false);
    return e;
}

/* A keyword at p with what follows it redacted: returns the end, or NULL when p does not
 * start one. */
static const char *redact_keyword(struct strbuf *sb, const char *s, const char *p, struct found *f)
{
    bool boundary = p == s || !isalnum((unsigned char)p[-1]);
    for (size_t i = 0; i < OD_ARRAY_LEN(keywords); i++) {
        size_t n = strlen(keywords[i].word);
        int fl = keywords[i].flags;
        if (strncasecmp(p, keywords[i].word, n) != 0) continue;
        if (!boundary && !(fl & K_ANYWHERE)) continue;
        const char *q = p + n, *v = NULL;
        if (fl & K_SCHEME) {
            if (*q != ' ') continue;
            v = skip_spaces(q);
        } else if (fl & K_HEADER) {
            if (*q != ':') continue;
            v = skip_spaces(q + 1);
            const char *w = v;
            while (isalpha((unsigned char)*w))
                w++;
            if (w > v && *w == ' ' && bare_char(*skip_spaces(w))) v = skip_spaces(w);
        } else if (*q == '"' && *skip_spaces(q + 1) == ':') { /* JSON key */
            v = skip_spaces(skip_spaces(q + 1) + 1);
            if (*v != '"') continue; /* a number or null: nothing to hide */
        } else {
            const char *eq = (fl & K_SPACED) ? skip_spaces(q) : q;
            if (*eq != '=') continue;
            v = (fl & K_SPACED) ? skip_spaces(eq + 1) : eq + 1;
        }
        if (!*v || (!bare_char(*v) && *v != '\'' && *v != '"' && *v != '\\')) continue;
        sb_addn(sb, p, (size_t)(v - p));
        return redact_value(sb, v, f);
    }
    return NULL;
}

/* scheme://user:SECRET@ at p (p points at "://"): returns the end ('@'), or NULL. */
static const char *redact_userinfo(struct strbuf *sb, const char *p, struct found *f)
{
    const char *q = p + 3, *colon = NULL, *at = NULL;
    for (const char *r = q; *r && !strchr("/?#\"'<> \t\r\n", *r); r++) {
        if (*r == ':' && !colon) colon = r;
        if (*r == '@') at = r;
    }
    if (!colon || !at || colon > at) return NULL;
    sb_addn(sb, p, (size_t)(colon - p) + 1);
    if (at > colon + 1) sb_add(sb, RED);
    found_add(f, colon + 1, (size_t)(at - colon - 1));
    found_add_decoded(f, colon + 1, (size_t)(at - colon - 1), true);
    return at;
}

static char *redact(const char *s, struct found *f)
{
    struct strbuf sb = STRBUF_INIT;
    sb_grow(&sb, strlen(s));
    const char *p = s;
    while (*p) {
        const char *next = NULL;
        if (p[0] == ':' && p[1] == '/' && p[2] == '/') next = redact_userinfo(&sb, p, f);
        if (!next) next = redact_keyword(&sb, s, p, f);
        if (next) {
            p = next;
            continue;
        }
        sb_addch(&sb, *p++);
    }
    return sb_detach(&sb);
}

char *od_log_redact(const char *s)
{
    return redact(s ? s : "", NULL);
}

static int longest_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

char *od_log_redact_echo(const char *msg, const char *source)
{
    struct found f = {0};
    free(redact(source ? source : "", &f));
    if (f.n) qsort(f.s, f.n, sizeof(*f.s), longest_first);
    char *cur = od_xstrdup(msg ? msg : "");
    for (size_t i = 0; i < f.n; i++) {
        size_t n = strlen(f.s[i]);
        struct strbuf sb = STRBUF_INIT;
        const char *p = cur, *hit;
        while ((hit = strstr(p, f.s[i]))) {
            sb_addn(&sb, p, (size_t)(hit - p));
            sb_add(&sb, RED);
            p = hit + n;
        }
        sb_add(&sb, p);
        free(cur);
        cur = sb_detach(&sb);
        free(f.s[i]);
    }
    free(f.s);
    char *out = redact(cur, NULL);
    free(cur);
    return out;
}
