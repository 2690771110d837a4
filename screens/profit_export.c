/* profit_export — `:export csv|json [NAME]` on the Profitability screen: the rows the table
 * shows (filter applied, in the shown order) plus their total (core/domain/profit_sum.h: the
 * TOTAL row is the sum of the rows above it, as the screen's Total line is), written by
 * core/domain/report.h (the same bytes `opsdeck report` writes to a file, CSV formula-guarded) into
 * the export directory (core/base/export.h: $XDG_STATE_HOME/opsdeck/exports, 0700; files 0600,
 * created exclusively, never through a symlink). A toast says the full path.
 *
 * NAME is a file name, never a path (refused with the rule); without an extension the
 * format's is added. An existing NAME is replaced only after the confirm dialog says yes
 * (default No: nothing written). Without NAME the file is
 * profit-LEVEL-FROM..TO-YYYYMMDDTHHMM.EXT (FROM..TO is "all" for all time), with -2, -3 ...
 * added when that name is taken. Needs profit.export (core/security/auth.c); --readonly refuses it.
 */
#include "screens/profit_export.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/base/export.h"
#include "core/base/log.h"
#include "core/domain/profit_sum.h"
#include "core/domain/report.h"
#include "core/base/util.h"
#include "screens/common.h"
#include "screens/profit_read.h"
#include "tui/table.h"

/* An export waiting for the confirm dialog (owned by the screen). */
struct profit_export {
    struct scr_ctx *c;              /* borrowed */
    struct profit_export **pending; /* the screen's slot it waits in */
    char *name;
    struct strbuf data;
    size_t rows;
};

void profit_export_free(struct profit_export *e)
{
    if (!e) return;
    free(e->name);
    sb_release(&e->data);
    free(e);
}

/* dir for a person to read: $HOME/... as ~/... (shorter on the status line) */
static const char *shown_dir(const char *dir, char *buf, size_t n)
{
    const char *home = getenv("HOME");
    size_t h = home ? strlen(home) : 0;
    if (h > 1 && strncmp(dir, home, h) == 0 && dir[h] == '/') {
        snprintf(buf, n, "~%s", dir + h);
        return buf;
    }
    return dir;
}

static char *default_name(const struct od_profit_report *rep, const char *ext)
{
    char stamp[32], range[32];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M", &tm);
    if (*rep->from || *rep->to)
        snprintf(range, sizeof range, "%s..%s", rep->from, rep->to);
    else
        snprintf(range, sizeof range, "all");
    return od_xasprintf("profit-%s-%s-%s.%s", od_profit_by_name(rep->by), range, stamp, ext);
}

/* The file name to use for what was typed: checked, with the extension added when it has
 * none. NULL after an error toast. */
static char *typed_name(struct scr_ctx *c, const char *typed, const char *ext)
{
    if (od_export_name_check(typed) < 0) {
        char *dir = NULL;
        int dfd = od_export_dir_open(&dir);
        if (dfd >= 0) close(dfd);
        char b[4096];
        tui_app_toast(c->app, TUI_TOAST_ERROR, "export: %s (files go to %s)", od_err(),
                      dir ? shown_dir(dir, b, sizeof b) : "the export directory");
        free(dir);
        return NULL;
    }
    return strchr(typed, '.') ? od_xstrdup(typed) : od_xasprintf("%s.%s", typed, ext);
}

static unsigned replace_answer(struct tui_app *app, bool yes, void *ud)
{
    struct profit_export **slot = ud;
    struct profit_export *e = *slot;
    *slot = NULL;
    if (!e) return TUI_REDRAW;
    struct scr_ctx *c = e->c;
    char *dir = NULL;
    int dfd = -1;
    if (!yes)
        tui_app_toast(c->app, TUI_TOAST_INFO, "not exported: %s kept as it was", e->name);
    else if (!scr_can(c, "profit.export", true)) /* logged out or changed meanwhile */
        tui_app_toast(c->app, TUI_TOAST_WARN, "export: not permitted");
    else if ((dfd = od_export_dir_open(&dir)) < 0 ||
             od_export_replace(dfd, e->name, sb_str(&e->data), e->data.len) < 0)
        tui_app_toast(c->app, TUI_TOAST_ERROR, "export: %s", od_err());
    else {
        char b[4096];
        tui_app_toast(c->app, TUI_TOAST_INFO, "replaced %s/%s (%zu rows)",
                      shown_dir(dir, b, sizeof b), e->name, e->rows);
        od_log_info("profit export: %zu rows replaced %s/%s", e->rows, dir, e->name);
    }
    if (dfd >= 0) close(dfd);
    free(dir);
    profit_export_free(e);
    return TUI_REDRAW;
}

/* Write e (name set) into the export directory; ask before replacing (e is then kept). */
static void write_export(struct profit_export *e, bool generated)
{
    struct scr_ctx *c = e->c;
    char *dir = NULL, *used = NULL;
    int dfd = od_export_dir_open(&dir), rc = -1;
    if (dfd >= 0) {
        if (generated)
            rc = od_export_create_unique(dfd, e->name, sb_str(&e->data), e->data.len, &used);
        else if ((rc = od_export_create(dfd, e->name, sb_str(&e->data), e->data.len)) == 0)
            used = od_xstrdup(e->name);
        close(dfd);
    }
    if (rc < 0) {
        tui_app_toast(c->app, TUI_TOAST_ERROR, "export: %s", od_err());
    } else if (rc == 0) {
        char b[4096];
        tui_app_toast(c->app, TUI_TOAST_INFO, "exported %zu rows to %s/%s", e->rows,
                      shown_dir(dir, b, sizeof b), used);
        od_log_info("profit export: %zu rows to %s/%s", e->rows, dir, used);
    } else { /* exists: ask; the dialog defaults to No */
        char q[200];
        snprintf(q, sizeof q, "%s exists in the export folder. Replace it?", e->name);
        struct profit_export **slot = e->pending;
        profit_export_free(*slot);
        *slot = e;
        tui_app_confirm(c->app, q, replace_answer, slot);
        e = NULL;
    }
    profit_export_free(e);
    free(used);
    free(dir);
}

unsigned profit_export(struct scr_ctx *c, const struct profit_snap *snap, const struct tui_table *t,
                       struct profit_export **pending, int argc, char **argv)
{
    enum od_report_format fmt = OD_REPORT_CSV;
    if (!scr_can(c, "profit.export", true)) {
        tui_app_toast(c->app, TUI_TOAST_WARN, "%s",
                      c->readonly ? "read-only: exports are disabled"
                                  : "export: not permitted for your role");
        return TUI_REDRAW;
    }
    if (argc > 3 ||
        (argc > 1 && (od_report_format_parse(argv[1], &fmt) < 0 || fmt == OD_REPORT_TABLE))) {
        tui_app_toast(c->app, TUI_TOAST_ERROR,
                      "export: csv or json, then an optional file name (e.g. :export csv q1)");
        return TUI_REDRAW;
    }
    if (!snap) {
        tui_app_toast(c->app, TUI_TOAST_WARN, "export: nothing loaded yet");
        return TUI_REDRAW;
    }
    const char *ext = fmt == OD_REPORT_JSON ? "json" : "csv";
    struct profit_export *e = od_xcalloc(1, sizeof *e);
    e->c = c;
    e->pending = pending;
    e->name = argc > 2 ? typed_name(c, argv[2], ext) : default_name(&snap->rep, ext);
    if (!e->name) {
        profit_export_free(e);
        return TUI_REDRAW;
    }
    /* A shallow copy holding only the rows shown, in the order shown, and their total. */
    struct od_profit_report view = snap->rep;
    if (od_profit_sum(snap->rep.rows, t->view, t->nview, &view.totals) < 0) {
        tui_app_toast(c->app, TUI_TOAST_ERROR, "export: %s", od_err());
        profit_export_free(e);
        return TUI_REDRAW;
    }
    view.rows = od_xcalloc(t->nview + 1, sizeof *view.rows);
    view.nrows = t->nview;
    for (size_t i = 0; i < t->nview; i++)
        view.rows[i] = snap->rep.rows[t->view[i]];
    od_report_profit(&view, fmt, 0, &e->data);
    free(view.rows);
    e->rows = t->nview;
    write_export(e, argc <= 2);
    return TUI_REDRAW;
}
