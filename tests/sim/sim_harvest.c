/* sim_harvest — Harvest v2 endpoints: headers/auth, page-number pagination with the documented
 * envelope and absolute links, filters, and the lazy time-entry listing.
 *
 * Time entries are listed in generated order (spent_date ascending, then id), added entries
 * after them. Without filters other than from/to, a page is found without scanning (deleted
 * entries are skipped with the sorted deleted-index list); other filters scan the from/to range;
 * updated_since after T0 only looks at the overlay. */
#include "tests/sim/sim_faults.h"
#include "tests/sim/sim_harvest.h"
#include "tests/sim/sim_limits.h"
#include "tests/sim/sim_overlay.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct page {
    long page, per_page;
    int64_t total, offset;
};

struct te_filter {
    int64_t since_s; /* INT64_MIN: none */
    int32_t from_day, to_day;
    int64_t user_id, project_id, client_id; /* 0: none */
    int running;                            /* -1: none */
    int active;                             /* is_active filter for small lists, -1: none */
};

bool harvest_auth(struct sim_req *r)
{
    const char *ua = req_header(r, "User-Agent");
    const char *auth = req_header(r, "Authorization");
    const char *token =
        auth && !strncmp(auth, "Bearer ", 7) ? auth + 7 : req_arg(r, "access_token");
    const char *account = req_header(r, "Harvest-Account-Id");
    if (!account) account = req_arg(r, "account_id");
    if (!ua || !*ua) {
        harvest_error(r, 400, "bad_request",
                      "Missing User-Agent header: send your application name and a link or "
                      "email, e.g. 'MyApp (me@example.com)'");
        return false;
    }
    if (!token || strcmp(token, sim_cfg.harvest_token) != 0) {
        harvest_error(r, 401, "invalid_token",
                      "The access token provided is expired, revoked, malformed or invalid for "
                      "other reasons.");
        return false;
    }
    if (!account || strcmp(account, sim_cfg.harvest_account) != 0) {
        harvest_error(r, 404, "not_found",
                      "Harvest-Account-Id is missing or is not an account this token can access");
        return false;
    }
    return true;
}

static void unprocessable(struct sim_req *r, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "message", msg);
    resp_json(r, 422, o);
}

static bool parse_filters(struct sim_req *r, struct te_filter *f, struct page *pg)
{
    long v;
    const char *s;
    memset(f, 0, sizeof *f);
    f->since_s = INT64_MIN;
    f->from_day = INT32_MIN;
    f->to_day = INT32_MAX;
    f->running = f->active = -1;
    if (arg_long(r, "per_page", 1, 2000, 2000, &pg->per_page) < 0) {
        unprocessable(r, "per_page must be between 1 and 2000");
        return false;
    }
    if (arg_long(r, "page", 1, INT_MAX, 1, &pg->page) < 0) {
        unprocessable(r, "page must be a positive integer");
        return false;
    }
    int64_t ms;
    if ((s = req_arg(r, "updated_since"))) {
        if (parse_iso_ms(s, &ms) < 0) {
            unprocessable(r, "updated_since must be an ISO 8601 UTC datetime like "
                             "2026-01-31T12:00:00Z");
            return false;
        }
        f->since_s = ms / 1000 + (ms % 1000 > 0);
    }
    if (((s = req_arg(r, "from")) && parse_date(s, &f->from_day) < 0) ||
        ((s = req_arg(r, "to")) && parse_date(s, &f->to_day) < 0)) {
        unprocessable(r, "from and to must be dates like 2026-01-31");
        return false;
    }
    static const char *const idargs[] = {"user_id", "project_id", "client_id"};
    int64_t *dst[] = {&f->user_id, &f->project_id, &f->client_id};
    for (int k = 0; k < 3; k++)
        if (arg_long(r, idargs[k], 1, LONG_MAX, 0, &v) < 0) {
            unprocessable(r, "ids must be positive integers");
            return false;
        } else {
            *dst[k] = v;
        }
    const char *run = req_arg(r, "is_running"), *act = req_arg(r, "is_active");
    if (run) f->running = !strcmp(run, "true");
    if (act) f->active = !strcmp(act, "true");
    pg->offset = (int64_t)(pg->page - 1) * pg->per_page;
    return true;
}

static void link(struct sim_req *r, cJSON *links, const char *key, long page, long per_page)
{
    struct strbuf u = STRBUF_INIT;
    req_base_url(r, &u);
    sb_add(&u, r->url);
    req_query_with_page(r, &u, page, per_page, key);
    cJSON_AddStringToObject(links, key, sb_str(&u));
    sb_release(&u);
}

static void add_page_no(cJSON *o, const char *key, long v, bool present)
{
    if (present)
        cJSON_AddNumberToObject(o, key, (double)v);
    else
        cJSON_AddNullToObject(o, key);
}

/* Wrap items (already in doc under the collection key) with Harvest's envelope. */
static void envelope(struct sim_req *r, cJSON *doc, const struct page *pg)
{
    long total_pages = (long)((pg->total + pg->per_page - 1) / pg->per_page);
    long last = total_pages ? total_pages : 1;
    cJSON_AddNumberToObject(doc, "per_page", (double)pg->per_page);
    cJSON_AddNumberToObject(doc, "total_pages", (double)total_pages);
    od_json_add_i64(doc, "total_entries", pg->total);
    add_page_no(doc, "next_page", pg->page + 1, pg->page < total_pages);
    add_page_no(doc, "previous_page", pg->page - 1, pg->page > 1);
    cJSON_AddNumberToObject(doc, "page", (double)pg->page);
    cJSON *links = cJSON_AddObjectToObject(doc, "links");
    link(r, links, "first", 1, pg->per_page);
    if (pg->page < total_pages)
        link(r, links, "next", pg->page + 1, pg->per_page);
    else
        cJSON_AddNullToObject(links, "next");
    if (pg->page > 1)
        link(r, links, "previous", pg->page - 1 < last ? pg->page - 1 : last, pg->per_page);
    else
        cJSON_AddNullToObject(links, "previous");
    link(r, links, "last", last, pg->per_page);
}

static bool te_match(const struct sim_entry *e, const struct te_filter *f)
{
    const struct sim_project *p = &sim_world.projects[e->project];
    return e->updated_s >= f->since_s && e->spent_day >= f->from_day && e->spent_day <= f->to_day &&
           (!f->user_id || sim_world.users[e->user].id == f->user_id) &&
           (!f->project_id || p->id == f->project_id) &&
           (!f->client_id || sim_world.clients[p->client].id == f->client_id) &&
           (f->running < 0 || e->is_running == (f->running == 1));
}

static bool in_page(struct page *pg, int64_t pos)
{
    return pos >= pg->offset && pos < pg->offset + pg->per_page;
}

/* Overlay records that are not plain generated entries in [lo,hi): added ones, or (when
 * only_overlay) every overlay record, ordered as the listing orders them. */
static int cmp_listing(const void *a, const void *b)
{
    const struct sim_entry *x = *(const struct sim_entry *const *)a;
    const struct sim_entry *y = *(const struct sim_entry *const *)b;
    int64_t kx = x->idx >= 0 ? x->idx : INT64_MAX / 2 + x->id;
    int64_t ky = y->idx >= 0 ? y->idx : INT64_MAX / 2 + y->id;
    return kx < ky ? -1 : kx > ky;
}

/* A page of entries as JSON text: "{...},{...}" (written straight into the response body, as
 * a 2000-entry page is most of the simulator's work in a sync), how many, the first one's id. */
struct entries_out {
    struct strbuf *sb;
    size_t n;
    int64_t first_id;
};

static void put_entry(struct entries_out *o, const struct sim_entry *e)
{
    if (o->n++)
        sb_addch(o->sb, ',');
    else
        o->first_id = e->id;
    harvest_entry_text(e, o->sb);
}

static int64_t list_overlay(const struct te_filter *f, bool only_added, struct page *pg,
                            int64_t pos, struct entries_out *items)
{
    size_t n;
    const struct ov_entry *all = overlay_all(&n);
    const struct sim_entry **sel = od_xcalloc(n ? n : 1, sizeof *sel);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!all[i].deleted && (!only_added || all[i].e.idx < 0) && te_match(&all[i].e, f))
            sel[k++] = &all[i].e;
    qsort(sel, k, sizeof *sel, cmp_listing);
    for (size_t i = 0; i < k; i++, pos++)
        if (in_page(pg, pos)) put_entry(items, sel[i]);
    free(sel);
    return pos;
}

/* Generated index of the p-th live entry at or after lo (deleted ones skipped). */
static int64_t nth_live(int64_t lo, int64_t p)
{
    size_t nd;
    const int64_t *del = overlay_deleted_indices(&nd);
    int64_t idx = lo;
    for (size_t k = 0; k < nd; k++) {
        if (del[k] < idx) continue;
        if (del[k] - idx > p) break;
        p -= del[k] - idx;
        idx = del[k] + 1;
    }
    return idx + p;
}

static int64_t deleted_in(int64_t lo, int64_t hi)
{
    size_t nd, c = 0;
    const int64_t *del = overlay_deleted_indices(&nd);
    for (size_t k = 0; k < nd; k++)
        c += del[k] >= lo && del[k] < hi;
    return (int64_t)c;
}

/* The page's entries into items (items->first_id: for change_between_pages, 0 if none). */
static void list_entries(const struct te_filter *f, struct page *pg, struct entries_out *items)
{
    struct sim_world *w = &sim_world;
    struct sim_entry e;
    int64_t pos = 0;
    if (f->since_s > w->t0_s) {
        pg->total = list_overlay(f, false, pg, 0, items);
    } else {
        int64_t lo = f->from_day == INT32_MIN ? 0 : world_first_index_on_or_after(w, f->from_day);
        int64_t hi =
            f->to_day == INT32_MAX ? w->scale : world_first_index_on_or_after(w, f->to_day + 1);
        bool fast = f->since_s == INT64_MIN && !f->user_id && !f->project_id && !f->client_id &&
                    f->running < 0;
        if (hi < lo) hi = lo;
        if (fast) {
            pos = hi - lo - deleted_in(lo, hi);
            if (pg->offset < pos)
                for (int64_t i = nth_live(lo, pg->offset), n = 0; i < hi && n < pg->per_page; i++)
                    if (entry_current(i, &e)) {
                        put_entry(items, &e);
                        n++;
                    }
        } else {
            for (int64_t i = lo; i < hi; i++)
                if (entry_current(i, &e) && te_match(&e, f) && in_page(pg, pos++))
                    put_entry(items, &e);
        }
        pg->total = list_overlay(f, true, pg, pos, items);
    }
}

/* GET /v2/time_entries: {"time_entries":[...], then the envelope}, the same document the
 * cJSON tree printed, written once into the body. */
static void entries_page(struct sim_req *r, const struct te_filter *f, struct page *pg)
{
    sb_reset(&r->out);
    sb_grow(&r->out, (size_t)pg->per_page * 640 + 1024);
    sb_add(&r->out, "{\"time_entries\":[");
    struct entries_out items = {.sb = &r->out};
    pthread_rwlock_rdlock(&sim_world.lock);
    list_entries(f, pg, &items);
    pthread_rwlock_unlock(&sim_world.lock);
    cJSON *doc = cJSON_CreateObject();
    envelope(r, doc, pg);
    char *rest = od_json_print(doc); /* {"per_page":...}: its members follow the array */
    sb_add(&r->out, "],");
    sb_add(&r->out, rest + 1);
    free(rest);
    r->status = 200;
    r->ctype = "application/json; charset=utf-8";
    if (items.first_id && pg->page == 1 && pg->total > pg->per_page &&
        faults_take_change_between_pages(PROV_HARVEST))
        overlay_bump_entry(items.first_id);
}

static bool small_match(const struct te_filter *f, int64_t updated_s, bool active)
{
    return updated_s >= f->since_s && (f->active < 0 || active == (f->active == 1));
}

/* Clients, projects, users, tasks: all small, filtered and paged in one pass. */
static void list_small(const char *what, const struct te_filter *f, struct page *pg, cJSON *items)
{
    struct sim_world *w = &sim_world;
    int64_t pos = 0;
    if (!strcmp(what, "clients")) {
        for (int i = 0; i < w->nclients; i++)
            if (small_match(f, w->clients[i].updated_s, w->clients[i].is_active) &&
                in_page(pg, pos++))
                cJSON_AddItemToArray(items, harvest_client_json(&w->clients[i]));
    } else if (!strcmp(what, "projects")) {
        for (int i = 0; i < w->nprojects; i++) {
            const struct sim_project *p = &w->projects[i];
            if (small_match(f, p->updated_s, p->is_active) &&
                (!f->client_id || w->clients[p->client].id == f->client_id) && in_page(pg, pos++))
                cJSON_AddItemToArray(items, harvest_project_json(p));
        }
    } else if (!strcmp(what, "users")) {
        for (int i = 0; i < w->nusers; i++)
            if (small_match(f, w->users[i].updated_s, w->users[i].is_active) && in_page(pg, pos++))
                cJSON_AddItemToArray(items, harvest_user_json(&w->users[i], i));
    } else {
        for (int i = 0; i < SIM_NTASKS; i++)
            if (small_match(f, w->t0_s - 86400 * 700, true) && in_page(pg, pos++))
                cJSON_AddItemToArray(items, harvest_task_json(&w->tasks[i]));
    }
    pg->total = pos;
}

static void cost_rates(struct sim_req *r, const char *idstr, struct page *pg)
{
    char *end;
    long long id = strtoll(idstr, &end, 10);
    int64_t k = (id - SIM_USER_ID0 - 4) / 5;
    if (strcmp(end, "/cost_rates") != 0 || id <= SIM_USER_ID0 || (id - SIM_USER_ID0 - 4) % 5 ||
        k >= sim_world.nusers) {
        harvest_error(r, 404, "not_found", "No such user");
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON *all = harvest_cost_rates_json(&sim_world.users[k], (int)k);
    cJSON *items = cJSON_AddArrayToObject(doc, "cost_rates");
    pg->total = cJSON_GetArraySize(all);
    for (int64_t i = pg->offset; i < pg->total && i < pg->offset + pg->per_page; i++)
        cJSON_AddItemToArray(items, cJSON_Duplicate(cJSON_GetArrayItem(all, (int)i), true));
    cJSON_Delete(all);
    envelope(r, doc, pg);
    resp_json(r, 200, doc);
}

/* GET /v2/time_entries/{id}: the current version (bad records as listed), 404 when unknown
 * or deleted. */
static void one_entry(struct sim_req *r, const char *idstr)
{
    char *end;
    long long id = strtoll(idstr, &end, 10);
    struct sim_entry e;
    pthread_rwlock_rdlock(&sim_world.lock);
    bool found = *idstr && !*end && entry_by_id(id, &e);
    pthread_rwlock_unlock(&sim_world.lock);
    if (!found) {
        harvest_error(r, 404, "not_found", "No such time entry");
        return;
    }
    struct strbuf sb = STRBUF_INIT;
    harvest_entry_text(&e, &sb);
    resp_raw(r, 200, "application/json; charset=utf-8", sb_str(&sb));
    sb_release(&sb);
}

/* GET /v2/{clients,projects,users,tasks}/{id}: one object, 404 when unknown. False when the
 * path is not of that form (e.g. /v2/users/{id}/cost_rates). */
static bool one_small(struct sim_req *r, const char *res)
{
    static const char *const kinds[] = {"clients/", "projects/", "users/", "tasks/"};
    size_t k = 0, kl = 0;
    while (k < OD_ARRAY_LEN(kinds) && strncmp(res, kinds[k], kl = strlen(kinds[k])) != 0)
        k++;
    if (k == OD_ARRAY_LEN(kinds) || res[kl] < '0' || res[kl] > '9') return false;
    char *end;
    long long id = strtoll(res + kl, &end, 10);
    if (*end) return false;
    struct sim_world *w = &sim_world;
    cJSON *o = NULL;
    pthread_rwlock_rdlock(&w->lock);
    for (int i = 0; k == 0 && !o && i < w->nclients; i++)
        if (w->clients[i].id == id) o = harvest_client_json(&w->clients[i]);
    for (int i = 0; k == 1 && !o && i < w->nprojects; i++)
        if (w->projects[i].id == id) o = harvest_project_json(&w->projects[i]);
    for (int i = 0; k == 2 && !o && i < w->nusers; i++)
        if (w->users[i].id == id) o = harvest_user_json(&w->users[i], i);
    for (int i = 0; k == 3 && !o && i < SIM_NTASKS; i++)
        if (w->tasks[i].id == id) o = harvest_task_json(&w->tasks[i]);
    pthread_rwlock_unlock(&w->lock);
    if (o)
        resp_json(r, 200, o);
    else
        harvest_error(r, 404, "not_found", "Not found");
    return true;
}

void harvest_handle(struct sim_req *r, const char *path)
{
    static const char *const small[] = {"clients", "projects", "users", "tasks"};
    struct te_filter f;
    struct page pg;
    if (strcmp(r->method, "GET") != 0) {
        harvest_error(r, 405, "method_not_allowed", "The simulator only serves GET on /v2");
        return;
    }
    if (!harvest_auth(r) || !limits_gate(r, BUCKET_HARVEST) || !parse_filters(r, &f, &pg)) return;
    const char *res = path + 4;
    if (!strcmp(res, "users/me")) { /* the token's own user: the cheapest authenticated call */
        pthread_rwlock_rdlock(&sim_world.lock);
        cJSON *me = harvest_user_json(&sim_world.users[0], 0);
        pthread_rwlock_unlock(&sim_world.lock);
        resp_json(r, 200, me);
        return;
    }
    if (!strncmp(res, "time_entries/", 13)) {
        one_entry(r, res + 13);
        return;
    }
    if (one_small(r, res)) return;
    if (!strncmp(res, "users/", 6) && res[6] >= '0' && res[6] <= '9') {
        pthread_rwlock_rdlock(&sim_world.lock);
        cost_rates(r, res + 6, &pg);
        pthread_rwlock_unlock(&sim_world.lock);
        return;
    }
    bool entries = !strcmp(res, "time_entries");
    bool known = entries;
    for (size_t i = 0; i < OD_ARRAY_LEN(small); i++)
        known = known || !strcmp(res, small[i]);
    if (!known) {
        harvest_error(r, 404, "not_found", "Not found");
        return;
    }
    if (entries) {
        entries_page(r, &f, &pg);
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(doc, res);
    pthread_rwlock_rdlock(&sim_world.lock);
    list_small(res, &f, &pg, items);
    pthread_rwlock_unlock(&sim_world.lock);
    envelope(r, doc, &pg);
    resp_json(r, 200, doc);
}
