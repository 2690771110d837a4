/* admin_read — the Admin screen's reads on a query worker: users (core/security/auth.h), live
 * sessions and stored connections. core/auth and core/credentials have no listing of sessions or of
 * credential rows, so those two are small parameterised reads here (metadata only: never a
 * token, never a hash). Rows come back as ready tui_rowsets for the view asked. */
#include "screens/admin_read.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/security/auth.h"
#include "core/db/db.h"
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

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"

static int read_sql(PGconn *conn, int view, struct tui_rowset *rs)
{
    static const char *const sql[] = {
        NULL,
        "SELECT s.id::text, u.email, s.source, " TS("s.created_at") ", " TS(
            "s.last_seen_at") ", " TS("s.expires_at") " FROM sessions s JOIN users u ON u.id = "
                                                      "s.user_id WHERE s.ended_at IS NULL AND "
                                                      "s.expires_at > now() ORDER BY "
                                                      "s.last_seen_at DESC LIMIT $1",
        "SELECT provider, name, coalesce(account_id, ''), coalesce(" TS(
            "expires_at") ", 'never'), " TS("updated_at") ", 'database' FROM credentials "
                                                          "ORDER BY provider, name LIMIT $1",
    };
    PGresult *r = od_db_exec(conn, sql[view], 1, (const char *const[]){"1000"});
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *cells[6];
        for (int j = 0; j < 6; j++)
            cells[j] = PQgetvalue(r, i, j);
        char key[96];
        snprintf(key, sizeof key, "%s%s%s", cells[0], view == 2 ? "/" : "",
                 view == 2 ? cells[1] : "");
        tui_rowset_add(rs, key, cells, 0);
    }
    PQclear(r);
    if (view == 2) { /* tokens given through the environment count as connections too */
        static const char *const env[][2] = {{"harvest", "OPSDECK_HARVEST_TOKEN"},
                                             {"hubspot", "OPSDECK_HUBSPOT_TOKEN"}};
        for (size_t i = 0; i < OD_ARRAY_LEN(env); i++)
            if (getenv(env[i][1]) && *getenv(env[i][1])) {
                const char *cells[] = {env[i][0], "token", "", "never", "", "environment"};
                char key[64];
                snprintf(key, sizeof key, "%s/env", env[i][0]);
                tui_rowset_add(rs, key, cells, TUI_ROLE_DIM);
            }
    }
    return 0;
}

void *admin_read(PGconn *conn, void *arg)
{
    struct admin_read_arg *a = arg;
    struct admin_snap *s = od_xcalloc(1, sizeof *s);
    s->view = a->view;
    tui_rowset_init(&s->rows, 6);
    int rc = a->view == 0 ? read_users(a->auth, &s->rows) : read_sql(conn, a->view, &s->rows);
    if (rc < 0) {
        admin_snap_free(s);
        return NULL;
    }
    return s;
}
