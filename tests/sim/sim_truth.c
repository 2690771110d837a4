/* sim_truth — GET /__sim/truth[?from=YYYY-MM-DD&to=YYYY-MM-DD]: profitability of the world as
 * it stands (overlay applied, deleted and bad records left out), per client, project, person
 * and month, plus totals and deal figures, so tests can compare opsdeck's numbers with the
 * exact answer. from/to (inclusive, either may be left out) keep only entries whose spent_date
 * is in the range; deal figures are all time. A malformed date is a 400.
 *
 * Arithmetic (DESIGN.md §3), all in integers:
 *   revenue = Σ over billable entries of rounded_hours × billable_rate (null rate adds 0)
 *   cost    = Σ over all entries of hours × cost_rate (null rate adds 0)
 * Hours are hundredths and rates cents, so each product is exact in 1/10000 units; the sums are
 * kept in those units and rounded once per output row, half away from zero, to cents.
 * hours = Σ hours (time tracked); billable_hours = Σ rounded_hours of billable entries (time
 * billed), both exact. entries_missing_cost_rate counts entries without a cost rate,
 * entries_missing_billable_rate billable entries without a billable rate. */
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
    json_add_int(o, "entries", a->entries);
    json_add_fixed2_str(o, "hours", a->hours);
    json_add_fixed2_str(o, "billable_hours", a->billable_hours);
    add_money4(o, "revenue", a->revenue4);
    add_money4(o, "cost", a->cost4);
    json_add_int(o, "entries_missing_cost_rate", a->missing_cost);
    json_add_int(o, "entries_missing_billable_rate", a->missing_brate);
}

static cJSON *row(int64_t id, const char *name, const struct acc *a)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    acc_fill(o, a);
    return o;
}

struct tally {
    struct acc *clients, *projects, *users, *months, total;
    int64_t bad;
    int32_t from_day, to_day; /* inclusive */
};

static void tally_entry(struct tally *t, const struct sim_entry *e)
{
    int y, m, d;
    if (e->bad != BAD_NONE) {
        t->bad++;
        return;
    }
    if (e->spent_day < t->from_day || e->spent_day > t->to_day) return;
    acc_add(&t->total, e);
    acc_add(&t->projects[e->project], e);
    acc_add(&t->clients[sim_world.projects[e->project].client], e);
    acc_add(&t->users[e->user], e);
    civil_from_days(e->spent_day, &y, &m, &d);
    int k = y * 12 + m - 1 - MONTH0;
    if (k >= 0 && k < NMONTHS) acc_add(&t->months[k], e);
}

static void deals_fill(cJSON *doc, int64_t *per_company)
{
    const struct sim_world *w = &sim_world;
    int64_t count = 0, won = 0, won_amount = 0;
    for (int i = 0; i < w->ndeals; i++) {
        const struct sim_deal *dl = &w->deals[i];
        if (dl->archived) continue;
        count++;
        if (strcmp(dl->stage, "closedwon")) continue;
        won++;
        if (dl->amount != SIM_NULL) {
            won_amount += dl->amount;
            per_company[dl->company] += dl->amount;
        }
    }
    cJSON *dj = cJSON_AddObjectToObject(doc, "deals");
    json_add_int(dj, "count", count);
    json_add_int(dj, "won_count", won);
    json_add_fixed2_str(dj, "won_amount", won_amount);
}

static cJSON *truth_json(int32_t from_day, int32_t to_day)
{
    struct sim_world *w = &sim_world;
    struct tally t = {.from_day = from_day, .to_day = to_day};
    struct sim_entry e;
    char name[128];
    t.clients = od_xcalloc((size_t)w->nclients, sizeof(struct acc));
    t.projects = od_xcalloc((size_t)w->nprojects, sizeof(struct acc));
    t.users = od_xcalloc((size_t)w->nusers, sizeof(struct acc));
    t.months = od_xcalloc(NMONTHS, sizeof(struct acc));
    int64_t *per_company = od_xcalloc((size_t)w->ncompanies, sizeof(int64_t));
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
    deals_fill(doc, per_company);
    cJSON *arr = cJSON_AddArrayToObject(doc, "clients");
    for (int i = 0; i < w->nclients; i++) {
        cJSON *o = row(w->clients[i].id, w->clients[i].name, &t.clients[i]);
        if (w->clients[i].company < 0)
            cJSON_AddNullToObject(o, "deal_amount");
        else
            json_add_fixed2_str(o, "deal_amount", per_company[w->clients[i].company]);
        cJSON_AddItemToArray(arr, o);
    }
    arr = cJSON_AddArrayToObject(doc, "projects");
    for (int i = 0; i < w->nprojects; i++) {
        cJSON *o = row(w->projects[i].id, w->projects[i].name, &t.projects[i]);
        json_add_int(o, "client_id", w->clients[w->projects[i].client].id);
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
    json_add_int(doc, "bad_records", t.bad);
    free(t.clients);
    free(t.projects);
    free(t.users);
    free(t.months);
    free(per_company);
    return doc;
}

void truth_handle(struct sim_req *r)
{
    int32_t from_day = INT32_MIN, to_day = INT32_MAX;
    const char *s;
    if (((s = req_arg(r, "from")) && parse_date(s, &from_day) < 0) ||
        ((s = req_arg(r, "to")) && parse_date(s, &to_day) < 0)) {
        cJSON *err = cJSON_CreateObject();
        cJSON_AddStringToObject(err, "error", "from and to must be dates like 2026-01-31");
        resp_json(r, 400, err);
        return;
    }
    pthread_rwlock_rdlock(&sim_world.lock);
    cJSON *doc = truth_json(from_day, to_day);
    pthread_rwlock_unlock(&sim_world.lock);
    resp_json(r, 200, doc);
}
