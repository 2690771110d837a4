/* cmd_user — `opsdeck user add|passwd|disable|list|logout|login`: people and sessions.
 * Passwords are read from the terminal with echo off (asked twice for a new one), or from
 * stdin when it is not a terminal; never from argv. Whoever can run this command as the
 * opsdeck service account administers users; each change is audited as "cli:<unix user>". */
#include "cmd/command.h"
#include "core/security/auth.h"
#include "core/base/config.h"
#include "core/db/db.h"
#include "core/security/password.h"
#include "core/base/sanitize.h"
#include "core/base/secmem.h"
#include "core/base/util.h"
#include "core/security/vault.h"
#include <cjson/cJSON.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_cli_opt user_email_opts[] = {
    {.arg = "EMAIL", .kind = OD_CLI_TEXT, .required = true, .help = "the user's email"}, {0}};
static const struct od_cli_opt user_add_opts[] = {
    {.arg = "EMAIL", .kind = OD_CLI_TEXT, .required = true, .help = "the new user's email"},
    {.name = "--role",
     .arg = "ROLE",
     .kind = OD_CLI_ENUM,
     .values = "ops|account_manager|oncall|admin",
     .required = true,
     .help = "what the user may see and do"},
    {.name = "--name", .arg = "NAME", .kind = OD_CLI_TEXT, .help = "the name shown in the console"},
    {0}};
static const struct od_cli_opt user_list_opts[] = {{.name = "--json", .help = "one JSON array"},
                                                   {0}};
static const struct od_cli_opt user_logout_opts[] = {
    {.arg = "SESSION_ID|EMAIL",
     .kind = OD_CLI_TEXT,
     .required = true,
     .help = "one session, or every session of a user"},
    {0}};
static const struct od_subcommand user_subs[] = {
    {.name = "add",
     .help = "create a user; the password is asked twice (or read as two lines from stdin)",
     .opts = user_add_opts},
    {.name = "passwd",
     .help = "set a new password (also unlocks the account)",
     .opts = user_email_opts},
    {.name = "disable",
     .help = "disable the account and end its sessions",
     .opts = user_email_opts},
    {.name = "list",
     .help = "users with role, status, live sessions and last login",
     .opts = user_list_opts},
    {.name = "logout",
     .help = "end one session, or every session of a user",
     .opts = user_logout_opts},
    {.name = "login",
     .help = "check a password the way the console does (throttled, audited)",
     .opts = user_email_opts},
    {0}};

static const char usage[] =
    "usage: opsdeck user add EMAIL --role ROLE [--name NAME]\n"
    "       opsdeck user passwd EMAIL\n"
    "       opsdeck user disable EMAIL\n"
    "       opsdeck user list [--json]\n"
    "       opsdeck user logout SESSION_ID|EMAIL\n"
    "       opsdeck user login EMAIL\n\n"
    "  add      create a user; ROLE is ops, account_manager, oncall or admin. The password is\n"
    "           asked twice (8 to 1024 bytes), or read as two lines from stdin in scripts.\n"
    "  passwd   set a new password (also unlocks the account)\n"
    "  disable  disable the account and end its sessions\n"
    "  list     users with role, status, live sessions and last login\n"
    "  logout   end one session, or every session of EMAIL\n"
    "  login    check a password the way the console does (throttled, audited); the session\n"
    "           it opens is ended again at once\n\n"
    "Exit status: 0 success, 1 failure (message on stderr), 2 usage.\n";

const struct od_command cmd_user_def = {
    .name = "user",
    .summary = "Manage users and their sessions",
    .usage = usage,
    .run = run,
    .subs = user_subs,
};

static char *actor(void)
{
    struct passwd *pw = getpwuid(geteuid());
    return od_xasprintf("cli:%s", pw ? pw->pw_name : "unknown");
}

static int fail(const char *what)
{
    char *msg = od_sanitize(od_err());
    fprintf(stderr, "opsdeck user %s: %s\n", what, msg);
    free(msg);
    return 1;
}

static int do_add(struct od_auth *a, const char *who, int argc, char **argv)
{
    const char *email = NULL, *name = NULL, *role_s = NULL;
    enum od_role role;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--role") && i + 1 < argc)
            role_s = argv[++i];
        else if (!strcmp(argv[i], "--name") && i + 1 < argc)
            name = argv[++i];
        else if (argv[i][0] != '-' && !email)
            email = argv[i];
        else
            return od_cmd_usage_error(&cmd_user_def, "unexpected argument '%s'", argv[i]);
    }
    if (!email || !role_s)
        return od_cmd_usage_error(&cmd_user_def, "user add needs EMAIL and --role ROLE");
    if (od_role_parse(role_s, &role) != 0) return od_cmd_usage_error(&cmd_user_def, "%s", od_err());
    char *pw = od_password_read_new("New password: ", "Repeat the password: ");
    if (!pw) return fail("add");
    int rc = od_user_add(a, who, email, name, role, pw);
    od_secret_free(pw);
    if (rc != 0) return fail("add");
    printf("added %s (%s)\n", email, od_role_name(role));
    return 0;
}

static int do_passwd(struct od_auth *a, const char *who, const char *email)
{
    char *pw = od_password_read_new("New password: ", "Repeat the password: ");
    if (!pw) return fail("passwd");
    int rc = od_user_passwd(a, who, email, pw);
    od_secret_free(pw);
    if (rc != 0) return fail("passwd");
    printf("password changed for %s\n", email);
    return 0;
}

static void print_table(const struct od_user *u, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    static const char *const head[] = {"EMAIL", "NAME", "ROLE", "STATUS", "SESSIONS", "LAST LOGIN"};
    static const int w[] = {32, 20, 16, 9, 8, 20};
    for (size_t c = 0; c < OD_ARRAY_LEN(head); c++) {
        od_pad_right(&sb, head[c], w[c]);
        sb_addch(&sb, ' ');
    }
    printf("%s\n", sb_str(&sb));
    for (size_t i = 0; i < n; i++) {
        char sessions[16];
        snprintf(sessions, sizeof sessions, "%d", u[i].live_sessions);
        const char *cells[] = {
            u[i].email, u[i].name,
            u[i].role,  u[i].disabled ? "disabled" : u[i].locked ? "locked" : "active",
            sessions,   u[i].last_login ? u[i].last_login : "never"};
        sb_reset(&sb);
        for (size_t c = 0; c < OD_ARRAY_LEN(cells); c++) {
            od_pad_cell(&sb, cells[c], w[c], c == 4);
            sb_addch(&sb, ' ');
        }
        printf("%s\n", sb_str(&sb));
    }
    sb_release(&sb);
}

static void print_json(const struct od_user *u, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)u[i].id);
        cJSON_AddStringToObject(o, "email", u[i].email);
        cJSON_AddStringToObject(o, "name", u[i].name);
        cJSON_AddStringToObject(o, "role", u[i].role);
        cJSON_AddBoolToObject(o, "disabled", u[i].disabled);
        cJSON_AddBoolToObject(o, "locked", u[i].locked);
        cJSON_AddNumberToObject(o, "live_sessions", u[i].live_sessions);
        cJSON_AddBoolToObject(o, "logged_in", u[i].live_sessions > 0);
        if (u[i].last_login)
            cJSON_AddStringToObject(o, "last_login", u[i].last_login);
        else
            cJSON_AddNullToObject(o, "last_login");
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(arr);
    printf("%s\n", s);
    free(s);
    cJSON_Delete(arr);
}

static int do_login(struct od_ctx *ctx, struct od_auth *a, const char *email)
{
    struct od_session *s;
    char *pw = od_password_read("Password: ");
    if (!pw) return fail("login");
    int rc = od_auth_login(a, email, pw, od_config_login_source(), &s);
    od_secret_free(pw);
    if (rc != 0) {
        fprintf(stderr, "%s\n", od_err());
        return 1;
    }
    char *who = od_sanitize(s->email);
    printf("Logged in as %s (%s).\n", who, od_role_name(s->role));
    free(who);
    od_auth_logout(a, s);
    od_session_free(s);
    return 0;
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    static const char *const one_arg[] = {"passwd", "disable", "logout", "login"};
    if (!sub) return od_cmd_usage_error(&cmd_user_def, "missing subcommand");
    for (size_t i = 0; i < OD_ARRAY_LEN(one_arg); i++)
        if (!strcmp(sub, one_arg[i]) && argc != 3)
            return od_cmd_usage_error(&cmd_user_def, "user %s takes one argument", sub);
    if (!strcmp(sub, "list") && argc > 3)
        return od_cmd_usage_error(&cmd_user_def, "user list takes only --json");
    struct od_pool *pool = od_pool_open(ctx->cfg, "opsdeck-user");
    if (!pool) return fail(sub);
    /* Logins need the session key from the vault; the rest works without it. */
    struct od_vault *vault = NULL;
    if (!strcmp(sub, "login") && !(vault = od_vault_open(ctx->cfg->secrets.key_file))) {
        od_pool_close(pool);
        return fail(sub);
    }
    struct od_auth *a = od_auth_new(pool, vault, ctx->cfg);
    char *who = actor();
    int rc = 0, ended = 0;
    if (!strcmp(sub, "add")) {
        rc = do_add(a, who, argc, argv);
    } else if (!strcmp(sub, "passwd")) {
        rc = do_passwd(a, who, argv[2]);
    } else if (!strcmp(sub, "disable")) {
        rc = od_user_disable(a, who, argv[2]) ? fail(sub) : 0;
        if (rc == 0) printf("disabled %s\n", argv[2]);
    } else if (!strcmp(sub, "logout")) {
        rc = od_user_logout(a, who, argv[2], &ended) ? fail(sub) : 0;
        if (rc == 0) printf("ended %d session%s\n", ended, ended == 1 ? "" : "s");
    } else if (!strcmp(sub, "login")) {
        rc = do_login(ctx, a, argv[2]);
    } else if (!strcmp(sub, "list")) {
        struct od_user *u;
        size_t n;
        bool json = argc == 3 && !strcmp(argv[2], "--json");
        if (argc == 3 && !json)
            rc = od_cmd_usage_error(&cmd_user_def, "unknown option '%s'", argv[2]);
        else if (od_user_list(a, &u, &n) != 0)
            rc = fail(sub);
        else {
            (json ? print_json : print_table)(u, n);
            od_user_list_free(u, n);
        }
    } else {
        rc = od_cmd_usage_error(&cmd_user_def, "unknown subcommand '%s'", sub);
    }
    free(who);
    od_auth_free(a);
    od_vault_close(vault);
    od_pool_close(pool);
    return rc;
}
