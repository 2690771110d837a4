/* sync_detail — the job detail overlay; see sync_detail.h. */
#include "screens/sync_detail.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/jobs/jobdetail.h"
#include "screens/common.h"
#include "tui/overlay.h"

struct sync_detail {
    struct scr_ctx *c;   /* borrowed */
    const bool *visible; /* borrowed */
    int64_t want;        /* the job asked for last */
};

struct snap {
    struct od_job_detail d;
    char **log; /* owned */
    size_t nlog;
    char *log_err; /* owned: why there are no log lines, or NULL */
};

static void snap_free(void *p)
{
    struct snap *s = p;
    if (!s) return;
    od_job_detail_release(&s->d);
    od_log_lines_free(s->log, s->nlog);
    free(s->log_err);
    free(s);
}

/* Query worker: the row, its attempts, and its lines from the log file. */
static void *read_detail(PGconn *conn, void *arg)
{
    int64_t id = *(int64_t *)arg;
    struct snap *s = od_xcalloc(1, sizeof *s);
    if (od_job_detail_read(conn, id, &s->d) < 0) {
        free(s);
        return NULL;
    }
    if (od_log_job_lines(id, SYNC_DETAIL_LOG_LINES, &s->log, &s->nlog) < 0)
        s->log_err = od_xstrdup(od_err());
    return s;
}

static const char * or (const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

static void duration(char *out, size_t n, double s)
{
    if (s < 0)
        snprintf(out, n, "-");
    else if (s < 120)
        snprintf(out, n, "%.1f s", s);
    else if (s < 7200)
        snprintf(out, n, "%lld min %lld s", (long long)s / 60, (long long)s % 60);
    else
        snprintf(out, n, "%.1f h", s / 3600);
}

static void show(struct sync_detail *d, const struct snap *s)
{
    const struct od_job_row *j = s->d.row;
    char title[96], dur[48];
    snprintf(title, sizeof title, "Job %lld — %s %s", (long long)j->id, j->provider, j->resource);
    struct tui_overlay *o = tui_app_overlay(d->c->app, title);
    uint8_t role = !strcmp(j->state, "dead")        ? TUI_ROLE_FAIL
                   : !strcmp(j->state, "retryable") ? TUI_ROLE_WARN
                                                    : TUI_ROLE_HEADER;
    tui_overlay_add(o, role, "%s · attempt %d of %d · %s %s", j->state, j->attempts,
                    j->max_attempts, j->provider, j->resource);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Args:        %s", or (j->args_json, "{}"));
    duration(dur, sizeof dur, s->d.run_seconds);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Created:     %s", or (j->created_at, "-"));
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Started:     %s", or (s->d.started_at, "not yet"));
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Finished:    %s", or (j->finished_at, "not yet"));
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Duration:    %s%s", dur,
                    j->finished_at || s->d.run_seconds < 0 ? "" : " so far");
    bool pending = !strcmp(j->state, "available") || !strcmp(j->state, "retryable");
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Next run:    %s", pending ? or (j->run_at, "-") : "-");
    if (j->progress_total > 0 && j->progress_done <= j->progress_total)
        tui_overlay_add(o, TUI_ROLE_NORMAL, "Progress:    %lld of %lld (%lld%%), %.1f/s",
                        (long long)j->progress_done, (long long)j->progress_total,
                        (long long)(j->progress_done * 100 / j->progress_total), j->rate_per_s);
    else
        tui_overlay_add(o, TUI_ROLE_NORMAL, "Progress:    %lld done, %.1f/s",
                        (long long)j->progress_done, j->rate_per_s);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Checkpoint:  %s", or (s->d.checkpoint_json, "none"));
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Worker:      %s%s%s", or (j->locked_by, "none"),
                    s->d.heartbeat_at ? ", last heartbeat " : "", or (s->d.heartbeat_at, ""));
    tui_overlay_add(o, TUI_ROLE_NORMAL, "Unique key:  %s", or (j->unique_key, "none"));
    if (j->last_error) tui_overlay_add(o, TUI_ROLE_FAIL, "Last error:  %s", j->last_error);
    tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
    tui_overlay_add(o, TUI_ROLE_HEADER, "Attempts (%zu)", s->d.nattempts);
    if (!s->d.nattempts) tui_overlay_add(o, TUI_ROLE_DIM, "  none has ended yet");
    for (size_t i = 0; i < s->d.nattempts; i++) {
        const struct od_job_attempt *a = &s->d.attempts[i];
        duration(dur, sizeof dur, a->seconds);
        bool bad = a->error || (a->outcome && !strcmp(a->outcome, "dead"));
        tui_overlay_add(o, bad ? TUI_ROLE_WARN : TUI_ROLE_NORMAL,
                        "  #%d %-9s %s → %s (%s), worker %s%s%s", a->attempt, or (a->outcome, "?"),
                        or (a->started_at, "?"), or (a->finished_at, "?"), dur, or (a->worker, "?"),
                        a->error ? "; error: " : "", or (a->error, ""));
    }
    tui_overlay_add(o, TUI_ROLE_NORMAL, "%s", "");
    tui_overlay_add(o, TUI_ROLE_HEADER, "Log lines of this job (%zu%s)", s->nlog,
                    s->nlog == SYNC_DETAIL_LOG_LINES ? ", the newest" : "");
    if (s->log_err) tui_overlay_add(o, TUI_ROLE_DIM, "  %s", s->log_err);
    if (!s->nlog && !s->log_err)
        tui_overlay_add(o, TUI_ROLE_DIM,
                        "  none in this machine's log file (a worker elsewhere logs to its own)");
    for (size_t i = 0; i < s->nlog; i++)
        tui_overlay_add(o, strstr(s->log[i], " error ") ? TUI_ROLE_FAIL : TUI_ROLE_NORMAL, "  %s",
                        s->log[i]);
    tui_overlay_add(o, TUI_ROLE_DIM, "Esc closes · arrows, PgUp/PgDn, g/G scroll");
}

static void on_result(void *screen, struct od_read_result *r)
{
    struct sync_detail *d = screen;
    struct snap *s = r->snapshot;
    int64_t id = strtoll(r->key + strlen("jobdetail."), NULL, 10);
    if (id != d->want || !*d->visible) return; /* superseded, or the person left */
    d->want = 0;
    if (!s) {
        tui_app_toast(d->c->app, TUI_TOAST_ERROR, "job %lld: %s", (long long)id,
                      r->error ? r->error : "cannot read it");
        return;
    }
    show(d, s);
}

struct sync_detail *sync_detail_new(struct scr_ctx *c, const bool *visible)
{
    struct sync_detail *d = od_xcalloc(1, sizeof *d);
    d->c = c;
    d->visible = visible;
    scr_route(c, "jobdetail.", d, on_result, NULL);
    return d;
}

void sync_detail_free(struct sync_detail *d)
{
    free(d);
}

void sync_detail_open(struct sync_detail *d, int64_t id)
{
    char key[48];
    snprintf(key, sizeof key, "jobdetail.%lld", (long long)id);
    int64_t *arg = od_xmalloc(sizeof *arg);
    *arg = id;
    d->want = id;
    scr_submit(d->c, key, read_detail, arg, free, snap_free);
}
