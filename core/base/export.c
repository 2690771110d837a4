/* export — see export.h. */
#include "core/base/export.h"
#include "core/base/config.h"
#include "core/base/util.h"
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)
#define UNIQUE_MAX 1000

int od_export_dir_open(char **path)
{
    char *state = od_state_dir();
    char *dir = od_xasprintf("%s/exports", state);
    free(state);
    if (od_mkdir_p(dir) < 0) {
        free(dir);
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        od_seterr("cannot open the export directory %s: %s", dir, strerror(errno));
    } else if (st.st_uid != geteuid()) {
        od_seterr("refusing the export directory %s: it is owned by uid %u, not by the user "
                  "running opsdeck (uid %u)",
                  dir, (unsigned)st.st_uid, (unsigned)geteuid());
    } else if (st.st_mode & 022) {
        od_seterr("refusing the export directory %s: group or others may write to it; run: "
                  "chmod 700 %s",
                  dir, dir);
    } else {
        *path = dir;
        return fd;
    }
    if (fd >= 0) close(fd);
    free(dir);
    return -1;
}

int od_export_name_check(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n > 0 && n <= OD_EXPORT_NAME_MAX && name[0] != '.' && name[0] != '-';
    for (size_t i = 0; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-' || c == '+';
    }
    if (ok) return 0;
    return od_seterr("give a file name, not a path: letters, digits, '.', '_', '-' and '+', "
                     "not starting with '.' or '-', at most %d characters",
                     OD_EXPORT_NAME_MAX);
}

/* Write data to a new fd (from openat with CREATE_FLAGS), close it; on failure unlink name. */
static int fill(int dirfd, const char *name, int fd, const char *data, size_t n)
{
    int rc = od_write_all(fd, data, n), err = errno;
    if (close(fd) != 0 && rc == 0) rc = -1, err = errno;
    if (rc == 0) return 0;
    unlinkat(dirfd, name, 0);
    return od_seterr("cannot write %s: %s", name, strerror(err));
}

int od_export_create(int dirfd, const char *name, const char *data, size_t n)
{
    int fd = openat(dirfd, name, CREATE_FLAGS, 0600);
    if (fd < 0) {
        /* EEXIST; with O_EXCL a symlink at name also gives EEXIST (never followed) */
        if (errno == EEXIST) return 1;
        return od_seterr("cannot create %s: %s", name, strerror(errno));
    }
    return fill(dirfd, name, fd, data, n);
}

int od_export_create_unique(int dirfd, const char *name, const char *data, size_t n, char **used)
{
    const char *dot = strrchr(name, '.');
    int stem = dot && dot != name ? (int)(dot - name) : (int)strlen(name);
    const char *ext = name + stem;
    for (int i = 1; i <= UNIQUE_MAX; i++) {
        char *try = i == 1 ? od_xstrdup(name) : od_xasprintf("%.*s-%d%s", stem, name, i, ext);
        int rc = od_export_create(dirfd, try, data, n);
        if (rc == 0) {
            *used = try;
            return 0;
        }
        free(try);
        if (rc < 0) return -1;
    }
    return od_seterr("%d files named like %s exist already; remove some", UNIQUE_MAX, name);
}

int od_export_replace(int dirfd, const char *name, const char *data, size_t n)
{
    char *tmp = NULL;
    int fd = -1;
    for (int i = 0; i < 100 && fd < 0; i++) {
        free(tmp);
        tmp = od_xasprintf(".%s.%ld.%d.tmp", name, (long)getpid(), i);
        fd = openat(dirfd, tmp, CREATE_FLAGS, 0600);
        if (fd < 0 && errno != EEXIST) break;
    }
    int rc = -1;
    if (fd < 0) {
        od_seterr("cannot create a file beside %s: %s", name, strerror(errno));
    } else if (fill(dirfd, tmp, fd, data, n) == 0) {
        if (renameat(dirfd, tmp, dirfd, name) == 0) {
            rc = 0;
        } else {
            od_seterr("cannot replace %s: %s", name, strerror(errno));
            unlinkat(dirfd, tmp, 0);
        }
    }
    free(tmp);
    return rc;
}
