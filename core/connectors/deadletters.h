/* deadletters — records that failed validation during a sync (sync_dead_letters: provider,
 * resource, record id, reason, the raw payload as received), and what ops does about them:
 *
 *   od_deadletters_list(conn, &who, false, 100, &l);   // open ones, newest first
 *   od_deadletter_get(conn, &who, id, &d);             // one, with its payload
 *   od_deadletter_replay(&env, &who, id, OD_REPLAY_AUTO, &res);   // deadletters_replay.c
 *   od_deadletter_discard(conn, &who, id);             // deleted, audited
 *
 * Replay (see deadletters_replay.c and docs/runbook.md "Dead letters") fetches the record again
 * from upstream by id (the stored payload is the version that failed; upstream may have been
 * fixed since), validates it with today's parser and stores it through the sync's own store
 * (time entries: with their rollups) in one transaction that also marks every open dead letter
 * of that record `replayed` (resolved_at, resolution, resolved_by) and writes the audit row.
 * When upstream cannot be asked (no answer, 5xx, credential refused or missing) AUTO falls back
 * to the stored payload, which then has to pass today's parser; a record gone upstream (404)
 * is not stored from a stale copy. A record that is still invalid is refused with the reason.
 * Discard deletes the row and leaves an audit_log row with what was discarded.
 *
 * Who: with a console session the core checks its role (deadletters.read for list/show,
 * deadletters.replay, deadletters.discard: ops and admin; on-call may read); without one
 * (the CLI, run by the service account) it does not. `actor` names who in the audit row.
 * Strings come from outside (upstream payloads, reasons): sanitize before a terminal. */
#ifndef OD_CONNECTORS_DEADLETTERS_H
#define OD_CONNECTORS_DEADLETTERS_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct od_config;
struct od_pool;
struct od_vault;
struct od_session;

struct od_dl_who {
    const struct od_session *session; /* NULL: the service account (CLI): no role check */
    const char *actor;                /* audit: the session's email, or "cli:<unix user>" */
    const char *source;               /* audit: SSH client address or "local"; may be NULL */
};

struct od_deadletter {
    int64_t id;
    int64_t job_id; /* 0: none */
    char *provider, *resource;
    char *record_id; /* NULL when the record had no usable id */
    char *reason;
    char *payload; /* NULL in lists */
    int64_t payload_bytes;
    char created_at[32];  /* RFC 3339 UTC */
    char resolved_at[32]; /* "" while open */
    char *resolution;     /* "replayed" or NULL */
    char *resolved_by;    /* NULL while open */
};

struct od_deadletter_list {
    struct od_deadletter *items;
    size_t n;
    int64_t open, resolved; /* totals in the table, whatever the limit */
};

/* all: include resolved ones. limit 1..100000. Newest first. */
int od_deadletters_list(PGconn *c, const struct od_dl_who *who, bool all, int limit,
                        struct od_deadletter_list *out);
void od_deadletter_list_release(struct od_deadletter_list *l);
/* -1 + "no dead letter N" when there is none. */
int od_deadletter_get(PGconn *c, const struct od_dl_who *who, int64_t id,
                      struct od_deadletter *out);
void od_deadletter_clear(struct od_deadletter *d);
/* Deletes it (open or resolved) and audits deadletter.discard in one transaction. */
int od_deadletter_discard(PGconn *c, const struct od_dl_who *who, int64_t id);
/* Ids of the open dead letters, oldest first (*ids: caller frees). */
int od_deadletters_open_ids(PGconn *c, int64_t **ids, size_t *n);

/* Open dead letters per provider/resource (for /metrics). *out: caller frees. */
struct od_dl_count {
    char provider[16], resource[48];
    int64_t open;
};
int od_deadletters_counts(PGconn *c, struct od_dl_count **out, size_t *n);

/* ---- replay (deadletters_replay.c) ---- */
enum od_replay_from {
    OD_REPLAY_AUTO,     /* upstream, else (cannot ask) the stored payload */
    OD_REPLAY_UPSTREAM, /* upstream only */
    OD_REPLAY_STORED,   /* the stored payload only (no network): a parser fixed since */
};
struct od_replay_env {
    const struct od_config *cfg;
    struct od_pool *pool;
    const struct od_vault *vault; /* may be NULL: environment tokens */
};
struct od_replay_result {
    bool stored;       /* the record is in the database now (or a newer version already was) */
    char from[16];     /* "upstream" | "stored" | "" */
    int64_t upserted;  /* rows written (0: the database held a newer version) */
    int64_t resolved;  /* open dead letters of the record marked replayed */
    char message[512]; /* for people: what happened or why not (may quote upstream text) */
};
/* 0 and stored, or -1 with od_err() (also in out->message) saying why not; the dead letter
 * stays open then, and the attempt is audited either way. */
int od_deadletter_replay(const struct od_replay_env *env, const struct od_dl_who *who, int64_t id,
                         enum od_replay_from from, struct od_replay_result *out);

/* Internal to deadletters*.c: the role check and an audit row. */
int od_dl_allowed(const struct od_dl_who *who, const char *action);
int od_dl_audit(PGconn *c, const struct od_dl_who *who, const char *action, int64_t id,
                const char *outcome, const char *detail_json);

#endif
