/* throttle — reserve-before-verify login throttling on the login_throttle table. See
 * throttle.h. */
#include "core/security/throttle.h"
#include "core/db/db.h"
#include "core/base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The row's window (or its lock) has passed: the next attempt starts a new window. */
#define FRESH                                                                                      \
    "coalesce(t.locked_until <= now(), t.window_start <= now() - make_interval(mins => $4::int))"

/* Take one slot of (kind $1, subject $2) unless it is locked or has $3 slots taken. The upsert
 * locks the row and decides on its latest version, so concurrent takers queue up on it. No
 * row comes back when refused. */
static const char take_sql[] =
    "INSERT INTO login_throttle AS t (kind, subject, reserved) VALUES ($1, left(lower($2), 256), "
    "1) ON CONFLICT (kind, subject) DO UPDATE SET "
    "window_no = t.window_no + CASE WHEN " FRESH " THEN 1 ELSE 0 END, "
    "window_start = CASE WHEN " FRESH " THEN now() ELSE t.window_start END, "
    "reserved = CASE WHEN " FRESH " THEN 1 ELSE t.reserved + 1 END, "
    "failed = CASE WHEN " FRESH " THEN 0 ELSE t.failed END, "
    "locked_until = CASE WHEN " FRESH " THEN NULL ELSE t.locked_until END "
    "WHERE " FRESH " OR (t.locked_until IS NULL AND t.reserved < $3::int) "
    "RETURNING window_no";

/* 1 taken (*window set), 0 refused, -1 database error. */
static int take(PGconn *c, const char *kind, const char *subject, int max, int minutes, int *window)
{
    char maxs[16], mins[16];
    snprintf(maxs, sizeof maxs, "%d", max);
    snprintf(mins, sizeof mins, "%d", minutes);
    const char *p[] = {kind, subject, maxs, mins};
    PGresult *r = od_db_exec(c, take_sql, 4, p);
    if (!r) return -1;
    int got = PQntuples(r) == 1;
    if (got) *window = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return got;
}

static bool email_locked(PGconn *c, const char *email)
{
    const char *p[] = {email};
    PGresult *r = od_db_exec(c,
                             "SELECT 1 FROM login_throttle WHERE kind = 'email' AND subject = "
                             "left(lower($1), 256) AND locked_until > now()",
                             1, p);
    bool locked = r && PQntuples(r) == 1;
    if (r) PQclear(r);
    return locked;
}

int od_throttle_reserve(PGconn *c, const struct od_throttle_limits *l, const char *email,
                        const char *source, struct od_throttle_ticket *t)
{
    memset(t, 0, sizeof *t);
    t->email = email;
    t->source = source;
    /* Always the account's row first, then the source's: one lock order, no deadlock. */
    if (od_db_begin(c) != 0) return -1;
    int rc = take(c, "email", email, l->max_failures, l->lockout_minutes, &t->email_window);
    if (rc == 1)
        rc = take(c, "source", source, l->source_max, l->lockout_minutes, &t->source_window);
    if (rc == 1) {
        if (od_db_commit(c) != 0) return -1;
        t->state = OD_THROTTLE_OPEN;
        return 0;
    }
    od_db_rollback(c); /* both slots or neither */
    if (rc < 0) return -1;
    t->state = email_locked(c, email) ? OD_THROTTLE_LOCKED : OD_THROTTLE_BUSY;
    return 0;
}

int od_throttle_settle(PGconn *c, const struct od_throttle_limits *l,
                       const struct od_throttle_ticket *t, bool ok, unsigned *just_locked)
{
    char ew[16], sw[16], maxe[16], maxs[16], mins[16];
    if (just_locked) *just_locked = 0;
    if (t->state != OD_THROTTLE_OPEN) return 0;
    snprintf(ew, sizeof ew, "%d", t->email_window);
    snprintf(sw, sizeof sw, "%d", t->source_window);
    /* A settlement for a window that has since ended is dropped (window_no). */
#define ROWS                                                                                       \
    "WHERE (kind = 'email' AND subject = left(lower($1), 256) AND window_no = $2::int) OR "        \
    "(kind = 'source' AND subject = left(lower($3), 256) AND window_no = $4::int)"
    if (ok) {
        const char *p[] = {t->email, ew, t->source, sw};
        return od_db_cmd(c, "UPDATE login_throttle SET reserved = greatest(reserved - 1, 0) " ROWS,
                         4, p);
    }
    snprintf(maxe, sizeof maxe, "%d", l->max_failures);
    snprintf(maxs, sizeof maxs, "%d", l->source_max);
    snprintf(mins, sizeof mins, "%d", l->lockout_minutes);
    const char *p[] = {t->email, ew, t->source, sw, maxe, maxs, mins};
    /* now() is fixed for the statement: a lock equal to now() + lockout was set right here. */
    PGresult *r = od_db_exec(
        c,
        "UPDATE login_throttle SET failed = failed + 1, locked_until = CASE WHEN locked_until IS "
        "NULL AND failed + 1 >= CASE kind WHEN 'email' THEN $5::int ELSE $6::int END THEN now() "
        "+ make_interval(mins => $7::int) ELSE locked_until END " ROWS
        " RETURNING kind, locked_until = now() + make_interval(mins => $7::int)",
        7, p);
#undef ROWS
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++)
        if (just_locked && PQgetvalue(r, i, 1)[0] == 't')
            *just_locked |= strcmp(PQgetvalue(r, i, 0), "email") == 0 ? OD_THROTTLE_LOCKED_EMAIL
                                                                      : OD_THROTTLE_LOCKED_SOURCE;
    PQclear(r);
    return 0;
}
