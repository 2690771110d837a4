/* sim_assign — who works on what: Harvest user and task assignments, and the per-entry pick.
 *
 * Contract (see sim_world.h): every project has 2–8 assigned users (the first is always user
 * p % nusers, so every user has at least one project: nprojects >= nusers) and 3–7 assigned
 * tasks (a 12-bit mask; always at least one billable task). Both are pure functions of
 * (seed, project index), built once by world_build_assignments().
 *
 * world_pick() chooses an entry's project and task from its user and spent day: in a calendar
 * month a person logs time to SIM_PROJECTS_PER_MONTH of their assigned projects, taken as a
 * window that slides through their project list month by month (so across the months a person
 * covers most of their projects), and the task is one of that project's task assignments.
 * People only log time to projects they are assigned to, as in Harvest. */
#include "core/base/util.h"
#include "tests/sim/sim_world.h"
#include <assert.h>
#include <stdlib.h>

enum { TAG_ASSIGN = 40, TAG_TASKS, TAG_MONTH };

static int add_unique(int *list, int n, int v)
{
    for (int k = 0; k < n; k++)
        if (list[k] == v) return n;
    list[n] = v;
    return n + 1;
}

void world_build_assignments(struct sim_world *w)
{
    int np = w->nprojects, nu = w->nusers;
    w->proj_users_off = od_xcalloc((size_t)np + 1, sizeof(int));
    w->proj_users = od_xcalloc((size_t)np * SIM_MAX_ASSIGNED, sizeof(int));
    int *count = od_xcalloc((size_t)nu, sizeof(int));
    for (int p = 0; p < np; p++) {
        uint64_t h = world_hash(w->seed, TAG_ASSIGN, (uint64_t)p);
        int want = 2 + (int)(h % 7), n = 0, *list = w->proj_users + w->proj_users_off[p];
        if (want > nu) want = nu;
        n = add_unique(list, n, p % nu);
        for (uint64_t k = 1; n < want; k++)
            n = add_unique(
                list, n,
                (int)(world_hash(w->seed, TAG_ASSIGN, (uint64_t)p << 8 | k) % (uint64_t)nu));
        for (int k = 0; k < n; k++)
            count[list[k]]++;
        w->proj_users_off[p + 1] = w->proj_users_off[p] + n;
        uint64_t t = world_hash(w->seed, TAG_TASKS, (uint64_t)p);
        uint16_t mask = (uint16_t)(1u << (t % 8)); /* one billable task at least */
        for (int k = 0, extra = 2 + (int)((t >> 4) % 5); k < extra; k++)
            mask |= (uint16_t)(1u << ((t >> (8 + 5 * k)) % SIM_NTASKS));
        w->projects[p].task_mask = mask;
    }
    w->user_projs_off = od_xcalloc((size_t)nu + 1, sizeof(int));
    for (int u = 0; u < nu; u++)
        w->user_projs_off[u + 1] = w->user_projs_off[u] + count[u];
    w->user_projs = od_xcalloc((size_t)w->user_projs_off[nu] + 1, sizeof(int));
    for (int u = 0; u < nu; u++)
        count[u] = 0;
    for (int p = 0; p < np; p++) /* projects ascending in each user's list */
        for (int k = w->proj_users_off[p]; k < w->proj_users_off[p + 1]; k++) {
            int u = w->proj_users[k];
            w->user_projs[w->user_projs_off[u] + count[u]++] = p;
        }
    free(count);
}

void world_release_assignments(struct sim_world *w)
{
    free(w->proj_users_off);
    free(w->proj_users);
    free(w->user_projs_off);
    free(w->user_projs);
}

void world_pick(const struct sim_world *w, int user, int32_t day, uint64_t h, int *project,
                int *task)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    int month = y * 12 + m - 1;
    const int *list = w->user_projs + w->user_projs_off[user];
    int n = w->user_projs_off[user + 1] - w->user_projs_off[user];
    uint64_t start = world_hash(w->seed, TAG_MONTH, (uint64_t)user) % (uint64_t)n;
    uint64_t slot = start + (uint64_t)month * SIM_PROJECTS_PER_MONTH + h % SIM_PROJECTS_PER_MONTH;
    *project = list[slot % (uint64_t)n];
    uint16_t mask = w->projects[*project].task_mask;
    int pick = (int)((h >> 8) % (uint64_t)__builtin_popcount(mask));
    for (int t = 0; t < SIM_NTASKS; t++)
        if (mask >> t & 1 && pick-- == 0) {
            *task = t;
            return;
        }
    assert(!"task mask empty");
}
