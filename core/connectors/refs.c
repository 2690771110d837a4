/* refs — references of time entries checked through bounded caches. See refs.h. */
#include "core/connectors/refs.h"
#include "core/base/cache.h"
#include "core/db/db.h"
#include "core/base/log.h"
#include "core/jobs/queue.h"
#include "core/base/util.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *cache, *table, *resource;
    size_t max_entries;
} kinds[OD_REF_KINDS] = {
    [OD_REF_CLIENT] = {"harvest.clients", "harvest_clients", "clients", 2048},
    [OD_REF_PROJECT] = {"harvest.projects", "harvest_projects", "projects", 4096},
    [OD_REF_USER] = {"harvest.users", "harvest_users", "users", 2048},
};

/* Value of a cached id: 0 = in the database; else when it was last found missing (wall ms). */
static struct od_cache *caches[OD_REF_KINDS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void make_caches(void)
{
    for (int k = 0; k < OD_REF_KINDS; k++) /* ~100 bytes an entry: under 1 MiB all together */
        caches[k] =
            od_cache_new(kinds[k].cache, kinds[k].max_entries, kinds[k].max_entries * 112, 0);
}

/* Ids this thread noted missing in its open transaction: forgotten again if it rolls back (its
 * catch-up job went with it), so the next try asks at once instead of OD_REFS_RETRY_MS later. */
static _Thread_local struct pending {
    enum od_ref_kind k;
    int64_t id;
} * pending;
static _Thread_local size_t npending, cappending;

void od_refs_settle(bool committed)
{
    for (size_t i = 0; !committed && i < npending; i++)
        od_cache_del_i64(caches[pending[i].k], pending[i].id);
    free(pending);
    pending = NULL;
    npending = cappending = 0;
}

static void note_pending(enum od_ref_kind k, int64_t id)
{
    if (npending == cappending) {
        cappending = cappending ? cappending * 2 : 16;
        pending = od_xrealloc(pending, cappending * sizeof *pending);
    }
    pending[npending++] = (struct pending){k, id};
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Queue a full sync of the kind's resource (at most one pending, by its unique key). */
static int queue_catch_up(PGconn *c, enum od_ref_kind k, struct od_refs_stats *st)
{
    char key[64];
    snprintf(key, sizeof key, "sync:harvest:%s:full", kinds[k].resource);
    struct od_job_spec spec = {.provider = "harvest",
                               .resource = kinds[k].resource,
                               .args_json = "{\"full\":true}",
                               .unique_key = key,
                               .priority = 10};
    int64_t id;
    int rc = od_queue_enqueue(c, &spec, &id);
    if (rc > 0) st->queued++;
    return rc < 0 ? -1 : 0;
}

int od_refs_check(PGconn *c, enum od_ref_kind k, const int64_t *ids, size_t n,
                  struct od_refs_stats *st)
{
    pthread_once(&once, make_caches);
    struct od_cache *cache = caches[k];
    int64_t *v = od_xcalloc(n ? n : 1, sizeof *v);
    memcpy(v, ids, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_i64);
    int64_t now = od_wall_ms();
    size_t nmiss = 0; /* the ids the cache cannot answer, compacted into v[0..nmiss) */
    for (size_t i = 0; i < n; i++) {
        if (v[i] <= 0 || (i && v[i] == v[i - 1])) continue;
        st->distinct++;
        int64_t val;
        size_t len;
        if (od_cache_get_i64(cache, v[i], &val, sizeof val, &len) && len == sizeof val &&
            (val == 0 || now - val < OD_REFS_RETRY_MS)) {
            st->cached++;
            if (val) st->unknown++; /* asked for a short while ago: wait for that */
            continue;
        }
        v[nmiss++] = v[i]; /* nmiss <= i: the unread rest is untouched */
    }
    int rc = 0;
    if (nmiss) {
        char *arr = od_db_bigint_array(v, nmiss);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id = ANY ($1::bigint[])",
                 kinds[k].table);
        PGresult *r = od_db_exec(c, sql, 1, (const char *const[]){arr});
        free(arr);
        if (!r) {
            free(v);
            return -1;
        }
        /* Found ids are known from now on; the rest are missing. */
        size_t nfound = (size_t)PQntuples(r);
        int64_t *found = od_xcalloc(nfound + 1, sizeof *found);
        for (size_t i = 0; i < nfound; i++)
            found[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
        PQclear(r);
        qsort(found, nfound, sizeof *found, cmp_i64);
        int64_t unknown = 0, example = 0, zero = 0;
        for (size_t i = 0; i < nmiss; i++) {
            bool here = bsearch(&v[i], found, nfound, sizeof *found, cmp_i64) != NULL;
            od_cache_put_i64(cache, v[i], here ? &zero : &now, sizeof now);
            if (here) continue;
            note_pending(k, v[i]);
            if (!unknown++) example = v[i];
        }
        free(found);
        if (unknown) {
            st->unknown += unknown;
            od_log_warn("harvest time_entries: stored entries refer to %lld of %s not synced "
                        "yet (e.g. %lld); a full sync of %s is queued",
                        (long long)unknown, kinds[k].resource, (long long)example,
                        kinds[k].resource);
            rc = queue_catch_up(c, k, st);
        }
    }
    free(v);
    return rc;
}
