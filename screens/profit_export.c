/* profit_export — `:export csv|json [FILE]` on the Profitability screen: the rows the table
 * shows (filter applied, in the shown order) plus the level's totals, written by
 * core/domain/report.h (the same bytes `opsdeck report` writes) to FILE or to
 * $XDG_STATE_HOME/opsdeck/exports/profit-LEVEL-YYYYMMDD-HHMMSS.EXT; a toast says where. */
#include "screens/profit_export.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/domain/report.h"
#include "core/base/util.h"
#include "screens/common.h"
#include "screens/profit_read.h"
#include "tui/table.h"

static char *default_path(const struct profit_snap *snap, const char *ext)
{
    char *dir = od_state_dir();
    char *sub = od_xasprintf("%s/exports", dir);
    mkdir(dir, 0700);
    mkdir(sub, 0700);
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *path =
        od_xasprintf("%s/profit-%s-%s.%s", sub, od_profit_by_name(snap->rep.by), stamp, ext);
    free(sub);
    free(dir);
    return path;
}

static int write_file(const char *path, const struct strbuf *sb)
{
    FILE *f = fopen(path, "w");
    if (!f) return od_seterr("cannot write %s: %s", path, strerror(errno));
    size_t n = fwrite(sb_str(sb), 1, sb->len, f);
    if (fclose(f) != 0 || n != sb->len) return od_seterr("cannot write %s", path);
    return 0;
}

unsigned profit_export(struct scr_ctx *c, const struct profit_snap *snap, const struct tui_table *t,
                       int argc, char **argv)
{
    enum od_report_format fmt = OD_REPORT_CSV;
    if (argc > 1 && (od_report_format_parse(argv[1], &fmt) < 0 || fmt == OD_REPORT_TABLE)) {
        tui_app_toast(c->app, TUI_TOAST_ERROR, "export: csv or json (e.g. :export csv)");
        return TUI_REDRAW;
    }
    if (!snap) {
        tui_app_toast(c->app, TUI_TOAST_WARN, "export: nothing loaded yet");
        return TUI_REDRAW;
    }
    /* A shallow copy holding only the rows shown, in the order shown. */
    struct od_profit_report view = snap->rep;
    view.rows = od_xcalloc(t->nview + 1, sizeof *view.rows);
    view.nrows = t->nview;
    for (size_t i = 0; i < t->nview; i++)
        view.rows[i] = snap->rep.rows[t->view[i]];
    struct strbuf sb = STRBUF_INIT;
    od_report_profit(&view, fmt, &sb);
    free(view.rows);
    char *path =
        argc > 2 ? od_xstrdup(argv[2]) : default_path(snap, fmt == OD_REPORT_JSON ? "json" : "csv");
    if (write_file(path, &sb) < 0)
        tui_app_toast(c->app, TUI_TOAST_ERROR, "export: %s", od_err());
    else
        tui_app_toast(c->app, TUI_TOAST_INFO, "exported %zu rows to %s", t->nview, path);
    od_log_info("profit export: %zu rows to %s", t->nview, path);
    free(path);
    sb_release(&sb);
    return TUI_REDRAW;
}
