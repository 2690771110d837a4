/* fuzz_token_response — the token endpoint JSON parser: any body either yields printable,
 * bounded tokens and a sane expiry, or fails with a terminal-safe message.
 * FUZZ_SOURCES: core/security/oauth.c core/base/secmem.c core/base/sanitize.c core/base/util.c
 * FUZZ_PKGS: libsodium libcjson
 * FUZZ_DICT: json.dict */
#include "core/security/oauth.h"
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"

static void check_token(const char *t)
{
    FUZZ_CHECK(t && *t && strlen(t) <= OD_OAUTH_MAX_TOKEN);
    for (; *t; t++)
        FUZZ_CHECK((unsigned char)*t > 0x20 && (unsigned char)*t < 0x7F);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct od_oauth_tokens t;
    if (od_oauth_parse_token_response((const char *)data, size, 1000, &t) == 0) {
        check_token(t.access_token);
        if (t.refresh_token) check_token(t.refresh_token);
        FUZZ_CHECK(t.expires_at > 1000 && t.expires_at <= 1000 + 31536000);
        od_oauth_tokens_clear(&t);
    } else {
        FUZZ_CHECK(fuzz_terminal_safe(od_err()));
    }
    return 0;
}
