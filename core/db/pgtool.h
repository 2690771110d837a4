/* pgtool — run a PostgreSQL client tool (pg_dump, pg_restore) against the database a libpq
 * connection reached, without putting credentials in argv, the environment or on disk.
 *
 * The child gets an explicit, minimal environment (never our environ): PATH, HOME, locale,
 * the caller's PG* variables except PGPASSWORD, then every non-secret keyword of the
 * configured conninfo mapped to its libpq variable (PQconninfoParse), then the host, port,
 * database and user the caller's own connection actually reached (PGHOST ... PGUSER). The
 * password, when the connection used one, is handed over as a .pgpass-format memfd inherited
 * as fd 3 with PGPASSFILE=/dev/fd/3. Secret keywords libpq has no file for (sslpassword) are
 * refused with a message. stdin/stdout are /dev/null; stderr is captured, and its last lines
 * (sanitized) become the error message when the tool fails.
 *
 *   char *tool = od_pgtool_find("pg_dump", PQserverVersion(conn) / 10000);
 *   const char *args[] = {tool, "--format=custom", "--file", path, NULL};
 *   struct od_pgtool_opts o = {.label = "pg_dump", .watch_path = path, .progress = tty};
 *   if (od_pgtool_run(cfg, conn, args, &o) < 0) ... od_err() ...
 *   free(tool);
 *
 * Functions return 0 on success, -1 with od_seterr() on failure. */
#ifndef OD_PGTOOL_H
#define OD_PGTOOL_H
#include <libpq-fe.h>
#include <stdio.h>

struct od_config;

/* Path of the PostgreSQL client tool `name` for a server of this major version:
 * /usr/lib/postgresql/<major>/bin/<name> when present, else the first one on PATH.
 * Caller frees; NULL with od_seterr when none is found. */
char *od_pgtool_find(const char *name, int server_major);

struct od_pgtool_opts {
    const char *label;      /* "pg_dump": used in the progress line and error messages */
    const char *watch_path; /* file whose size the progress line shows, or NULL */
    FILE *progress;         /* a terminal to draw a progress line on, or NULL */
};
/* Run argv (argv[0] an absolute path) against the database `conn` is connected to, with the
 * credentials of cfg->database.url passed as described above. Waits for it; fails with the
 * tool's last stderr lines (sanitized) when it exits non-zero or is killed. */
int od_pgtool_run(const struct od_config *cfg, PGconn *conn, const char *const *argv,
                  const struct od_pgtool_opts *opts);

#endif
