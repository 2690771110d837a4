/* admin_read — the Admin screen's reads on a query worker: users and live sessions
 * (core/security/auth.h) and stored connections (core/security/credentials.h), metadata only:
 * never a token, never a hash. Rows come back as ready tui_rowsets for the view asked. */
#include "screens/admin_read.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/security/auth.h"
#include "core/security/credentials.h"
#include "core/base/util.h"

const struct tui_column admin_cols[ADMIN_NVIEWS][6] = {
    {{"Email", TUI_ALIGN_LEFT, 10, 40, TUI_CMP_TEXT, NULL},
     {"Name", TUI_ALIGN_LEFT, 4, 30, TUI_CMP_TEXT, NULL},
     {"Role", TUI_ALIGN_LEFT, 4, 16, TUI_CMP_TEXT, NULL},
     {"Status", TUI_ALIGN_LEFT, 6, 9, TUI_CMP_TEXT, NULL},
     {"Sessions", TUI_ALIGN_RIGHT, 8, 8, TUI_CMP_NUMBER, NULL},
     {"Last login", TUI_ALIGN_LEFT, 10, 25, TUI_CMP_TEXT, NULL}},
    {{"Session", TUI_ALIGN_RIGHT, 7, 10, TUI_CMP_NUMBER, NULL},
     {"Email", TUI_ALIGN_LEFT, 10, 40, TUI_CMP_TEXT, NULL},
     {"Source", TUI_ALIGN_LEFT, 6, 24, TUI_CMP_TEXT, NULL},
     {"Started", TUI_ALIGN_LEFT, 16, 16, TUI_CMP_TEXT, NULL},
     {"Last seen", TUI_ALIGN_LEFT, 16, 16, TUI_CMP_TEXT, NULL},
     {"Expires", TUI_ALIGN_LEFT, 16, 16, TUI_CMP_TEXT, NULL}},
    {{"Provider", TUI_ALIGN_LEFT, 8, 10, TUI_CMP_TEXT, NULL},
     {"Credential", TUI_ALIGN_LEFT, 10, 16, TUI_CMP_TEXT, NULL},
     {"Account", TUI_ALIGN_LEFT, 7, 20, TUI_CMP_TEXT, NULL},
     {"Expires", TUI_ALIGN_LEFT, 16, 16, TUI_CMP_TEXT, NULL},
     {"Updated", TUI_ALIGN_LEFT, 16, 16, TUI_CMP_TEXT, NULL},
     {"Where", TUI_ALIGN_LEFT, 8, 12, TUI_CMP_TEXT, NULL}},
};

void admin_snap_free(void *p)
{
    struct admin_snap *s = p;
    if (!s) return;
    tui_rowset_release(&s->rows);
    free(s);
}

static int read_users(struct od_auth *auth, struct tui_rowset *rs)
{
    struct od_user *u;
    size_t n;
    if (od_user_list(auth, &u, &n) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        char sess[16];
        snprintf(sess, sizeof sess, "%d", u[i].live_sessions);
        const char *st = u[i].disabled ? "disabled" : u[i].locked ? "locked" : "active";
        const char *cells[] = {u[i].email, u[i].name, u[i].role,
                               st,         sess,      u[i].last_login ? u[i].last_login : "never"};
        tui_rowset_add(rs, u[i].email, cells, u[i].disabled ? TUI_ROLE_DIM : 0);
    }
    od_user_list_free(u, n);
    return 0;
}

/* "YYYY-MM-DD HH:MM" in UTC (out >= 17 bytes). */
static const char *utc_minute(int64_t secs, char *out, size_t n)
{
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
    return out;
}

static int read_sessions(PGconn *conn, struct tui_rowset *rs)
{
    struct od_session_info *si;
    size_t n;
    if (od_auth_sessions_list(conn, 1000, &si, &n) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        char id[24], t0[32], t1[32], t2[32];
        snprintf(id, sizeof id, "%lld", (long long)si[i].id);
        const char *cells[] = {id,
                               si[i].email,
                               si[i].source,
                               utc_minute(si[i].created_at, t0, sizeof t0),
                               utc_minute(si[i].last_seen_at, t1, sizeof t1),
                               utc_minute(si[i].expires_at, t2, sizeof t2)};
        tui_rowset_add(rs, id, cells, 0);
    }
    od_auth_sessions_free(si, n);
    return 0;
}

static int read_connections(PGconn *conn, struct tui_rowset *rs)
{
    struct od_cred_info *ci;
    size_t n;
    if (od_cred_list(conn, 1000, &ci, &n) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        char exp[32] = "never", upd[32], key[96];
        if (ci[i].expires_at) utc_minute(ci[i].expires_at, exp, sizeof exp);
        const char *cells[] = {ci[i].provider,
                               ci[i].name,
                               ci[i].account_id,
                               exp,
                               utc_minute(ci[i].updated_at, upd, sizeof upd),
                               "database"};
        snprintf(key, sizeof key, "%s/%s", ci[i].provider, ci[i].name);
        tui_rowset_add(rs, key, cells, 0);
    }
    od_cred_list_free(ci, n);
    /* tokens given through the environment count as connections too */
    static const char *const env[][2] = {{"harvest", "OPSDECK_HARVEST_TOKEN"},
                                         {"hubspot", "OPSDECK_HUBSPOT_TOKEN"}};
    for (size_t i = 0; i < OD_ARRAY_LEN(env); i++)
        if (getenv(env[i][1]) && *getenv(env[i][1])) {
            const char *cells[] = {env[i][0], "token", "", "never", "", "environment"};
            char key[64];
            snprintf(key, sizeof key, "%s/env", env[i][0]);
            tui_rowset_add(rs, key, cells, TUI_ROLE_DIM);
        }
    return 0;
}

void *admin_read(PGconn *conn, void *arg)
{
    struct admin_read_arg *a = arg;
    struct admin_snap *s = od_xcalloc(1, sizeof *s);
    s->view = a->view;
    tui_rowset_init(&s->rows, 6);
    int rc = a->view == ADMIN_USERS      ? read_users(a->auth, &s->rows)
             : a->view == ADMIN_SESSIONS ? read_sessions(conn, &s->rows)
                                         : read_connections(conn, &s->rows);
    if (rc < 0) {
        admin_snap_free(s);
        return NULL;
    }
    return s;
}
