/* sim_world — the seeded, lazy world behind opsdeck-sim.
 *
 * Everything is a pure function of (seed, scale): the same pair always gives the same records.
 * Small collections (clients, projects, users, tasks, companies, deals, owners) are built once
 * into arrays at start-up; time entries are never stored: entry i is generated on demand by
 * world_entry_base() from hashes of (seed, i), so a million entries cost no memory.
 * Time entries follow user and task assignments: a person logs time only to projects they are
 * assigned to, a few of them per month (sim_assign.c).
 * Mutations (sim_overlay) edit the small arrays in place under world_lock and keep edited time
 * entries in a small map.
 *
 * Units: money in cents (int64), hours in hundredths (int64), times in seconds or milliseconds
 * since the Unix epoch (UTC), dates in days since the epoch. -1 means null for rates/amounts. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_NULL (-1)
#define SIM_NAME_MAX 128
#define SIM_NTASKS 12
#define SIM_SPAN_DAYS 548        /* spent_date spread, ~18 months */
#define SIM_MAX_ASSIGNED 8       /* users assigned to one project: 2..8 */
#define SIM_PROJECTS_PER_MONTH 3 /* projects a person logs time to in one month */

#define SIM_CLIENT_ID0 5000000LL
#define SIM_PROJECT_ID0 14000000LL
#define SIM_USER_ID0 1780000LL
#define SIM_TASK_ID0 8083000LL
#define SIM_ENTRY_ID0 3000000000LL
#define SIM_COMPANY_ID0 5000000000LL
#define SIM_DEAL_ID0 7000000000LL
#define SIM_OWNER_ID0 41600000LL

enum sim_bad { BAD_NONE, BAD_DATE, BAD_HOURS, BAD_NO_PROJECT };

struct sim_client {
    int64_t id;
    char name[SIM_NAME_MAX];
    bool is_active;
    int company; /* index into companies, -1 = none */
    int64_t created_s, updated_s;
};

struct sim_project {
    int64_t id;
    int client;
    char name[SIM_NAME_MAX];
    char code[16];
    bool is_active, is_billable, is_fixed_fee;
    int64_t hourly_rate; /* cents or SIM_NULL */
    int64_t budget;      /* hundredths of hours or SIM_NULL */
    int32_t starts_day;
    uint16_t task_mask; /* task assignments: bit t = tasks[t] */
    int64_t created_s, updated_s;
};

struct sim_user {
    int64_t id;
    char first[48], last[48], email[96];
    bool is_active, is_contractor;
    int64_t default_rate, cost_rate; /* cents, cost may be SIM_NULL */
    int64_t created_s, updated_s;
};

struct sim_task {
    int64_t id;
    const char *name;
    bool billable;
};

struct sim_company {
    int64_t id;
    int client;              /* the client it was made for, -1 for prospects */
    bool exists;             /* false: slot unused (client without a company) */
    bool archived;           /* archived through /__sim/mutate: out of search and the list */
    char name[SIM_NAME_MAX]; /* "" = no name property (domain-only company) */
    char domain[64];
    int64_t created_ms, updated_ms, archived_ms;
};

/* Deal pipelines (GET /crm/v3/pipelines/deals): a stage is won when it is closed with
 * probability "1.0", whatever its id. */
struct sim_stage {
    const char *id, *label, *probability;
    bool closed;
};
struct sim_pipeline {
    const char *id, *label;
    const struct sim_stage *stages;
    int nstages;
};
extern const struct sim_pipeline sim_pipelines[];
extern const int sim_npipelines;
/* The stage with that id in any pipeline (ids are unique across pipelines): its pipeline index
 * in *pipeline; NULL when none. */
const struct sim_stage *world_stage(const char *id, int *pipeline);
bool world_stage_won(const struct sim_stage *st);

struct sim_deal {
    int64_t id;
    int company;  /* first associated company (index, always an existing company) */
    int company2; /* second associated company or -1 */
    int primary;  /* which one is labelled Primary (typeId 5): 0 company, 1 company2, -1 none */
    int owner;
    char name[SIM_NAME_MAX];
    int64_t amount; /* cents or SIM_NULL */
    int pipeline;   /* index into sim_pipelines */
    const struct sim_stage *stage;
    bool archived;
    int64_t closedate_ms, created_ms, updated_ms, archived_ms;
};

struct sim_owner {
    int64_t id;
    char first[48], last[48], email[96];
    int64_t created_ms, updated_ms;
};

/* One time entry, as served (base or overlay). */
struct sim_entry {
    int64_t id;
    int64_t idx; /* generated index, or -1 for an added entry */
    int32_t spent_day;
    int project, user, task; /* client = projects[project].client */
    int64_t hours, rounded;  /* hundredths */
    int64_t billable_rate, cost_rate;
    bool billable, is_running, is_billed;
    int start_min; /* minutes after midnight */
    int64_t created_s, updated_s;
    char notes[SIM_NAME_MAX];
    enum sim_bad bad;
};

struct sim_world {
    uint64_t seed;
    int64_t scale;
    int64_t t0_s; /* every base record has updated_at <= t0 */
    int32_t first_day, last_day;
    int nclients, nprojects, nusers, ncompanies, ndeals, nowners;
    struct sim_client *clients;
    struct sim_project *projects;
    struct sim_user *users;
    struct sim_task tasks[SIM_NTASKS];
    struct sim_company *companies;
    struct sim_deal *deals;
    struct sim_owner *owners;
    /* User assignments (sim_assign.c): project p's users are proj_users[proj_users_off[p] ..
     * proj_users_off[p+1]), user u's projects (ascending) user_projs[user_projs_off[u] ..). */
    int *proj_users_off, *proj_users, *user_projs_off, *user_projs;
    int64_t nbad;          /* bad_records fault: entries served with bad data */
    pthread_rwlock_t lock; /* guards the arrays above and the overlay */
    int64_t last_mutate_s; /* last updated_at handed out by a mutation */
};

void world_init(struct sim_world *w, uint64_t seed, int64_t scale);
/* The same world with its t0 on day t0_day (days since 1970-01-01; the time of day still from
 * the seed), so every date moves with it; INT32_MIN: t0 from the seed (world_init). */
void world_init_at(struct sim_world *w, uint64_t seed, int64_t scale, int32_t t0_day);
void world_release(struct sim_world *w);

uint64_t world_hash(uint64_t seed, uint64_t tag, uint64_t i);
/* sim_assign.c: build / free the assignments; pick an entry's project (one of the user's
 * SIM_PROJECTS_PER_MONTH projects of the month of day) and task (one of the project's task
 * assignments) from the hash bits h. */
void world_build_assignments(struct sim_world *w);
void world_release_assignments(struct sim_world *w);
void world_pick(const struct sim_world *w, int user, int32_t day, uint64_t h, int *project,
                int *task);
/* Base (never-mutated) entry i, 0 <= i < scale. Takes no lock. */
void world_entry_base(const struct sim_world *w, int64_t i, struct sim_entry *e);
/* Generated index of the first entry with spent_day >= day (binary search; entries are sorted). */
int64_t world_first_index_on_or_after(const struct sim_world *w, int32_t day);
/* Which entries are bad under the bad_records fault: index -> kind. */
enum sim_bad world_bad_kind(const struct sim_world *w, int64_t i);
/* updated_at for a mutation: now, but always > t0 and never going backwards. Caller holds the
 * write lock. */
int64_t world_next_mutation_s(struct sim_world *w);

/* The company a deal counts for (DESIGN.md §3): among its companies that are not archived, the
 * Primary one; with no Primary, the only one; else -1. Caller holds the lock. */
int world_deal_company(const struct sim_world *w, const struct sim_deal *d);

/* Dates. */
int32_t days_from_civil(int y, int m, int d);
void civil_from_days(int32_t z, int *y, int *m, int *d);
void fmt_date(int32_t day, char out[16]);
void fmt_iso_s(int64_t s, char out[32]);   /* 2026-03-01T10:00:00Z */
void fmt_iso_ms(int64_t ms, char out[32]); /* 2026-03-01T10:00:00.123Z */
/* Parse "YYYY-MM-DD" (-> day) / "YYYY-MM-DDTHH:MM:SS[.mmm]Z" (-> ms); -1 on error. */
int parse_date(const char *s, int32_t *day);
int parse_iso_ms(const char *s, int64_t *ms);
/* "12.50" from 1250 hundredths/cents. */
void fmt_fixed2(int64_t v, char out[32]);

#endif
