/* sim_truth — GET /__sim/truth[?from=YYYY-MM-DD&to=YYYY-MM-DD]: profitability of the world as
 * it stands (overlay applied, deleted and bad records left out), per client, project, person
 * and month, plus totals and deal figures, so tests can compare opsdeck's numbers with the
 * exact answer.
 *
 * Arithmetic (DESIGN.md §3), all in integers:
 *   revenue = Σ over billable entries of rounded_hours × billable_rate (null rate adds 0)
 *   cost    = Σ over all entries of hours × cost_rate (null rate adds 0)
 * Hours are hundredths and rates cents, so each product is exact in 1/10000 units; the sums are
 * kept in those units and rounded once per output row, half away from zero, to cents.
 * hours = Σ hours (time tracked); billable_hours = Σ rounded_hours of billable entries (time
 * billed), both exact. entries_missing_cost_rate counts entries without a cost rate,
 * entries_missing_billable_rate billable entries without a billable rate.
 *
 * Won deals (DESIGN.md §3): a live (not archived) deal in a closed stage with probability 1.0 of
 * its pipeline, counted once, for the company world_deal_company() names (Primary, else the
 * only live one, else none). ?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive, either may be left
 * out; a malformed or backwards range is a 400) limits entries to those spent_dates and won
 * deals to those closedate (UTC) days. */
#include "tests/sim/sim.h"
#include "tests/sim/sim_overlay.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONTH0 (2000 * 12)
#define NMONTHS (100 * 12)

struct acc {
    int64_t entries, hours, billable_hours, revenue4, cost4, missing_cost, missing_brate;
};

static void acc_add(struct acc *a, const struct sim_entry *e)
{
    a->entries++;
    a->hours += e->hours;
    if (e->billable) {
        a->billable_hours += e->rounded;
        if (e->billable_rate != SIM_NULL)
            a->revenue4 += e->rounded * e->billable_rate;
        else
            a->missing_brate++;
    }
    if (e->cost_rate != SIM_NULL)
        a->cost4 += e->hours * e->cost_rate;
    else
        a->missing_cost++;
}

/* 1/10000 units to cents, half away from zero. */
static int64_t round4(int64_t v)
{
    return v >= 0 ? (v + 50) / 100 : -((-v + 50) / 100);
}

static void add_money4(cJSON *o, const char *key, int64_t v4)
{
    json_add_fixed2_str(o, key, round4(v4));
}

static void acc_fill(cJSON *o, const struct acc *a)
{
    od_json_add_i64(o, "entries", a->entries);
    json_add_fixed2_str(o, "hours", a->hours);
    json_add_fixed2_str(o, "billable_hours", a->billable_hours);
    add_money4(o, "revenue", a->revenue4);
    add_money4(o, "cost", a->cost4);
    od_json_add_i64(o, "entries_missing_cost_rate", a->missing_cost);
    od_json_add_i64(o, "entries_missing_billable_rate", a->missing_brate);
}

static cJSON *row(int64_t id, const char *name, const struct acc *a)
{
    cJSON *o = cJSON_CreateObject();
    od_json_add_i64(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    acc_fill(o, a);
    return o;
}

struct tally {
    struct acc *clients, *projects, *users, *months, total;
    int64_t bad;
    int32_t from, to; /* day range, inclusive */
};

static void tally_entry(struct tally *t, const struct sim_entry *e)
{
    int y, m, d;
    if (e->spent_day < t->from || e->spent_day > t->to) return;
    if (e->bad != BAD_NONE) {
        t->bad++;
        return;
    }
    acc_add(&t->total, e);
    acc_add(&t->projects[e->project], e);
    acc_add(&t->clients[sim_world.projects[e->project].client], e);
    acc_add(&t->users[e->user], e);
    civil_from_days(e->spent_day, &y, &m, &d);
    int k = y * 12 + m - 1 - MONTH0;
    if (k >= 0 && k < NMONTHS) acc_add(&t->months[k], e);
}

static int32_t day_of_ms(int64_t ms)
{
    return (int32_t)(ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000));
}

/* Deal figures; per_company[k] / won_company[k]: amount and count of won deals in the range
 * counted for company k. */
static void deals_fill(cJSON *doc, const struct tally *t, int64_t *per_company,
                       int64_t *won_company)
{
    const struct sim_world *w = &sim_world;
    int64_t count = 0, won = 0, won_amount = 0, unassigned = 0;
    cJSON *nop = cJSON_CreateArray();
    for (int i = 0; i < w->ndeals; i++) {
        const struct sim_deal *dl = &w->deals[i];
        if (dl->archived) continue;
        count++;
        if (!world_stage_won(dl->stage)) continue;
        int c = world_deal_company(w, dl);
        int live = (dl->company >= 0 && !w->companies[dl->company].archived) +
                   (dl->company2 >= 0 && !w->companies[dl->company2].archived);
        if (c < 0 && live > 1) cJSON_AddItemToArray(nop, cJSON_CreateNumber((double)dl->id));
        int32_t day = day_of_ms(dl->closedate_ms);
        if (day < t->from || day > t->to) continue;
        won++;
        int64_t a = dl->amount != SIM_NULL ? dl->amount : 0;
        won_amount += a;
        if (c < 0) {
            unassigned++;
            continue;
        }
        per_company[c] += a;
        won_company[c]++;
    }
    cJSON *dj = cJSON_AddObjectToObject(doc, "deals");
    od_json_add_i64(dj, "count", count);
    od_json_add_i64(dj, "won_count", won);
    json_add_fixed2_str(dj, "won_amount", won_amount);
    od_json_add_i64(dj, "won_without_company", unassigned);
    cJSON_AddItemToObject(dj, "won_without_primary", nop); /* ids, whatever the range */
}

static cJSON *truth_json(int32_t from, int32_t to)
{
    struct sim_world *w = &sim_world;
    struct tally t = {.from = from, .to = to};
    struct sim_entry e;
    char name[128];
    t.clients = od_xcalloc((size_t)w->nclients, sizeof(struct acc));
    t.projects = od_xcalloc((size_t)w->nprojects, sizeof(struct acc));
    t.users = od_xcalloc((size_t)w->nusers, sizeof(struct acc));
    t.months = od_xcalloc(NMONTHS, sizeof(struct acc));
    int64_t *per_company = od_xcalloc((size_t)w->ncompanies, sizeof(int64_t));
    int64_t *won_company = od_xcalloc((size_t)w->ncompanies, sizeof(int64_t));
    for (int64_t i = 0; i < w->scale; i++)
        if (entry_current(i, &e)) tally_entry(&t, &e);
    size_t n;
    const struct ov_entry *ov = overlay_all(&n);
    for (size_t i = 0; i < n; i++)
        if (ov[i].e.idx < 0 && !ov[i].deleted) tally_entry(&t, &ov[i].e);
    cJSON *doc = cJSON_CreateObject();
    json_add_iso_s(doc, "t0", w->t0_s);
    cJSON_AddStringToObject(doc, "rounding",
                            "sum exact products in 1/10000, round half away "
                            "from zero to cents per row");
    char day[16];
    if (from > INT32_MIN) fmt_date(from, day);
    od_json_add_str(doc, "from", from > INT32_MIN ? day : NULL);
    if (to < INT32_MAX) fmt_date(to, day);
    od_json_add_str(doc, "to", to < INT32_MAX ? day : NULL);
    deals_fill(doc, &t, per_company, won_company);
    cJSON *arr = cJSON_AddArrayToObject(doc, "clients");
    for (int i = 0; i < w->nclients; i++) {
        cJSON *o = row(w->clients[i].id, w->clients[i].name, &t.clients[i]);
        int co = w->clients[i].company;
        if (co < 0 || w->companies[co].archived) {
            cJSON_AddNullToObject(o, "deal_amount");
            od_json_add_i64(o, "deals_won", 0);
        } else {
            json_add_fixed2_str(o, "deal_amount", per_company[co]);
            od_json_add_i64(o, "deals_won", won_company[co]);
        }
        cJSON_AddItemToArray(arr, o);
    }
    arr = cJSON_AddArrayToObject(doc, "projects");
    for (int i = 0; i < w->nprojects; i++) {
        cJSON *o = row(w->projects[i].id, w->projects[i].name, &t.projects[i]);
        od_json_add_i64(o, "client_id", w->clients[w->projects[i].client].id);
        cJSON_AddItemToArray(arr, o);
    }
    arr = cJSON_AddArrayToObject(doc, "users");
    for (int i = 0; i < w->nusers; i++) {
        snprintf(name, sizeof name, "%s %s", w->users[i].first, w->users[i].last);
        cJSON_AddItemToArray(arr, row(w->users[i].id, name, &t.users[i]));
    }
    arr = cJSON_AddArrayToObject(doc, "months");
    for (int k = 0; k < NMONTHS; k++) {
        if (!t.months[k].entries) continue;
        cJSON *o = cJSON_CreateObject();
        snprintf(name, sizeof name, "%04d-%02d", (k + MONTH0) / 12, (k + MONTH0) % 12 + 1);
        cJSON_AddStringToObject(o, "key", name);
        acc_fill(o, &t.months[k]);
        cJSON_AddItemToArray(arr, o);
    }
    acc_fill(cJSON_AddObjectToObject(doc, "totals"), &t.total);
    od_json_add_i64(doc, "bad_records", t.bad);
    free(t.clients);
    free(t.projects);
    free(t.users);
    free(t.months);
    free(per_company);
    free(won_company);
    return doc;
}

void truth_handle(struct sim_req *r)
{
    const char *f = req_arg(r, "from"), *t = req_arg(r, "to");
    int32_t from = INT32_MIN, to = INT32_MAX;
    if ((f && *f && parse_date(f, &from) < 0) || (t && *t && parse_date(t, &to) < 0) || from > to) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "error", "from/to must be YYYY-MM-DD with from <= to");
        resp_json(r, 400, e);
        return;
    }
    pthread_rwlock_rdlock(&sim_world.lock);
    cJSON *doc = truth_json(from, to);
    pthread_rwlock_unlock(&sim_world.lock);
    resp_json(r, 200, doc);
}
