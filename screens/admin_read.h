/* admin_read — the Admin screen's views and their read (runs on a query worker). */
#ifndef SCR_ADMIN_READ_H
#define SCR_ADMIN_READ_H
#include <libpq-fe.h>
#include "tui/rows.h"
#include "tui/table.h"

enum { ADMIN_USERS, ADMIN_SESSIONS, ADMIN_CONNECTIONS, ADMIN_NVIEWS };
extern const struct tui_column admin_cols[ADMIN_NVIEWS][6];

struct admin_read_arg {
    struct od_auth *auth; /* borrowed */
    int view;
};

struct admin_snap {
    int view;
    struct tui_rowset rows; /* 6 columns of admin_cols[view]; keys: email, session id,
                               provider/name */
};

/* od_read_fn: arg is a struct admin_read_arg; returns a struct admin_snap. */
void *admin_read(PGconn *conn, void *arg);
void admin_snap_free(void *p);

#endif
