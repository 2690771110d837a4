/* throttle — the login gate: a login (or a re-verification) reserves its attempt against
 * the account and the source BEFORE any Argon2id runs, so however many processes try at once,
 * an account gets at most max_failures verifications per window (a source source_max).
 *
 *   struct od_throttle_ticket t;
 *   if (od_throttle_reserve(c, &limits, email, source, &t) != 0) ...od_err()
 *   if (t.state == OD_THROTTLE_OPEN) {          // refused otherwise: LOCKED or BUSY, no verify
 *       ok = ...one Argon2id verification (connection released meanwhile)...;
 *       od_throttle_settle(c, &limits, &t, ok, &just_locked);
 *   }
 *
 * State: the login_throttle table (sql/0009), one row per lower(email) — known or not, so an
 * unknown email locks exactly like a real one — and one per source. Reserving takes a slot in
 * both rows in one transaction (each row stays locked until it ends), or in neither; a row
 * whose slots are all taken (verifications under way or failed) or that is locked refuses.
 * Settling a success gives its slot back and changes nothing else (failures of concurrent
 * attempts stay counted); a failure keeps its slot, and the failure that reaches the limit
 * locks the row for lockout_minutes. A window ends lockout_minutes after it began, a lock when
 * it expires; the next attempt then starts a new window. A process that dies between reserving
 * and settling leaves its slot taken until the window ends (it fails closed). */
#ifndef OD_THROTTLE_H
#define OD_THROTTLE_H
#include <libpq-fe.h>
#include <stdbool.h>

struct od_throttle_limits {
    int max_failures;    /* per account (auth.max_failures) */
    int source_max;      /* per source */
    int lockout_minutes; /* window and lock length (auth.lockout_minutes) */
};

enum od_throttle_state {
    OD_THROTTLE_OPEN,   /* reserved: verify, then settle */
    OD_THROTTLE_LOCKED, /* the account is locked */
    OD_THROTTLE_BUSY,   /* the account's slots are taken, or the source is over its limit */
};

#define OD_THROTTLE_LOCKED_EMAIL 1u  /* settle locked the account */
#define OD_THROTTLE_LOCKED_SOURCE 2u /* settle locked the source */

struct od_throttle_ticket {
    enum od_throttle_state state;
    const char *email, *source; /* borrowed from the caller for the ticket's life */
    int email_window, source_window;
};

/* 0 with t->state set; -1 + od_err() on a database error (nothing reserved then). */
int od_throttle_reserve(PGconn *c, const struct od_throttle_limits *l, const char *email,
                        const char *source, struct od_throttle_ticket *t);
/* After the verification of an OPEN ticket: ok gives the slots back, a failure keeps them.
 * *just_locked (may be NULL) gets OD_THROTTLE_LOCKED_* bits for rows this failure locked. */
int od_throttle_settle(PGconn *c, const struct od_throttle_limits *l,
                       const struct od_throttle_ticket *t, bool ok, unsigned *just_locked);

#endif
