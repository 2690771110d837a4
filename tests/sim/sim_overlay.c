/* sim_overlay — edits on top of the generated world. See sim_overlay.h. */
#include "tests/sim/sim_overlay.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ov_entry *items; /* insertion order */
static size_t nitems, capitems;
static int32_t *slots; /* open addressing: index+1 into items, 0 = empty */
static size_t nslots;
static int64_t *deleted_idx; /* sorted generated indices of deleted entries */
static size_t ndeleted, capdeleted;
static int64_t nadded;
static uint64_t random_round;

void overlay_init(void)
{
    nslots = 1024;
    slots = od_xcalloc(nslots, sizeof *slots);
}

void overlay_release(void)
{
    free(items);
    free(slots);
    free(deleted_idx);
    items = NULL;
    slots = NULL;
    deleted_idx = NULL;
    nitems = capitems = nslots = ndeleted = capdeleted = 0;
}

static size_t slot_of(int64_t id)
{
    size_t mask = nslots - 1, s = (size_t)world_hash(0, 7, (uint64_t)id) & mask;
    while (slots[s] && items[slots[s] - 1].e.id != id)
        s = (s + 1) & mask;
    return s;
}

const struct ov_entry *overlay_find(int64_t id)
{
    int32_t v = slots[slot_of(id)];
    return v ? &items[v - 1] : NULL;
}

static struct ov_entry *overlay_put(const struct sim_entry *e)
{
    size_t s = slot_of(e->id);
    if (slots[s]) {
        items[slots[s] - 1].e = *e;
        return &items[slots[s] - 1];
    }
    if (nitems == capitems) {
        capitems = capitems ? capitems * 2 : 64;
        items = od_xrealloc(items, capitems * sizeof *items);
    }
    items[nitems] = (struct ov_entry){*e, false};
    slots[s] = (int32_t)++nitems;
    if (nitems * 2 > nslots) {
        free(slots);
        nslots *= 2;
        slots = od_xcalloc(nslots, sizeof *slots);
        for (size_t i = 0; i < nitems; i++)
            slots[slot_of(items[i].e.id)] = (int32_t)(i + 1);
    }
    return &items[nitems - 1];
}

const struct ov_entry *overlay_all(size_t *n)
{
    *n = nitems;
    return items;
}

int64_t overlay_added(void)
{
    return nadded;
}

const int64_t *overlay_deleted_indices(size_t *n)
{
    *n = ndeleted;
    return deleted_idx;
}

bool entry_current(int64_t i, struct sim_entry *e)
{
    const struct ov_entry *o = nitems ? overlay_find(SIM_ENTRY_ID0 + i) : NULL;
    if (!o) {
        world_entry_base(&sim_world, i, e);
        return true;
    }
    *e = o->e;
    return !o->deleted;
}

bool entry_by_id(int64_t id, struct sim_entry *e)
{
    int64_t i = id - SIM_ENTRY_ID0;
    if (i >= 0 && i < sim_world.scale) return entry_current(i, e);
    const struct ov_entry *o = overlay_find(id);
    if (!o || o->deleted) return false;
    *e = o->e;
    return true;
}

static void note_deleted(int64_t idx)
{
    if (ndeleted == capdeleted) {
        capdeleted = capdeleted ? capdeleted * 2 : 64;
        deleted_idx = od_xrealloc(deleted_idx, capdeleted * sizeof *deleted_idx);
    }
    size_t k = ndeleted++;
    while (k > 0 && deleted_idx[k - 1] > idx) {
        deleted_idx[k] = deleted_idx[k - 1];
        k--;
    }
    deleted_idx[k] = idx;
}

static int delete_locked(int64_t id)
{
    struct sim_entry e;
    if (!entry_by_id(id, &e)) return od_seterr("no time entry %lld", (long long)id);
    struct ov_entry *o = overlay_put(&e);
    o->deleted = true;
    o->e.updated_s = world_next_mutation_s(&sim_world);
    if (e.idx >= 0)
        note_deleted(e.idx);
    else
        nadded--;
    return 0;
}

int overlay_delete_entry(int64_t id)
{
    pthread_rwlock_wrlock(&sim_world.lock);
    int rc = delete_locked(id);
    pthread_rwlock_unlock(&sim_world.lock);
    return rc;
}

static void bump_locked(int64_t id)
{
    struct sim_entry e;
    if (!entry_by_id(id, &e)) return;
    e.hours = e.hours % 700 + 25;
    e.rounded = (e.hours + 24) / 25 * 25;
    e.updated_s = world_next_mutation_s(&sim_world);
    overlay_put(&e);
}

void overlay_bump_entry(int64_t id)
{
    pthread_rwlock_wrlock(&sim_world.lock);
    bump_locked(id);
    pthread_rwlock_unlock(&sim_world.lock);
}

/* Money/hours arrive as JSON numbers or decimal strings; kept as hundredths. */
static int fixed2_field(const cJSON *f, int64_t *out)
{
    if (cJSON_IsNull(f)) {
        *out = SIM_NULL;
        return 0;
    }
    double d = cJSON_IsNumber(f) ? f->valuedouble : cJSON_IsString(f) ? atof(f->valuestring) : -1;
    if (d < 0 || d > 1e12) return od_seterr("expected a non-negative number");
    *out = llround(d * 100);
    return 0;
}

static int index_of_id(int64_t id, int64_t id0, int stride, int n)
{
    int64_t k = id - id0;
    if (k < 0 || k % stride) return -1;
    k /= stride;
    return k < n ? (int)k : -1;
}

static int edit_entry_fields(struct sim_entry *e, const cJSON *fields)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, fields)
    {
        if (!strcmp(f->string, "hours")) {
            if (fixed2_field(f, &e->hours) < 0 || e->hours < 0)
                return od_seterr("hours must be a number");
            e->rounded = (e->hours + 24) / 25 * 25;
        } else if (!strcmp(f->string, "billable_rate")) {
            if (fixed2_field(f, &e->billable_rate) < 0) return -1;
        } else if (!strcmp(f->string, "cost_rate")) {
            if (fixed2_field(f, &e->cost_rate) < 0) return -1;
        } else if (!strcmp(f->string, "notes") && cJSON_IsString(f)) {
            snprintf(e->notes, sizeof e->notes, "%s", f->valuestring);
        } else if (!strcmp(f->string, "billable") && cJSON_IsBool(f)) {
            e->billable = cJSON_IsTrue(f);
        } else if (!strcmp(f->string, "is_running") && cJSON_IsBool(f)) {
            e->is_running = cJSON_IsTrue(f);
        } else if (!strcmp(f->string, "spent_date") && cJSON_IsString(f)) {
            if (e->idx >= 0) return od_seterr("spent_date can only be set on added entries");
            if (parse_date(f->valuestring, &e->spent_day) < 0) return od_seterr("bad spent_date");
        } else {
            return od_seterr("field '%s' cannot be edited", f->string);
        }
    }
    return 0;
}

static int add_entry(const cJSON *fields, int64_t *id_out)
{
    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(fields, "project_id");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(fields, "user_id");
    const cJSON *tid = cJSON_GetObjectItemCaseSensitive(fields, "task_id");
    struct sim_world *w = &sim_world;
    int p = cJSON_IsNumber(pid)
                ? index_of_id((int64_t)pid->valuedouble - 2, SIM_PROJECT_ID0, 3, w->nprojects)
                : 0;
    int u = cJSON_IsNumber(uid)
                ? index_of_id((int64_t)uid->valuedouble - 4, SIM_USER_ID0, 5, w->nusers)
                : 0;
    int t = cJSON_IsNumber(tid)
                ? index_of_id((int64_t)tid->valuedouble, SIM_TASK_ID0, 11, SIM_NTASKS)
                : 0;
    if (p < 0 || u < 0 || t < 0) return od_seterr("unknown project_id, user_id or task_id");
    struct sim_entry e;
    world_entry_base(w, 0, &e);
    e.id = SIM_ENTRY_ID0 + w->scale + (int64_t)nitems + 1000000;
    e.idx = -1;
    e.project = p;
    e.user = u;
    e.task = t;
    e.spent_day = w->last_day;
    e.billable = w->tasks[t].billable && w->projects[p].is_billable;
    e.billable_rate = e.billable ? w->users[u].default_rate : SIM_NULL;
    e.cost_rate = w->users[u].cost_rate;
    e.is_running = e.is_billed = false;
    e.bad = BAD_NONE;
    cJSON *rest = cJSON_Duplicate(fields, true);
    cJSON_DeleteItemFromObjectCaseSensitive(rest, "project_id");
    cJSON_DeleteItemFromObjectCaseSensitive(rest, "user_id");
    cJSON_DeleteItemFromObjectCaseSensitive(rest, "task_id");
    int rc = edit_entry_fields(&e, rest);
    cJSON_Delete(rest);
    if (rc < 0) return -1;
    e.created_s = e.updated_s = world_next_mutation_s(w);
    overlay_put(&e);
    nadded++;
    *id_out = e.id;
    return 0;
}

/* A company property: a string, or null for "unset" (stored as ""). */
static int company_field(const cJSON *f, char *out, size_t n)
{
    if (!cJSON_IsString(f) && !cJSON_IsNull(f))
        return od_seterr("%s must be a string or null", f->string);
    const char *v = cJSON_IsString(f) ? f->valuestring : "";
    if (strlen(v) >= n) return od_seterr("%s is longer than %zu bytes", f->string, n - 1);
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

static int edit_company(int64_t id, const cJSON *fields, int64_t now)
{
    struct sim_world *w = &sim_world;
    int k = index_of_id(id, SIM_COMPANY_ID0, 1, w->ncompanies);
    if (k < 0 || !w->companies[k].exists) return od_seterr("no company %lld", (long long)id);
    struct sim_company c = w->companies[k];
    const cJSON *f;
    cJSON_ArrayForEach(f, fields)
    {
        if (!strcmp(f->string, "name")) {
            if (company_field(f, c.name, sizeof c.name) < 0) return -1;
        } else if (!strcmp(f->string, "domain")) {
            if (company_field(f, c.domain, sizeof c.domain) < 0) return -1;
        } else {
            return od_seterr("field '%s' cannot be edited on companies (name, domain)", f->string);
        }
    }
    c.updated_ms = now * 1000;
    w->companies[k] = c;
    return 0;
}

/* One deal field: amount, dealstage (a stage id of any pipeline; the deal moves to that
 * pipeline) or closedate ("YYYY-MM-DD" or an ISO datetime). */
static int deal_field(struct sim_deal *d, const cJSON *f)
{
    if (!strcmp(f->string, "amount")) return fixed2_field(f, &d->amount);
    if (!strcmp(f->string, "dealstage")) {
        const struct sim_stage *st =
            cJSON_IsString(f) ? world_stage(f->valuestring, &d->pipeline) : NULL;
        if (!st) return od_seterr("dealstage must be a stage id of a pipeline");
        d->stage = st;
        return 0;
    }
    if (!strcmp(f->string, "closedate")) {
        int32_t day;
        int64_t ms;
        if (cJSON_IsString(f) && parse_date(f->valuestring, &day) == 0)
            d->closedate_ms = (int64_t)day * 86400000;
        else if (cJSON_IsString(f) && parse_iso_ms(f->valuestring, &ms) == 0)
            d->closedate_ms = ms;
        else
            return od_seterr("closedate must be YYYY-MM-DD or an ISO datetime");
        return 0;
    }
    return od_seterr("field '%s' cannot be edited on deals (amount, dealstage, closedate)",
                     f->string);
}

/* Archive (delete) a deal or a company: out of search and the default list, in archived=true.
 * Archiving does not move hs_lastmodifieddate (as upstream). */
static int archive_small(const char *resource, int64_t id, int64_t now)
{
    struct sim_world *w = &sim_world;
    if (!strcmp(resource, "deals")) {
        int k = index_of_id(id, SIM_DEAL_ID0, 1, w->ndeals);
        if (k < 0) return od_seterr("no deal %lld", (long long)id);
        w->deals[k].archived = true;
        w->deals[k].archived_ms = now * 1000;
        return 0;
    }
    if (!strcmp(resource, "companies")) {
        int k = index_of_id(id, SIM_COMPANY_ID0, 1, w->ncompanies);
        if (k < 0 || !w->companies[k].exists) return od_seterr("no company %lld", (long long)id);
        w->companies[k].archived = true;
        w->companies[k].archived_ms = now * 1000;
        return 0;
    }
    return od_seterr("archive and delete support time_entries (delete), deals and companies");
}

static int edit_small(const char *resource, int64_t id, const cJSON *fields, bool del)
{
    struct sim_world *w = &sim_world;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(fields, "name");
    int64_t now = world_next_mutation_s(w);
    if (del) return archive_small(resource, id, now);
    if (!strcmp(resource, "deals")) {
        int k = index_of_id(id, SIM_DEAL_ID0, 1, w->ndeals);
        if (k < 0) return od_seterr("no deal %lld", (long long)id);
        struct sim_deal d = w->deals[k]; /* all fields or none */
        const cJSON *f;
        cJSON_ArrayForEach(f, fields)
        {
            if (deal_field(&d, f) < 0) return -1;
        }
        d.updated_ms = now * 1000;
        w->deals[k] = d;
        return 0;
    }
    if (!strcmp(resource, "companies")) return edit_company(id, fields, now);
    if (!strcmp(resource, "clients")) {
        int k = index_of_id(id - 1, SIM_CLIENT_ID0, 7, w->nclients);
        if (k < 0) return od_seterr("no client %lld", (long long)id);
        if (cJSON_IsString(name))
            snprintf(w->clients[k].name, SIM_NAME_MAX, "%s", name->valuestring);
        w->clients[k].updated_s = now;
        return 0;
    }
    if (!strcmp(resource, "projects")) {
        int k = index_of_id(id - 2, SIM_PROJECT_ID0, 3, w->nprojects);
        if (k < 0) return od_seterr("no project %lld", (long long)id);
        if (cJSON_IsString(name))
            snprintf(w->projects[k].name, SIM_NAME_MAX, "%s", name->valuestring);
        w->projects[k].updated_s = now;
        return 0;
    }
    return od_seterr("unknown resource '%s'", resource);
}

static int mutate_locked(const cJSON *req, cJSON *ids)
{
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(req, "action");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(req, "resource");
    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(req, "fields");
    const char *resource = cJSON_IsString(res) ? res->valuestring : "time_entries";
    int64_t id = cJSON_IsNumber(jid)   ? (int64_t)jid->valuedouble
                 : cJSON_IsString(jid) ? strtoll(jid->valuestring, NULL, 10)
                                       : 0;
    if (!cJSON_IsString(action))
        return od_seterr("missing \"action\" (edit, add, delete, archive, fix, random)");
    const char *a = action->valuestring;
    bool entries = !strcmp(resource, "time_entries");
    if (!strcmp(a, "random")) {
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(req, "count");
        int n = cJSON_IsNumber(count) ? count->valueint : 1;
        for (int k = 0; k < n && k < 100000; k++) {
            uint64_t h = world_hash(sim_world.seed, 77, random_round++);
            int64_t eid = SIM_ENTRY_ID0 + (int64_t)(h % (uint64_t)sim_world.scale);
            bump_locked(eid);
            cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)eid));
        }
        return 0;
    }
    if (!strcmp(a, "add")) {
        if (!entries || !cJSON_IsObject(fields))
            return od_seterr("add needs resource time_entries and a fields object");
        if (add_entry(fields, &id) < 0) return -1;
    } else if (!strcmp(a, "delete") || !strcmp(a, "archive")) {
        if (entries && !strcmp(a, "archive"))
            return od_seterr("archive is for deals and companies (delete removes a time entry)");
        if (entries ? delete_locked(id) < 0 : edit_small(resource, id, NULL, true) < 0) return -1;
    } else if (!strcmp(a, "fix")) {
        struct sim_entry e;
        if (!entries) return od_seterr("fix is for time_entries");
        if (!entry_by_id(id, &e)) return od_seterr("no time entry %lld", (long long)id);
        e.bad = BAD_NONE; /* corrected upstream: served valid from now on, counted by truth */
        e.updated_s = world_next_mutation_s(&sim_world);
        overlay_put(&e);
    } else if (!strcmp(a, "edit")) {
        if (!cJSON_IsObject(fields)) return od_seterr("edit needs a fields object");
        if (entries) {
            struct sim_entry e;
            if (!entry_by_id(id, &e)) return od_seterr("no time entry %lld", (long long)id);
            if (edit_entry_fields(&e, fields) < 0) return -1;
            e.updated_s = world_next_mutation_s(&sim_world);
            overlay_put(&e);
        } else if (edit_small(resource, id, fields, false) < 0) {
            return -1;
        }
    } else {
        return od_seterr("unknown action '%s'", a);
    }
    cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)id));
    return 0;
}

void mutate_handle(struct sim_req *r)
{
    cJSON *req = cJSON_ParseWithLength(r->body.buf ? r->body.buf : "", r->body.len);
    cJSON *out = cJSON_CreateObject();
    cJSON *ids = cJSON_CreateArray();
    pthread_rwlock_wrlock(&sim_world.lock);
    int rc = req ? mutate_locked(req, ids) : od_seterr("body is not JSON");
    int64_t at = sim_world.last_mutate_s;
    pthread_rwlock_unlock(&sim_world.lock);
    cJSON_Delete(req);
    if (rc < 0) {
        cJSON_Delete(ids);
        cJSON_AddStringToObject(out, "error", od_err());
        resp_json(r, 400, out);
        return;
    }
    cJSON_AddBoolToObject(out, "ok", true);
    cJSON_AddItemToObject(out, "ids", ids);
    json_add_iso_s(out, "updated_at", at);
    resp_json(r, 200, out);
}
