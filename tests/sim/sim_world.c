/* sim_world — seeded world generation. See sim_world.h for the contract. */
#include "tests/sim/sim_world.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    TAG_T0 = 1,
    TAG_CLIENT,
    TAG_PROJECT,
    TAG_USER,
    TAG_ENTRY,
    TAG_ENTRY2,
    TAG_COMPANY,
    TAG_DEAL,
    TAG_DEAL2 = TAG_DEAL + 2 /* TAG_DEAL + 1 is the owners' */
};

static const char *const word_a[] = {
    "Blue",  "Bright", "North", "Silver", "Green",  "Rapid",  "Quiet",  "Golden",
    "Iron",  "Clear",  "Bold",  "Lunar",  "Solar",  "Urban",  "Noble",  "Prime",
    "Swift", "Vivid",  "Coral", "Amber",  "Polar",  "Crisp",  "Cedar",  "Maple",
    "Ocean", "Stone",  "True",  "Alpine", "Summit", "Harbor", "Copper", "Velvet",
    "Echo",  "Nimbus", "Atlas", "Falcon", "Orchid", "Pixel",  "Quartz", "Zenith"};
static const char *const word_b[] = {
    "wave",  "field", "works",  "forge", "point",  "line",   "gate", "bridge", "path",  "light",
    "stack", "craft", "wing",   "leaf",  "peak",   "river",  "labs", "logic",  "trail", "vista",
    "mark",  "spark", "grove",  "ridge", "haven",  "scope",  "core", "shift",  "nest",  "port",
    "sail",  "bloom", "stream", "frame", "matrix", "signal", "tide", "vault",  "yard",  "zone"};
static const char *const suffix[] = {"Ltd", "GmbH", "Inc.", "LLC", "AG", "& Co", "Group", "SA"};
#define NCOMBO (40 * 40 * 8)

/* Clients 0..4 have these names: non-ASCII, emoji and hostile text. */
static const char *const special_clients[] = {
    "Müller & Søn",
    "東京デザイン株式会社",
    "Rocket 🚀 Labs",
    "\x1b[2J\x1b]0;pwned\x07"
    "Evil Corp",
    "Acme \xe2\x80\xae"
    "gnp.exe Holdings",
};
static const char *const special_projects[] = {
    "Phase\t1\nLaunch",
    "\x1b[31mRED\x1b[0m Alert \xe2\x80\xae"
    "txt.exe",
    "Übersetzung – Ärzte 日本 📦",
};
static const char *const special_companies_extra[] = {
    "Prospect \xe2\x80\xae"
    "evil\tname\n",
};
static const char *const project_words[] = {
    "Website Redesign", "Mobile App",  "Data Migration", "Brand Refresh",  "Support Retainer",
    "Cloud Move",       "SEO Audit",   "ERP Rollout",    "Online Store",   "Analytics Setup",
    "Security Review",  "API Gateway", "Intranet",       "Product Launch", "Training Program"};
static const char *const first_names[] = {"Kim",   "Bob",  "Zoë",  "Łukasz", "José",  "Aiko",
                                          "Priya", "Lars", "Chen", "Amara",  "Sören", "Olu",
                                          "Maya",  "Ivan", "Noor", "Elif"};
static const char *const last_names[] = {"Allen", "Powell", "Nguyen", "Øster",  "García", "Tanaka",
                                         "Patel", "Berg",   "Wang",   "Okafor", "Brandt", "Silva",
                                         "Cohen", "Petrov", "Haddad", "Yılmaz"};
/* Stage picks per pipeline, weighted by repetition (about 30% won in each). */
static const char *const default_picks[] = {"closedwon",
                                            "closedwon",
                                            "closedwon",
                                            "closedlost",
                                            "closedlost",
                                            "appointmentscheduled",
                                            "qualifiedtobuy",
                                            "presentationscheduled",
                                            "decisionmakerboughtin",
                                            "contractsent"};
static const char *const renewal_picks[] = {"58123403", "58123403", "58123403", "58123404",
                                            "58123404", "58123401", "58123401", "58123402",
                                            "58123402", "58123401"};
static const char *const notes_words[] = {"Importing products", "Call with client", "Code review",
                                          "Design mockups",     "Bug fixing",       "Planning",
                                          "Deployment",         "Writing docs",     ""};
static const struct {
    const char *name;
    bool billable;
} task_defs[SIM_NTASKS] = {
    {"Programming", true},     {"Design", true},    {"Project Management", true},
    {"Consulting", true},      {"Testing", true},   {"Research", true},
    {"Copywriting", true},     {"Support", true},   {"Internal Meeting", false},
    {"Administration", false}, {"Training", false}, {"Business Development", false},
};

uint64_t world_hash(uint64_t seed, uint64_t tag, uint64_t i)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ULL ^ (tag + 1) * 0xC2B2AE3D27D4EB4FULL ^
                 (i + 1) * 0x165667B19E3779F9ULL;
    for (int k = 0; k < 2; k++) {
        z ^= z >> 30;
        z *= 0xBF58476D1CE4E5B9ULL;
        z ^= z >> 27;
        z *= 0x94D049BB133111EBULL;
        z ^= z >> 31;
    }
    return z;
}

int32_t days_from_civil(int y, int m, int d)
{
    return (int32_t)od_days_from_civil(y, m, d);
}

void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    od_civil_from_days(z, y, m, d);
}

void fmt_date(int32_t day, char out[16])
{
    od_date_format(day, out, 16);
}

void fmt_iso_s(int64_t s, char out[32])
{
    char buf[OD_TIME_BUF];
    od_time_format_ms(s * 1000, buf, sizeof buf);
    snprintf(out, 32, "%.19sZ", buf); /* whole seconds */
}

void fmt_iso_ms(int64_t ms, char out[32])
{
    od_time_format_ms(ms, out, 32);
}

int parse_date(const char *s, int32_t *day)
{
    int64_t d;
    if (od_date_parse(s, strlen(s), &d) < 0 || d < 0) return -1; /* 1970 on */
    *day = (int32_t)d;
    return 0;
}

/* The sim takes UTC only: "T", then "Z" or "+00:00" (what a client of Harvest sends). */
int parse_iso_ms(const char *s, int64_t *ms)
{
    size_t n = strlen(s);
    bool utc = (n > 0 && s[n - 1] == 'Z') || (n > 6 && strcmp(s + n - 6, "+00:00") == 0);
    if (!utc || n < 11 || s[10] != 'T' || od_time_parse_ms(s, n, ms) < 0 || *ms < 0) return -1;
    return 0;
}

void fmt_fixed2(int64_t v, char out[32])
{
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    snprintf(out, 32, "%s%llu.%02llu", v < 0 ? "-" : "", (unsigned long long)(a / 100),
             (unsigned long long)(a % 100));
}

/* Unique "Word" "word" "Suffix" name for index i (a bijection on 0..NCOMBO-1). */
static void combo_name(uint64_t seed, int i, bool as_domain, char *out, size_t n)
{
    int c = (int)(((uint64_t)i * 7919 + seed % NCOMBO) % NCOMBO);
    const char *a = word_a[c % 40], *b = word_b[c / 40 % 40], *s = suffix[c / 1600];
    if (as_domain) {
        char la[32];
        snprintf(la, sizeof la, "%s", a);
        for (char *p = la; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        snprintf(out, n, "%s%s-%d.io", la, b, c / 1600);
    } else {
        snprintf(out, n, "%s%s %s", a, b, s);
    }
}

/* The company's spelling of a client name: differs only in ASCII case and outer spaces. */
static void company_spelling(const char *src, uint64_t h, char *out, size_t n)
{
    const char *pad = (h >> 8) % 3 == 0 ? "  " : "";
    char tmp[SIM_NAME_MAX - 4];
    snprintf(tmp, sizeof tmp, "%.*s", (int)sizeof tmp - 1, src);
    for (char *p = tmp; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x80 && h % 4 == 1)
            *p = (char)toupper(ch);
        else if (ch < 0x80 && h % 4 == 2)
            *p = (char)tolower(ch);
    }
    snprintf(out, n, "%s%s%s", pad, tmp, (h >> 12) % 2 ? " " : "");
}

static void build_clients(struct sim_world *w)
{
    w->clients = od_xcalloc((size_t)w->nclients, sizeof *w->clients);
    int nextra = w->ncompanies - w->nclients;
    for (int i = 0; i < w->nclients; i++) {
        struct sim_client *c = &w->clients[i];
        struct sim_company *co = &w->companies[i];
        uint64_t h = world_hash(w->seed, TAG_CLIENT, (uint64_t)i);
        bool domain_only = i >= 5 && h % 10 == 3;
        c->id = SIM_CLIENT_ID0 + i * 7 + 1;
        if (i < (int)OD_ARRAY_LEN(special_clients))
            snprintf(c->name, sizeof c->name, "%s", special_clients[i]);
        else
            combo_name(w->seed, i, domain_only, c->name, sizeof c->name);
        c->is_active = h % 13 != 0;
        c->created_s = w->t0_s - 86400 * (600 + (int64_t)(h >> 20) % 400);
        c->updated_s = c->created_s + (int64_t)(h >> 40) % (86400 * 500);
        co->id = SIM_COMPANY_ID0 + i;
        co->client = i;
        co->exists = i < 5 || h % 8 != 5; /* about 1 client in 8 has no company */
        c->company = co->exists ? i : -1;
        if (domain_only)
            snprintf(co->domain, sizeof co->domain, "%.63s", c->name);
        else
            company_spelling(c->name, h >> 3, co->name, sizeof co->name);
        if (!domain_only && h % 3 == 0) combo_name(w->seed, i, true, co->domain, sizeof co->domain);
    }
    for (int k = 0; k < nextra; k++) {
        struct sim_company *co = &w->companies[w->nclients + k];
        co->id = SIM_COMPANY_ID0 + w->nclients + k;
        co->client = -1;
        co->exists = true;
        if (k < (int)OD_ARRAY_LEN(special_companies_extra))
            snprintf(co->name, sizeof co->name, "%s", special_companies_extra[k]);
        else
            snprintf(co->name, sizeof co->name, "Prospect %d", k);
    }
    for (int k = 0; k < w->ncompanies; k++) {
        struct sim_company *co = &w->companies[k];
        uint64_t h = world_hash(w->seed, TAG_COMPANY, (uint64_t)k);
        co->created_ms = (w->t0_s - 86400 * (300 + (int64_t)(h % 500))) * 1000 + (int64_t)(h >> 50);
        co->updated_ms = co->created_ms + (int64_t)(h >> 20) % (86400LL * 290 * 1000);
    }
}

static void build_projects(struct sim_world *w)
{
    w->projects = od_xcalloc((size_t)w->nprojects, sizeof *w->projects);
    for (int i = 0; i < w->nprojects; i++) {
        struct sim_project *p = &w->projects[i];
        uint64_t h = world_hash(w->seed, TAG_PROJECT, (uint64_t)i);
        p->id = SIM_PROJECT_ID0 + i * 3 + 2;
        p->client = i < w->nclients ? i : (int)(h % (uint64_t)w->nclients);
        if (i < (int)OD_ARRAY_LEN(special_projects))
            snprintf(p->name, sizeof p->name, "%s", special_projects[i]);
        else
            snprintf(p->name, sizeof p->name, "%s %d",
                     project_words[h % OD_ARRAY_LEN(project_words)], i);
        snprintf(p->code, sizeof p->code, "P%04d", i);
        p->is_active = h % 11 != 0;
        p->is_billable = h % 17 != 0;
        p->is_fixed_fee = h % 19 == 0;
        p->hourly_rate = h % 5 == 0 ? SIM_NULL : (int64_t)(80 + (h >> 8) % 25 * 5) * 100;
        p->budget = h % 4 == 0 ? SIM_NULL : (int64_t)(50 + (h >> 16) % 400) * 100;
        p->starts_day = w->first_day + (int32_t)((h >> 24) % 200);
        p->created_s = w->t0_s - 86400 * (560 + (int64_t)(h >> 32) % 100);
        p->updated_s = p->created_s + (int64_t)(h >> 40) % (86400 * 540);
    }
}

static void build_users(struct sim_world *w)
{
    w->users = od_xcalloc((size_t)w->nusers, sizeof *w->users);
    for (int i = 0; i < w->nusers; i++) {
        struct sim_user *u = &w->users[i];
        uint64_t h = world_hash(w->seed, TAG_USER, (uint64_t)i);
        u->id = SIM_USER_ID0 + i * 5 + 4;
        snprintf(u->first, sizeof u->first, "%s", first_names[h % 16]);
        snprintf(u->last, sizeof u->last, "%s", last_names[(h >> 4) % 16]);
        snprintf(u->email, sizeof u->email, "user%d@example.com", i);
        u->is_active = h % 9 != 0;
        u->is_contractor = (h >> 8) % 6 == 0;
        u->default_rate = (int64_t)(90 + (h >> 12) % 23 * 5) * 100;
        u->cost_rate = i > 0 && (h >> 20) % 12 == 0 ? SIM_NULL : (int64_t)(3000 + (h >> 24) % 6000);
        u->created_s = w->t0_s - 86400 * (600 + (int64_t)(h >> 32) % 300);
        u->updated_s = u->created_s + (int64_t)(h >> 44) % (86400 * 580);
    }
}

/* Associations: 65% one company labelled Primary, 10% one company without the label, 15% two
 * companies with one Primary (either one), 10% two companies and no Primary. */
static void deal_companies(const struct sim_world *w, struct sim_deal *d, uint64_t h2)
{
    int r = (int)(h2 % 100);
    d->company2 = -1;
    d->primary = r < 65 ? 0 : -1;
    if (r < 75) return;
    int k = (int)((uint64_t)d->company + 1 + (h2 >> 8) % (uint64_t)(w->ncompanies - 1));
    for (int tries = 0; tries < w->ncompanies; tries++, k++)
        if (w->companies[k % w->ncompanies].exists && k % w->ncompanies != d->company) break;
    if (k % w->ncompanies == d->company) return; /* a world with one company */
    d->company2 = k % w->ncompanies;
    if (r < 90) d->primary = (h2 >> 20) % 2 ? 1 : 0;
}

static void build_deals(struct sim_world *w)
{
    w->deals = od_xcalloc((size_t)w->ndeals, sizeof *w->deals);
    w->owners = od_xcalloc((size_t)w->nowners, sizeof *w->owners);
    for (int i = 0; i < w->nowners; i++) {
        struct sim_owner *o = &w->owners[i];
        uint64_t h = world_hash(w->seed, TAG_DEAL + 1, (uint64_t)i);
        o->id = SIM_OWNER_ID0 + i * 13;
        snprintf(o->first, sizeof o->first, "%s", first_names[(h >> 3) % 16]);
        snprintf(o->last, sizeof o->last, "%s", last_names[(h >> 9) % 16]);
        snprintf(o->email, sizeof o->email, "owner%d@example.com", i);
        o->created_ms = (w->t0_s - 86400 * 700) * 1000 + (int64_t)(h % 86400000);
        o->updated_ms = o->created_ms + (int64_t)(h >> 30) % (86400LL * 600 * 1000);
    }
    for (int i = 0; i < w->ndeals; i++) {
        struct sim_deal *d = &w->deals[i];
        uint64_t h = world_hash(w->seed, TAG_DEAL, (uint64_t)i);
        uint64_t h2 = world_hash(w->seed, TAG_DEAL2, (uint64_t)i);
        int k = (int)(h % (uint64_t)w->ncompanies);
        while (!w->companies[k].exists)
            k = (k + 1) % w->ncompanies;
        d->id = SIM_DEAL_ID0 + i;
        d->company = k;
        deal_companies(w, d, h2);
        d->owner = (int)((h >> 8) % (uint64_t)w->nowners);
        snprintf(d->name, sizeof d->name, "%s — deal %d",
                 project_words[(h >> 12) % OD_ARRAY_LEN(project_words)], i);
        d->amount = (h >> 16) % 29 == 0
                        ? SIM_NULL
                        : (int64_t)(500 + (h >> 20) % 99500) * 100 + (int64_t)((h >> 40) % 4) * 25;
        d->pipeline = (h2 >> 40) % 3 == 0 ? 1 : 0; /* a third in the second pipeline */
        const char *pick = d->pipeline ? renewal_picks[(h >> 28) % OD_ARRAY_LEN(renewal_picks)]
                                       : default_picks[(h >> 28) % OD_ARRAY_LEN(default_picks)];
        d->stage = world_stage(pick, &d->pipeline);
        d->archived = (h >> 34) % 20 == 0;
        d->created_ms = (w->t0_s - 86400 * (30 + (int64_t)((h >> 36) % 500))) * 1000 +
                        (int64_t)((h >> 4) % 1000);
        d->updated_ms = d->created_ms + (int64_t)((h >> 44) % (86400ULL * 29 * 1000));
        d->closedate_ms = (d->created_ms / 86400000 + 20 + (int64_t)((h >> 50) % 60)) * 86400000;
        d->archived_ms = d->archived ? d->updated_ms : 0;
    }
}

void world_init(struct sim_world *w, uint64_t seed, int64_t scale)
{
    world_init_at(w, seed, scale, INT32_MIN);
}

void world_init_at(struct sim_world *w, uint64_t seed, int64_t scale, int32_t t0_day)
{
    memset(w, 0, sizeof *w);
    w->seed = seed;
    w->scale = scale;
    uint64_t h = world_hash(seed, TAG_T0, 0);
    if (t0_day == INT32_MIN)
        w->t0_s = (int64_t)days_from_civil(2026, 6, 1) * 86400 + (int64_t)(h % (90 * 86400));
    else
        w->t0_s = (int64_t)t0_day * 86400 + (int64_t)(h % 86400);
    w->last_day = (int32_t)(w->t0_s / 86400) - 1;
    w->first_day = w->last_day - SIM_SPAN_DAYS + 1;
    w->nclients = scale / 250 > 5 ? (int)(scale / 250) : 5;
    if (w->nclients > NCOMBO) w->nclients = NCOMBO;
    w->nprojects = scale / 50 > 10 ? (int)(scale / 50) : 10;
    w->nusers = scale / 500 > 500 ? 500 : scale / 500 > 5 ? (int)(scale / 500) : 5;
    w->ncompanies = w->nclients + w->nclients / 5 + 2;
    w->ndeals = scale / 100 > 10 ? (int)(scale / 100) : 10;
    w->nowners = 3 + w->nusers / 10;
    for (int t = 0; t < SIM_NTASKS; t++)
        w->tasks[t] =
            (struct sim_task){SIM_TASK_ID0 + t * 11, task_defs[t].name, task_defs[t].billable};
    w->companies = od_xcalloc((size_t)w->ncompanies, sizeof *w->companies);
    build_clients(w);
    build_projects(w);
    build_users(w);
    build_deals(w);
    world_build_assignments(w);
    pthread_rwlock_init(&w->lock, NULL);
}

void world_release(struct sim_world *w)
{
    free(w->clients);
    free(w->projects);
    free(w->users);
    free(w->companies);
    free(w->deals);
    free(w->owners);
    world_release_assignments(w);
    pthread_rwlock_destroy(&w->lock);
}

int64_t world_first_index_on_or_after(const struct sim_world *w, int32_t day)
{
    int64_t lo = 0, hi = w->scale;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (w->first_day + (int32_t)(mid * SIM_SPAN_DAYS / w->scale) < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

enum sim_bad world_bad_kind(const struct sim_world *w, int64_t i)
{
    if (w->nbad <= 0 || i < 0) return BAD_NONE;
    int64_t nbad = w->nbad < w->scale ? w->nbad : w->scale;
    int64_t step = w->scale / nbad;
    if (i % step != step / 2 || i / step >= nbad) return BAD_NONE;
    return (enum sim_bad)(1 + (i / step) % 3);
}

void world_entry_base(const struct sim_world *w, int64_t i, struct sim_entry *e)
{
    uint64_t h = world_hash(w->seed, TAG_ENTRY, (uint64_t)i);
    uint64_t h2 = world_hash(w->seed, TAG_ENTRY2, (uint64_t)i);
    memset(e, 0, sizeof *e);
    e->id = SIM_ENTRY_ID0 + i;
    e->idx = i;
    e->spent_day = w->first_day + (int32_t)(i * SIM_SPAN_DAYS / w->scale);
    e->user = (int)((h >> 20) % (uint64_t)w->nusers);
    world_pick(w, e->user, e->spent_day, h, &e->project, &e->task);
    e->hours = 10 + (int64_t)((h >> 36) % 791);
    e->rounded = (e->hours + 24) / 25 * 25; /* account rounding: up to the next 0.25 h */
    const struct sim_project *p = &w->projects[e->project];
    const struct sim_user *u = &w->users[e->user];
    e->billable = w->tasks[e->task].billable && p->is_billable;
    if (e->billable)
        e->billable_rate = (h2 % 40 == 7)               ? SIM_NULL
                           : p->hourly_rate != SIM_NULL ? p->hourly_rate
                                                        : u->default_rate;
    else
        e->billable_rate = SIM_NULL;
    e->cost_rate = (h2 >> 8) % 30 == 11 ? SIM_NULL : u->cost_rate;
    e->is_running = i >= w->scale - 3; /* a few timers still running: short so far */
    if (e->is_running) {
        e->hours = e->hours % 200 + 10;
        e->rounded = (e->hours + 24) / 25 * 25;
    }
    e->start_min = 8 * 60 + (int)((h2 >> 16) % 360);
    int64_t day_s = (int64_t)e->spent_day * 86400;
    e->created_s = day_s + e->start_min * 60 + (int64_t)((h2 >> 28) % 3600);
    e->updated_s = e->created_s + (int64_t)((h2 >> 40) % (86400 * 3));
    if (e->updated_s > w->t0_s) e->updated_s = w->t0_s;
    if (e->created_s > e->updated_s) e->created_s = e->updated_s;
    e->is_billed = e->billable && e->spent_day < w->last_day - 60 && (h2 >> 52) % 3 != 0;
    snprintf(e->notes, sizeof e->notes, "%s", notes_words[(h2 >> 56) % OD_ARRAY_LEN(notes_words)]);
    e->bad = world_bad_kind(w, i);
}

int64_t world_next_mutation_s(struct sim_world *w)
{
    int64_t now = (int64_t)time(NULL);
    if (now <= w->t0_s) now = w->t0_s + 1;
    if (now < w->last_mutate_s) now = w->last_mutate_s;
    w->last_mutate_s = now;
    return now;
}
