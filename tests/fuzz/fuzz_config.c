/* fuzz_config — the INI configuration loader (od_config_load) from a file path, as `opsdeck`
 * reads it: the bytes go to a memfd and the loader opens /proc/self/fd/N. No OPSDECK_*
 * variable is set, so the file alone decides. Invariants: a rejected file gives a non-empty
 * message naming the file; an accepted one has every integer key inside its range, and what
 * `opsdeck config --show` prints (od_config_print) loads again into the very same printout
 * (the printed form is a valid configuration file and a fixed point) unless INI cannot express
 * a value (see representable()).
 * FUZZ_SOURCES: core/base/config.c core/base/util.c core/base/sanitize.c
 * FUZZ_SOURCES: core/base/log_redact.c core/base/url.c core/base/config_env.c
 * FUZZ_PKGS: inih */
#include "core/base/config.h"
#include "core/base/util.h"
#include "tests/fuzz/fuzz_common.h"
#include <sys/mman.h>
#include <unistd.h>

extern char **environ;

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* The loader applies OPSDECK_<SECTION>_<KEY> after the file; keep the file in charge. */
    for (int again = 1; again;) {
        again = 0;
        for (char **e = environ; *e; e++)
            if (strncmp(*e, "OPSDECK_", 8) == 0) {
                char name[256];
                size_t n = strcspn(*e, "=");
                snprintf(name, sizeof name, "%.*s", (int)n, *e);
                unsetenv(name);
                again = 1;
                break;
            }
    }
    fd = memfd_create("opsdeck-fuzz-config", 0);
    FUZZ_CHECK(fd >= 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

static void put_file(const void *data, size_t size)
{
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
}

static char *print_config(const struct od_config *cfg, size_t *len)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, len);
    FUZZ_CHECK(f != NULL);
    od_config_print(cfg, f);
    FUZZ_CHECK(fclose(f) == 0);
    return out;
}

/* False when some printed line cannot be read back as printed: INI (inih) has no quoting, so a
 * value starting with ';' or holding " ;" loses its tail to the inline comment, control
 * characters such as VT and FF count as the whitespace it trims, a line of INI_MAX_LINE (200)
 * bytes or more is split into two lines, and a continuation line (leading whitespace) repeats
 * the previous name cut to 49 bytes, which can leave a name with trailing spaces. */
static int representable(const char *text)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (n >= 199) return 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) return 0;
        const char *eq = memmem(line, n, " = ", 3);
        if (line[0] == ' ' || (eq && eq > line && eq[-1] == ' ')) return 0;
        if (eq) {
            const char *v = eq + 3, *end = line + n;
            if (v < end && *v == ';') return 0;
            for (const char *p = v; p + 1 < end; p++)
                if ((*p == ' ' || *p == '\t') && p[1] == ';') return 0;
        }
        line += n + (nl ? 1 : 0);
    }
    return 1;
}

/* The printout of what text loads as; NULL when it does not load. */
static char *reload(const char *text, size_t len)
{
    struct od_config cfg;
    size_t out_len;
    put_file(text, len);
    memset(&cfg, 0, sizeof cfg);
    if (od_config_load(&cfg, path, NULL) < 0) {
        od_config_release(&cfg);
        return NULL;
    }
    char *out = print_config(&cfg, &out_len);
    od_config_release(&cfg);
    return out;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct od_config cfg;
    const char *used = NULL;
    put_file(data, size);
    memset(&cfg, 0, sizeof cfg);
    if (od_config_load(&cfg, path, &used) < 0) {
        FUZZ_CHECK(strncmp(od_err(), path, strlen(path)) == 0);
        od_config_release(&cfg);
        return 0;
    }
    FUZZ_CHECK(used && strcmp(used, path) == 0);
    FUZZ_CHECK(cfg.database.pool_size >= 1 && cfg.database.pool_size <= 256);
    FUZZ_CHECK(cfg.sync.workers >= 0 && cfg.sync.workers <= 64);
    FUZZ_CHECK(cfg.harvest.per_page >= 1 && cfg.harvest.per_page <= 2000);
    FUZZ_CHECK(cfg.nkeys >= 0 && cfg.nkeys <= OD_MAX_KEYBINDINGS);
    for (int i = 0; i < cfg.nkeys; i++)
        FUZZ_CHECK(cfg.key_action[i] && cfg.key_spec[i]);

    size_t len1;
    char *first = print_config(&cfg, &len1);
    od_config_release(&cfg);
    if (!representable(first)) { /* a known INI limit (docs/fuzzing.md): loading must not crash */
        free(reload(first, len1));
        free(first);
        return 0;
    }
    char *second = reload(first, len1);
    if (!second) {
        fprintf(stderr, "printed configuration does not load: %s\n--\n%s--\n", od_err(), first);
        abort();
    }
    if (strcmp(first, second) != 0) {
        fprintf(stderr, "printout is not a fixed point:\n--\n%s--\n%s--\n", first, second);
        abort();
    }
    free(first);
    free(second);
    return 0;
}
