/* fuzz_redirect_url — the pasted redirect URL parser. Input: "REDIRECT_URI\nPASTED" or just
 * PASTED against a fixed redirect URI. A success yields a non-empty code and state without
 * controls; a failure leaves both NULL and a terminal-safe message.
 * FUZZ_SOURCES: core/security/oauth.c core/base/secmem.c core/base/sanitize.c core/base/util.c
 * FUZZ_PKGS: libsodium libcjson */
#include "core/security/oauth.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *in = fuzz_cstr(data, size);
    const char *redirect = "http://localhost:53682/hubspot/callback", *pasted = in;
    char *nl = strchr(in, '\n');
    if (nl && nl - in < 200) {
        *nl = '\0';
        redirect = in;
        pasted = nl + 1;
    }
    char *code = NULL, *state = NULL;
    if (od_oauth_parse_redirect(pasted, redirect, &code, &state) == 0) {
        FUZZ_CHECK(code && *code && state && *state);
        for (const char *c = code; *c; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7F);
        for (const char *c = state; *c; c++)
            FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7F);
    } else {
        FUZZ_CHECK(!code && !state);
        FUZZ_CHECK(fuzz_terminal_safe(od_err()));
    }
    od_secret_free(code);
    od_secret_free(state);
    free(in);
    return 0;
}
