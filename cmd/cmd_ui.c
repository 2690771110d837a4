/* cmd_ui — `opsdeck ui` (also what runs when no command is given): the console.
 *
 * Start-up: pools (one for the services, one small one the query workers hold while they run
 * a read), the auth service (needs the secrets key for sessions), query workers, the NOTIFY
 * listener, in-console sync workers and the scheduler when sync.workers > 0, then the app with
 * every screen, the login form first. The log goes to a file (main.c opens it); nothing is
 * printed while curses runs. Shutdown stops and joins every thread before anything they use
 * is freed: workers, scheduler, listener (posts to the app), query workers (post to the app),
 * then screens, app, session, auth, vault, pools. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd/command.h"
#include "core/security/auth.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/db/events.h"
#include "core/base/log.h"
#include "core/db/reader.h"
#include "core/sync/scheduler.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include "core/jobs/worker.h"
#include "core/sync/handlers.h"
#include "screens/common.h"
#include "screens/login.h"
#include "screens/screens.h"
#include "tui/app.h"
#include "tui/colour.h"
#include "tui/theme.h"

#define QUERY_THREADS 2

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt ui_opts[] = {
    {.name = "--theme",
     .arg = "NAME",
     .kind = OD_CLI_ENUM,
     .values = "default|dark|light|mono|high-contrast",
     .help = "colour theme or theme file (default: $OPSDECK_THEME, ui.theme, default)"},
    {.name = "--readonly", .help = "disable every action that changes data"},
    {.name = "--colors",
     .arg = "D",
     .kind = OD_CLI_ENUM,
     .values = "mono|8|16|256|truecolor",
     .help = "force a colour depth instead of detecting it (NO_COLOR is honoured)"},
    {.name = "--email",
     .arg = "EMAIL",
     .kind = OD_CLI_TEXT,
     .help = "start with EMAIL in the login form, the password field focused"},
    {0}};

static const char usage[] =
    "usage: opsdeck [ui] [--theme NAME] [--readonly] [--colors mono|8|16|256|truecolor]\n"
    "                    [--email EMAIL]\n\n"
    "Opens the console: log in, then 1 Sync, 2 Exceptions, 3 Profitability, 4 Health and\n"
    "5 Admin (admins only). Screens refresh live from database notifications, at most once per\n"
    "ui.refresh_ms; p pauses, ? lists every key, : opens the command line, q quits.\n\n"
    "  --theme NAME   colour theme or theme file (default: $OPSDECK_THEME, ui.theme, default);\n"
    "                 built in: default dark light mono high-contrast\n"
    "  --readonly     disable every action that changes data\n"
    "  --colors D     force a colour depth instead of detecting it (NO_COLOR is honoured)\n"
    "  --email EMAIL  start with EMAIL in the login form, the password field focused\n\n"
    "Needs a terminal and the secrets key file (secrets.key_file; see `opsdeck keygen`).\n"
    "In-console sync workers: sync.workers (0 = none). Key bindings: [keys] in the config.\n"
    "The log is written to log.file or $XDG_STATE_HOME/opsdeck/opsdeck.log.\n"
    "Exit status: 0 after q, 1 no terminal or no database/key, 2 usage or bad configuration.\n";

const struct od_command cmd_ui_def = {
    .name = "ui",
    .summary = "The terminal console (the default command)",
    .usage = usage,
    .run = run,
    .opts = ui_opts,
};

struct ui {
    struct od_pool *pool, *qpool;
    struct od_vault *vault;
    struct od_auth *auth;
    struct od_reader *qw;
    struct od_events *events;
    struct od_workers *workers;
    struct od_scheduler *sched;
    struct tui_app *app;
    struct screens *screens;
    struct scr_ctx c;
    struct od_config qcfg; /* the read pool's settings: the pool keeps a pointer to them */
};

static void on_job_event(const struct od_event *ev, void *ud)
{
    od_workers_wake(ud);
}

static void ui_stop(struct ui *u)
{
    if (u->workers) od_workers_free(u->workers); /* stops, joins */
    od_scheduler_stop(u->sched);
    if (u->events) od_events_stop(u->events);
    if (u->qw) od_reader_stop(u->qw);
    screens_free(u->screens);
    if (u->c.session) od_auth_logout(u->auth, u->c.session);
    scr_ctx_release(&u->c);
    tui_app_free(u->app);
    od_auth_free(u->auth);
    od_vault_close(u->vault);
    if (u->qpool) od_pool_close(u->qpool);
    if (u->pool) od_pool_close(u->pool);
}

static int start_core(struct ui *u, struct od_config *cfg)
{
    int workers = cfg->sync.workers;
    int need = (workers > 0 ? od_workers_connections(workers) : 0) + QUERY_THREADS + 2;
    if (cfg->database.pool_size < need) cfg->database.pool_size = need;
    if (!(u->pool = od_pool_open(cfg, "opsdeck-ui"))) return -1;
    u->qcfg = *cfg; /* shallow: same strings, its own size */
    u->qcfg.database.pool_size = QUERY_THREADS;
    if (!(u->qpool = od_pool_open(&u->qcfg, "opsdeck-ui-read"))) return -1;
    if (!(u->auth = od_auth_new(u->pool, u->vault, cfg))) return -1;
    u->c.cfg = cfg;
    u->c.pool = u->pool;
    u->c.auth = u->auth;
    u->c.vault = u->vault;
    u->c.app = u->app;
    u->qw = od_reader_start(u->qpool, QUERY_THREADS, scr_reader_wake, &u->c);
    u->c.qw = u->qw;
    u->events = od_events_start(cfg, NULL, NULL);
    u->c.events = u->events;
    if (workers > 0) {
        struct od_worker_opts o = {.handlers = od_sync_handlers, .threads = workers};
        if (!(u->workers = od_workers_start(cfg, u->pool, u->vault, &o)))
            od_log_warn("in-console sync workers not started: %s", od_err());
        else if (u->events) {
            od_events_subscribe(u->events, OD_EVENTS_JOBS, on_job_event, u->workers);
            u->c.in_process_workers = true;
        }
        u->sched = od_scheduler_start(cfg, u->pool);
    }
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    struct od_config *cfg = ctx->cfg;
    const char *theme = NULL, *colors = NULL, *email = NULL;
    bool readonly = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--theme") && i + 1 < argc)
            theme = argv[++i];
        else if (!strncmp(argv[i], "--theme=", 8))
            theme = argv[i] + 8;
        else if (!strcmp(argv[i], "--colors") && i + 1 < argc)
            colors = argv[++i];
        else if (!strncmp(argv[i], "--colors=", 9))
            colors = argv[i] + 9;
        else if (!strcmp(argv[i], "--readonly"))
            readonly = true;
        else if (!strcmp(argv[i], "--email") && i + 1 < argc)
            email = argv[++i];
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return od_cmd_help(&cmd_ui_def);
        else
            return od_cmd_usage_error(&cmd_ui_def, "unknown option '%s'", argv[i]);
    }
    enum tui_depth depth;
    if (colors && tui_depth_parse(colors, &depth) < 0)
        return od_cmd_usage_error(&cmd_ui_def, "--colors: %s", od_err());
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "opsdeck ui: needs a terminal (stdin and stdout); for scripts use the "
                        "other commands (opsdeck --help)\n");
        return 1;
    }
    struct ui u = {0};
    scr_ctx_init(&u.c);
    u.c.readonly = readonly;
    struct tui_app_options o = {.theme = tui_theme_choose(theme, cfg->ui.theme),
                                .colors = colors,
                                .refresh_ms = cfg->ui.refresh_ms,
                                .title = "opsdeck"};
    if (!(u.app = tui_app_new(&o))) {
        fprintf(stderr, "opsdeck ui: theme: %s\n", od_err());
        scr_ctx_release(&u.c);
        return 2;
    }
    if (!(u.vault = od_vault_open(cfg->secrets.key_file))) {
        fprintf(stderr,
                "opsdeck ui: logins need the secrets key: %s\n(create one with `opsdeck "
                "keygen`, set secrets.key_file)\n",
                od_err());
        ui_stop(&u);
        return 1;
    }
    if (start_core(&u, cfg) < 0) {
        fprintf(stderr, "opsdeck ui: %s\n", od_err());
        ui_stop(&u);
        return 1;
    }
    u.screens = screens_new(&u.c);
    if (email) login_prefill(&u.c, email);
    if (tui_app_apply_keys(u.app, cfg->nkeys, cfg->key_action, cfg->key_spec) < 0) {
        fprintf(stderr, "opsdeck ui: [keys]: %s\n", od_err());
        ui_stop(&u);
        return 2;
    }
    tui_app_set_allow(u.app, scr_allow, &u.c);
    scr_update_title(&u.c);
    scr_events_attach(&u.c);
    od_log_info("console started (theme %s, %d sync workers%s)", tui_app_theme(u.app)->name,
                cfg->sync.workers, readonly ? ", read-only" : "");
    int rc = tui_app_run(u.app);
    if (rc < 0) fprintf(stderr, "opsdeck ui: %s\n", od_err());
    ui_stop(&u);
    od_log_info("console stopped");
    return rc < 0 ? 1 : rc > 0 ? 128 + rc : 0;
}
