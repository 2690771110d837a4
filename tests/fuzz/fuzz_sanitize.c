/* fuzz_sanitize — whatever bytes arrive, the sanitized string is terminal safe, idempotent,
 * and fitting never exceeds the column budget; machine formats shown on a terminal
 * (od_tty_escape, od_csv_field with OD_CSV_TTY) are terminal safe too.
 * FUZZ_SOURCES: core/base/sanitize.c core/base/util.c */
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *clean = od_sanitize_n((const char *)data, size);
    FUZZ_CHECK(fuzz_terminal_safe(clean));
    char *again = od_sanitize(clean);
    FUZZ_CHECK(strcmp(clean, again) == 0);
    int cols = size ? data[0] % 40 : 10;
    char out[64];
    int w = od_fit(clean, cols, out, sizeof out);
    FUZZ_CHECK(w <= cols && od_display_width(out) == w && fuzz_terminal_safe(out));
    struct strbuf sb = STRBUF_INIT;
    od_pad_left(&sb, clean, cols);
    FUZZ_CHECK(od_display_width(sb_str(&sb)) == cols);
    sb_release(&sb);
    /* fitting an unsanitized string must be safe too */
    char *raw = fuzz_cstr(data, size);
    w = od_fit(raw, cols, out, sizeof out);
    FUZZ_CHECK(w <= cols);
    od_tty_escape(&sb, (const char *)data, size, size && (data[0] & 1));
    FUZZ_CHECK(strlen(sb_str(&sb)) == sb.len && fuzz_terminal_safe(sb_str(&sb)));
    sb_reset(&sb);
    od_csv_field(&sb, raw, OD_CSV_TTY | OD_CSV_GUARD);
    FUZZ_CHECK(fuzz_terminal_safe(sb_str(&sb)));
    sb_release(&sb);
    free(raw);
    free(again);
    free(clean);
    return 0;
}
