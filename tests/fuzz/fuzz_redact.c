/* fuzz_redact — whatever text is logged or shown, redaction never reads past it, and a
 * password put into a URL, a conninfo (every libpq form) or JSON never survives it, nor an
 * error message that echoes it (od_log_redact_echo).
 * FUZZ_SOURCES: core/base/log_redact.c core/base/sanitize.c core/base/util.c */
#include "core/base/log.h"
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"
#include <ctype.h>

static const char *const forms[] = {
    "host=h password=%s dbname=x", "host=h password = '%s' dbname=x",
    "postgresql://u:%s@h:5432/x",  "postgresql://h/x?password=%s&sslmode=require",
    "{\"password\": \"%s\"}",      "host=h sslpassword=%s",
};

/* form with its one "%s" replaced by s (caller frees) */
static char *fill(const char *form, const char *s)
{
    const char *at = strstr(form, "%s");
    return od_xasprintf("%.*s%s%s", (int)(at - form), form, s, at + 2);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *in = fuzz_cstr(data, size);
    char *out = od_log_redact(in);
    /* the input as the secret of each form: letters and digits only, at least 6 of them */
    char secret[33];
    size_t n = 0;
    for (size_t i = 1; i < size && n < sizeof secret - 1; i++)
        if (isalnum(data[i])) secret[n++] = (char)data[i];
    secret[n] = '\0';
    const char *form = forms[size ? data[0] % OD_ARRAY_LEN(forms) : 0];
    char *shown = fill(form, "");
    if (n >= 6 && !strstr(shown, secret) && !strstr("REDACTED", secret)) {
        char *text = fill(form, secret);
        char *red = od_log_redact(text);
        if (strstr(red, secret)) {
            fprintf(stderr, "secret survived: %s -> %s\n", text, red);
            abort();
        }
        char *msg = od_xasprintf("invalid token: \"%s\" in %s", secret, in);
        char *echo = od_log_redact_echo(msg, text);
        if (strstr(echo, secret)) {
            fprintf(stderr, "secret survived the echo: %s -> %s\n", msg, echo);
            abort();
        }
        free(echo);
        free(msg);
        free(red);
        free(text);
    }
    char *echo = od_log_redact_echo(out, in);
    free(echo);
    free(shown);
    free(out);
    free(in);
    return 0;
}
