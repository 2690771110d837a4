/* log_read — a job's own log lines, read back from the log file for the console's job detail
 * (od_log_job_lines in log.h). Every line a job's threads write carries "job":"ID" (log.c), so
 * finding them is a substring match on the JSON line: the value is quoted and a message that
 * happens to contain the same text has its quotes escaped, so it never matches. Bounded: the
 * last LOG_SCAN_BYTES of the rotated file and of the current one, the last `max` matches,
 * each line at most LINE_MAX_BYTES. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "core/base/json.h"
#include "core/base/log.h"
#include "core/base/util.h"

#define LOG_SCAN_BYTES (8 << 20)
#define LINE_MAX_BYTES 4000

struct ring {
    char **line; /* max slots, oldest at head once full */
    size_t max, n, head;
};

static void ring_push(struct ring *r, char *s)
{
    if (r->n < r->max) {
        r->line[(r->head + r->n++) % r->max] = s;
        return;
    }
    free(r->line[r->head]);
    r->line[r->head] = s;
    r->head = (r->head + 1) % r->max;
}

/* "20:01:02.123 warn  [sync-1] job finished outcome=dead error=..." from one JSON line; the
 * line as it is when it is not one of ours. */
static char *for_people(const char *json, size_t len)
{
    struct od_json *doc = od_json_parse(json, len);
    const struct od_jv *root = doc ? od_json_root(doc) : NULL;
    if (!root || root->type != OD_JV_OBJECT) {
        od_json_free(doc);
        return od_xstrndup(json, len);
    }
    struct strbuf sb = STRBUF_INIT;
    const char *ts = od_jv_string(od_jv_get(root, "ts"));
    const char *t = ts ? strchr(ts, 'T') : NULL;
    sb_addf(&sb, "%.12s %-5s [%s] %s", t ? t + 1 : (ts ? ts : ""),
            od_jv_string(od_jv_get(root, "level")) ? od_jv_string(od_jv_get(root, "level")) : "",
            od_jv_string(od_jv_get(root, "thread")) ? od_jv_string(od_jv_get(root, "thread")) : "",
            od_jv_string(od_jv_get(root, "msg")) ? od_jv_string(od_jv_get(root, "msg")) : "");
    for (const struct od_jv *m = od_jv_first(root); m; m = od_jv_next(m)) {
        static const char *const known[] = {"ts", "level", "thread", "msg", "job"};
        bool skip = false;
        for (size_t i = 0; i < OD_ARRAY_LEN(known); i++)
            skip = skip || !strcmp(m->key, known[i]);
        if (skip) continue;
        const char *v = m->text ? m->text : "";
        sb_addf(&sb, " %s=%s", m->key, v);
    }
    od_json_free(doc);
    return sb_detach(&sb);
}

/* Scan one file's tail for needle (nothing when the file does not exist). */
static void scan(const char *path, const char *needle, struct ring *r)
{
    FILE *f = fopen(path, "re");
    if (!f) return;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size > LOG_SCAN_BYTES) {
        fseeko(f, st.st_size - LOG_SCAN_BYTES, SEEK_SET);
        int c;
        while ((c = fgetc(f)) != EOF && c != '\n') /* start at a whole line */
            ;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (!strstr(line, needle)) continue;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len > LINE_MAX_BYTES) {
            char *cut = od_xasprintf("%.*s …", LINE_MAX_BYTES, line);
            ring_push(r, cut);
        } else {
            ring_push(r, for_people(line, (size_t)len));
        }
    }
    free(line);
    fclose(f);
}

int od_log_job_lines(int64_t job_id, size_t max, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *path = od_log_path();
    if (!path) return od_seterr("the log goes to stderr here (no log file to read)");
    if (max == 0) max = 1;
    struct ring r = {od_xcalloc(max, sizeof(char *)), max, 0, 0};
    char needle[48];
    snprintf(needle, sizeof needle, "\"job\":\"%lld\"", (long long)job_id);
    char *rotated = od_xasprintf("%s.1", path);
    scan(rotated, needle, &r); /* older lines first */
    scan(path, needle, &r);
    free(rotated);
    free(path);
    *out = od_xcalloc(r.n ? r.n : 1, sizeof(char *));
    for (size_t i = 0; i < r.n; i++)
        (*out)[i] = r.line[(r.head + i) % r.max];
    *n = r.n;
    free(r.line);
    return 0;
}

void od_log_lines_free(char **lines, size_t n)
{
    for (size_t i = 0; lines && i < n; i++)
        free(lines[i]);
    free(lines);
}
