/* pgtool — run a PostgreSQL client tool (pg_dump, pg_restore) without leaking credentials.
 * See pgtool.h.
 *
 * The password reaches the child through a memfd passed as fd 3 and PGPASSFILE=/dev/fd/3:
 * nothing on disk to clean up if we are killed, nothing in argv or the environment. libpq
 * accepts it because it stats as a regular file with mode 0600. */
#include "core/db/pgtool.h"
#include "core/base/config.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_ENV 96
#define PASS_FD 3

char *od_pgtool_find(const char *name, int server_major)
{
    char *p = od_xasprintf("/usr/lib/postgresql/%d/bin/%s", server_major, name);
    if (access(p, X_OK) == 0) return p;
    free(p);
    char *copy = od_xstrdup(od_config_search_path());
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        p = od_xasprintf("%s/%s", *d ? d : ".", name);
        if (access(p, X_OK) == 0) {
            free(copy);
            return p;
        }
        free(p);
    }
    free(copy);
    od_seterr("%s not found (looked in /usr/lib/postgresql/%d/bin and PATH); install the "
              "PostgreSQL %d client tools",
              name, server_major, server_major);
    return NULL;
}

/* ---- the child's environment ---- */

struct env {
    char *v[MAX_ENV + 1];
    int n;
};

static void env_set(struct env *e, const char *name, const char *val)
{
    size_t len = strlen(name);
    char *kv = od_xasprintf("%s=%s", name, val);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=') {
            free(e->v[i]);
            e->v[i] = kv;
            return;
        }
    if (e->n < MAX_ENV)
        e->v[e->n++] = kv;
    else
        free(kv);
}

static int env_has(const struct env *e, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < e->n; i++)
        if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=') return 1;
    return 0;
}

static void env_release(struct env *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->v[i]);
    e->n = 0;
}

static bool passed_on(const char *name)
{
    static const char *const keep[] = {"PATH",     "HOME",        "LANG", "LC_ALL",
                                       "LC_CTYPE", "LC_MESSAGES", "TZ"};
    for (size_t i = 0; i < OD_ARRAY_LEN(keep); i++)
        if (strcmp(name, keep[i]) == 0) return true;
    return strncmp(name, "PG", 2) == 0 && strcmp(name, "PGPASSWORD") != 0;
}

/* Base environment plus the conninfo's non-secret keywords. A secret keyword other than the
 * password (sslpassword) cannot be handed over safely, so it is refused. The parent's
 * environment is handed on here, entry by entry (not read as settings: core/base/config.h). */
static int env_build(struct env *e, const struct od_config *cfg, PGconn *conn, const char *label)
{
    for (char **ev = environ; *ev; ev++) {
        const char *eq = strchr(*ev, '=');
        if (!eq) continue;
        char *name = od_xstrndup(*ev, (size_t)(eq - *ev));
        if (passed_on(name)) env_set(e, name, eq + 1);
        free(name);
    }
    if (!env_has(e, "PATH")) env_set(e, "PATH", od_config_search_path()); /* unset: default */
    const char *url = cfg->database.url;
    if (url && *url) {
        char *perr = NULL;
        PQconninfoOption *opts = PQconninfoParse(url, &perr);
        if (!opts) {
            PQfreemem(perr);
            return od_seterr("database.url is not a valid connection string");
        }
        int rc = 0;
        for (PQconninfoOption *o = opts; o->keyword; o++) {
            if (!o->val || !*o->val) continue;
            if (o->dispchar && strchr(o->dispchar, '*')) {
                if (strcmp(o->keyword, "password") != 0)
                    rc = od_seterr("%s in database.url cannot be passed to %s without exposing it; "
                                   "use a key file without a passphrase, readable only by this "
                                   "account",
                                   o->keyword, label);
                continue;
            }
            if (o->envvar) env_set(e, o->envvar, o->val);
        }
        PQconninfoFree(opts);
        if (rc < 0) return rc;
    }
    /* The server we are connected to, not a list of candidates: a snapshot exported on our
     * connection can only be imported on the same server. */
    if (PQhost(conn) && *PQhost(conn)) env_set(e, "PGHOST", PQhost(conn));
    if (env_has(e, "PGHOSTADDR") && PQhostaddr(conn) && *PQhostaddr(conn))
        env_set(e, "PGHOSTADDR", PQhostaddr(conn));
    env_set(e, "PGPORT", PQport(conn));
    env_set(e, "PGDATABASE", PQdb(conn));
    env_set(e, "PGUSER", PQuser(conn));
    char *app = od_xasprintf("opsdeck-%s", label);
    env_set(e, "PGAPPNAME", app);
    free(app);
    char t[16];
    snprintf(t, sizeof(t), "%d", cfg->database.connect_timeout_s);
    env_set(e, "PGCONNECT_TIMEOUT", t);
    return 0;
}

/* Move fd to >= 10 (close-on-exec) so the child's dup2 targets 2 and 3 never collide. */
static int high_fd(int fd)
{
    if (fd < 0 || fd >= 10) return fd;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

/* A memfd holding "*:*:*:*:<password>" in .pgpass syntax, or -1. */
static int passfile_fd(const char *pw)
{
    if (strpbrk(pw, "\r\n")) return od_seterr("the database password contains a line break");
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, "*:*:*:*:");
    for (const char *p = pw; *p; p++) {
        if (*p == ':' || *p == '\\') sb_addch(&sb, '\\');
        sb_addch(&sb, *p);
    }
    sb_addch(&sb, '\n');
    int fd = high_fd(memfd_create("opsdeck-pgpass", MFD_CLOEXEC));
    int ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, sb.buf, sb.len) == (ssize_t)sb.len;
    od_wipe(sb.buf, sb.len);
    sb_release(&sb);
    if (!ok) {
        int err = errno;
        if (fd >= 0) close(fd);
        return od_seterr("cannot prepare the password for the child process: %s", strerror(err));
    }
    return fd;
}

/* ---- running the child ---- */

static void human_bytes(int64_t b, char *buf, size_t n)
{
    if (b < 1024 * 1024)
        snprintf(buf, n, "%.1f KiB", (double)b / 1024.0);
    else if (b < 1024LL * 1024 * 1024)
        snprintf(buf, n, "%.1f MiB", (double)b / (1024.0 * 1024.0));
    else
        snprintf(buf, n, "%.2f GiB", (double)b / (1024.0 * 1024.0 * 1024.0));
}

static void progress_line(const struct od_pgtool_opts *o, int64_t start_ms)
{
    char line[128], size[32] = "";
    struct stat st;
    if (o->watch_path && stat(o->watch_path, &st) == 0) {
        human_bytes((int64_t)st.st_size, size, sizeof(size) - 2);
        strcat(size, ", ");
    }
    snprintf(line, sizeof(line), "%s: %s%lds", o->label, size,
             (long)((od_now_ms() - start_ms) / 1000));
    fprintf(o->progress, "\r%-60s", line);
    fflush(o->progress);
}

/* The last few stderr lines, sanitized, for the error message. */
static char *stderr_tail(const struct strbuf *err)
{
    const char *s = sb_str(err);
    size_t len = err->len;
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    size_t start = len;
    for (int lines = 0; start > 0 && lines < 6; start--)
        if (s[start - 1] == '\n') lines++;
    struct strbuf out = STRBUF_INIT;
    const char *p = s + start, *end = s + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        sb_add(&out, "\n  ");
        od_sanitize_to(&out, p, n);
        p += n + 1;
    }
    return sb_detach(&out);
}

static int spawn_wait(const char *const *argv, char **envp, int pwfd,
                      const struct od_pgtool_opts *o)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) return od_seterr("pipe: %s", strerror(errno));
    pfd[0] = high_fd(pfd[0]);
    pfd[1] = high_fd(pfd[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    if (pwfd >= 0) posix_spawn_file_actions_adddup2(&fa, pwfd, PASS_FD);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        return od_seterr("cannot run %s: %s", argv[0], strerror(rc));
    }
    struct strbuf err = STRBUF_INIT;
    int64_t start = od_now_ms();
    for (;;) {
        if (o->progress) progress_line(o, start);
        struct pollfd p = {pfd[0], POLLIN, 0};
        int pr = poll(&p, 1, 250);
        if (pr < 0 && errno != EINTR) break;
        if (pr > 0) {
            char buf[4096];
            ssize_t n = read(pfd[0], buf, sizeof(buf));
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
            if (n > 0) sb_addn(&err, buf, (size_t)n);
            if (err.len > 65536) { /* keep the tail only */
                memmove(err.buf, err.buf + err.len - 16384, 16384);
                err.len = 16384;
                err.buf[err.len] = '\0';
            }
        }
    }
    close(pfd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (o->progress) {
        fprintf(o->progress, "\r%-60s\r", "");
        fflush(o->progress);
    }
    int ret = 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char *tail = stderr_tail(&err);
        if (WIFSIGNALED(st))
            ret = od_seterr("%s was killed by signal %d%s", o->label, WTERMSIG(st), tail);
        else
            ret = od_seterr("%s failed (exit status %d)%s", o->label, WEXITSTATUS(st), tail);
        free(tail);
    }
    sb_release(&err);
    return ret;
}

int od_pgtool_run(const struct od_config *cfg, PGconn *conn, const char *const *argv,
                  const struct od_pgtool_opts *opts)
{
    struct env e = {.n = 0};
    int pwfd = -1, rc = -1;
    if (env_build(&e, cfg, conn, opts->label) < 0) goto out;
    const char *pw = PQconnectionUsedPassword(conn) ? PQpass(conn) : NULL;
    if (pw && *pw) {
        if ((pwfd = passfile_fd(pw)) < 0) goto out;
        char v[32];
        snprintf(v, sizeof(v), "/dev/fd/%d", PASS_FD);
        env_set(&e, "PGPASSFILE", v);
    }
    e.v[e.n] = NULL;
    rc = spawn_wait(argv, e.v, pwfd, opts);
out:
    if (pwfd >= 0) close(pwfd);
    env_release(&e);
    return rc;
}
