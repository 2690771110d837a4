/* fuzz_config — the INI configuration loader (od_config_load) from a file path, as `opsdeck`
 * reads it: the bytes go to a memfd and the loader opens /proc/self/fd/N. No OPSDECK_*
 * variable is set, so the file alone decides. Invariants: a rejected file gives a non-empty
 * message naming the file; an accepted one has every integer key inside its range, and what
 * `opsdeck config --show` prints (od_config_print) loads again into the very same printout
 * (the printed form is a valid configuration file and a fixed point).
 * FUZZ_SOURCES: core/config.c core/util.c core/sanitize.c
 * FUZZ_PKGS: inih */
#include "core/config.h"
#include "core/util.h"
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

    size_t len1, len2;
    char *first = print_config(&cfg, &len1);
    od_config_release(&cfg);
    put_file(first, len1);
    memset(&cfg, 0, sizeof cfg);
    if (od_config_load(&cfg, path, NULL) < 0) {
        fprintf(stderr, "printed configuration does not load: %s\n--\n%s--\n", od_err(), first);
        abort();
    }
    char *second = print_config(&cfg, &len2);
    od_config_release(&cfg);
    if (len1 != len2 || memcmp(first, second, len1) != 0) {
        fprintf(stderr, "printout is not a fixed point:\n--\n%s--\n%s--\n", first, second);
        abort();
    }
    free(first);
    free(second);
    return 0;
}
