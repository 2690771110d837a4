/* migrate — applies the embedded sql/NNNN_*.sql files in order, each once, each in its own
 * transaction, recorded in schema_migrations (version, name, checksum, applied_at).
 * Concurrent runs are safe: a session advisory lock serialises them, and the second sees the
 * first's work and changes nothing. */
#ifndef OD_MIGRATE_H
#define OD_MIGRATE_H
#include <libpq-fe.h>
#include <stdio.h>

/* Apply pending migrations. *applied gets how many were applied now. Progress lines go to
 * `out` when not NULL. -1 with od_seterr on failure (that migration rolled back). */
int od_migrate_apply(PGconn *c, FILE *out, int *applied);
/* Every known migration, in order, with when it was applied. */
struct od_migration {
    char name[96];       /* "0001_init.sql" */
    char applied_at[32]; /* RFC 3339 UTC; "" = pending */
};
/* *out (caller frees) gets every known migration; returns the pending count, -1 with od_err. */
int od_migrate_list(PGconn *c, struct od_migration **out, size_t *n);
/* Print every known migration with applied time or "pending". Returns pending count, -1 err. */
int od_migrate_status(PGconn *c, FILE *out);

#endif
