/* sync_marks — the jobs marked with Space on the Sync screen, and the writes over several jobs
 * that `:cancel`, `:retry` and `:retry dead` submit (scr_act_submit, so the session and role
 * are checked again on the worker and the core refuses what the role may not do). */
#ifndef SCR_SYNC_MARKS_H
#define SCR_SYNC_MARKS_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scr_act;
struct strbuf;

struct sync_marks {
    int64_t *ids; /* owned */
    size_t n, cap;
};

void sync_marks_toggle(struct sync_marks *m, int64_t id);
bool sync_marks_has(const struct sync_marks *m, int64_t id);
/* Keep only the ids present in listed[0..n) (a job no longer shown is not acted on). */
void sync_marks_keep(struct sync_marks *m, const int64_t *listed, size_t n);
/* "12,15,16" into out (ids that do not fit are left out); returns how many went in. */
size_t sync_marks_join(const struct sync_marks *m, char *out, size_t n);
void sync_marks_release(struct sync_marks *m);

/* Workers of scr_act_submit: a->text the ids ("12,15"), a->version 1 cancel or 2 retry; one
 * refusal does not stop the others and the message counts them. */
int sync_act_many(struct scr_act *a, PGconn *conn, struct strbuf *msg);
/* Every dead job made available again (od_jobs_retry_dead). */
int sync_act_retry_dead(struct scr_act *a, PGconn *conn, struct strbuf *msg);

#endif
