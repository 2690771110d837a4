/* log — JSON-lines logger with redaction and size-based rotation. See log.h.
 * One mutex guards the file; formatting happens outside it. */
#include "core/base/log.h"
#include "core/base/json.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;
static char *log_path;
static int64_t log_max_bytes = 10 * 1024 * 1024;
static int log_keep = 5;
static int64_t log_size;
static enum od_log_level log_min = OD_LOG_INFO;
static uint64_t n_warns, n_errors;
static char last_error[256];
static _Thread_local char thread_name[32];

static const char *level_names[] = {"debug", "info", "warn", "error"};

const char *od_log_level_name(enum od_log_level level)
{
    return level_names[level];
}

int od_log_level_parse(const char *s, enum od_log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum od_log_level)i;
            return 0;
        }
    return od_seterr("unknown log level '%s' (expected debug, info, warn or error)", s);
}

void od_log_set_level(enum od_log_level level)
{
    log_min = level;
}

void od_log_set_thread(const char *name)
{
    snprintf(thread_name, sizeof(thread_name), "%s", name);
}

const char *od_log_thread(void)
{
    return thread_name[0] ? thread_name : "main";
}

static int ensure_dir(const char *path)
{
    char *dir = od_xstrdup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            free(dir);
            return -1;
        }
        *p = '/';
    }
    free(dir);
    return 0;
}

/* Open (or create, mode 0600: log lines name users, hosts and errors) a log file for
 * appending. A file that exists keeps its mode. */
static FILE *open_append(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return NULL;
    FILE *fp = fdopen(fd, "a");
    if (!fp) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    setvbuf(fp, NULL, _IOLBF, 0);
    return fp;
}

int od_log_open(const char *path, enum od_log_level level, int64_t max_bytes, int keep)
{
    od_log_close();
    pthread_mutex_lock(&log_lock);
    log_min = level;
    if (max_bytes > 0) log_max_bytes = max_bytes;
    log_keep = keep;
    if (path && *path) {
        if (ensure_dir(path) < 0 || !(log_fp = open_append(path))) {
            int e = errno;
            pthread_mutex_unlock(&log_lock);
            return od_seterr("cannot open log file %s: %s", path, strerror(e));
        }
        log_path = od_xstrdup(path);
        struct stat st;
        log_size = fstat(fileno(log_fp), &st) == 0 ? st.st_size : 0;
    }
    pthread_mutex_unlock(&log_lock);
    return 0;
}

void od_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_fp) fclose(log_fp);
    log_fp = NULL;
    free(log_path);
    log_path = NULL;
    pthread_mutex_unlock(&log_lock);
}

/* Called with log_lock held. */
static void rotate(void)
{
    if (!log_fp || !log_path) return;
    fclose(log_fp);
    log_fp = NULL;
    for (int i = log_keep; i >= 1; i--) {
        char *from = i == 1 ? od_xstrdup(log_path) : od_xasprintf("%s.%d", log_path, i - 1);
        char *to = od_xasprintf("%s.%d", log_path, i);
        rename(from, to);
        free(from);
        free(to);
    }
    if (log_keep == 0) remove(log_path);
    log_fp = open_append(log_path);
    log_size = 0;
}

/* A member with its name and value redacted (control characters are escaped by cJSON). */
static void add_redacted(cJSON *o, const char *name, const char *value)
{
    char *n = od_log_redact(name), *v = od_log_redact(value);
    cJSON_AddStringToObject(o, n, v);
    free(n);
    free(v);
}

static void emit(enum od_log_level level, const char *msg, va_list *kv)
{
    if (level < log_min) return;
    char ts[40];
    od_time_format_ms(od_wall_ms(), ts, sizeof(ts));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ts", ts);
    cJSON_AddStringToObject(o, "level", level_names[level]);
    add_redacted(o, "thread", od_log_thread());
    add_redacted(o, "msg", msg);
    if (kv) {
        const char *k;
        while ((k = va_arg(*kv, const char *))) {
            const char *v = va_arg(*kv, const char *);
            add_redacted(o, k, v ? v : "");
        }
    }
    struct strbuf sb = STRBUF_INIT;
    char *line = od_json_print(o);
    sb_add(&sb, line);
    sb_addch(&sb, '\n');
    free(line);
    pthread_mutex_lock(&log_lock);
    if (level == OD_LOG_WARN) n_warns++;
    if (level == OD_LOG_ERROR) {
        n_errors++;
        snprintf(last_error, sizeof(last_error), "%s", msg);
    }
    FILE *fp = log_fp ? log_fp : (log_path ? NULL : stderr);
    if (fp) {
        /* A full disk must not stop the program: the line is dropped, nothing else. */
        if (fwrite(sb.buf, 1, sb.len, fp) == sb.len) log_size += (int64_t)sb.len;
        if (log_fp && log_size > log_max_bytes) rotate();
    }
    pthread_mutex_unlock(&log_lock);
    sb_release(&sb);
}

void od_logf(enum od_log_level level, const char *fmt, ...)
{
    if (level < log_min) return;
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    emit(level, sb_str(&sb), NULL);
    sb_release(&sb);
}

void od_log_kv(enum od_log_level level, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    emit(level, msg, &ap);
    va_end(ap);
}

void od_log_stats(uint64_t *warns, uint64_t *errors, char *last, size_t n)
{
    pthread_mutex_lock(&log_lock);
    if (warns) *warns = n_warns;
    if (errors) *errors = n_errors;
    if (last && n) snprintf(last, n, "%s", last_error);
    pthread_mutex_unlock(&log_lock);
}
