/* test_sim_world — the simulator's seeded world (tests/sim/sim_world.c, compiled in here since
 * the simulator is not a library): dates and decimals, determinism, the laziness contract
 * (entry i depends only on seed and i), spent_date order for from/to, the rounding rule,
 * realistic nulls, names that need trim+casefold to match, T0 bounds, bad-record selection,
 * assignments (entries only on assigned projects and tasks, a few projects per person-month),
 * deals (both pipelines, won stages by isClosed + probability, Primary and ambiguous companies,
 * the counted company when one is archived). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/sim/sim_world.c"
#include "tests/sim/sim_assign.c"
#include "tests/sim/sim_pipelines.c"

static void test_dates(void **state)
{
    (void)state;
    char buf[32];
    int32_t day;
    int64_t ms;
    assert_int_equal(days_from_civil(1970, 1, 1), 0);
    for (int32_t d = -1000; d < 30000; d += 7) {
        int y, m, dd;
        civil_from_days(d, &y, &m, &dd);
        assert_int_equal(days_from_civil(y, m, dd), d);
    }
    fmt_date(days_from_civil(2024, 2, 29), buf);
    assert_string_equal(buf, "2024-02-29");
    assert_int_equal(parse_date("2026-13-45", &day), -1);
    assert_int_equal(parse_date("2025-02-29", &day), -1);
    assert_int_equal(parse_date("2024-02-29", &day), 0);
    assert_int_equal(parse_iso_ms("2026-03-01T10:00:00.5Z", &ms), 0);
    fmt_iso_ms(ms, buf);
    assert_string_equal(buf, "2026-03-01T10:00:00.500Z");
    fmt_iso_s(ms / 1000, buf);
    assert_string_equal(buf, "2026-03-01T10:00:00Z");
    assert_int_equal(parse_iso_ms("2026-03-01 10:00:00", &ms), -1);
    assert_int_equal(parse_iso_ms("2026-03-01T10:00:00+02:00", &ms), -1);
}

static void test_fixed2(void **state)
{
    (void)state;
    char buf[32];
    fmt_fixed2(1250000, buf);
    assert_string_equal(buf, "12500.00");
    fmt_fixed2(5, buf);
    assert_string_equal(buf, "0.05");
    fmt_fixed2(-105, buf);
    assert_string_equal(buf, "-1.05");
    fmt_fixed2(INT64_MIN, buf);
    assert_string_equal(buf, "-92233720368547758.08");
}

static void test_deterministic_and_lazy(void **state)
{
    (void)state;
    struct sim_world a, b, c;
    struct sim_entry ea, eb;
    world_init(&a, 7, 1000);
    world_init(&b, 7, 1000);
    world_init(&c, 8, 1000);
    assert_int_equal(a.t0_s, b.t0_s);
    assert_int_equal(memcmp(a.clients, b.clients, sizeof *a.clients * (size_t)a.nclients), 0);
    assert_int_equal(memcmp(a.deals, b.deals, sizeof *a.deals * (size_t)a.ndeals), 0);
    int same = 0;
    for (int64_t i = 0; i < 1000; i++) {
        world_entry_base(&a, i, &ea);
        world_entry_base(&b, i, &eb);
        assert_int_equal(memcmp(&ea, &eb, sizeof ea), 0);
        world_entry_base(&c, i, &eb);
        same += ea.hours == eb.hours;
    }
    assert_true(same < 100); /* another seed, another world */
    world_release(&a);
    world_release(&b);
    world_release(&c);
}

static void test_entries(void **state)
{
    (void)state;
    struct sim_world w;
    struct sim_entry e;
    world_init(&w, 1, 20000);
    int32_t prev = INT32_MIN;
    int null_cost = 0, null_bill = 0, nonbill = 0, running = 0;
    for (int64_t i = 0; i < w.scale; i++) {
        world_entry_base(&w, i, &e);
        assert_true(e.spent_day >= prev); /* sorted: from/to is a binary search */
        prev = e.spent_day;
        assert_true(e.spent_day >= w.first_day && e.spent_day <= w.last_day);
        assert_true(e.updated_s <= w.t0_s && e.created_s <= e.updated_s);
        assert_true(e.rounded >= e.hours && e.rounded % 25 == 0 && e.rounded - e.hours < 25);
        null_cost += e.cost_rate == SIM_NULL;
        null_bill += e.billable && e.billable_rate == SIM_NULL;
        nonbill += !e.billable && e.billable_rate == SIM_NULL;
        running += e.is_running;
        assert_int_equal(e.bad, BAD_NONE);
    }
    assert_true(null_cost > 0 && null_bill > 0 && nonbill > 0);
    assert_int_equal(running, 3);
    int32_t day = w.first_day + 100;
    int64_t k = world_first_index_on_or_after(&w, day);
    world_entry_base(&w, k, &e);
    assert_int_equal(e.spent_day, day);
    world_entry_base(&w, k - 1, &e);
    assert_true(e.spent_day < day);
    /* the world's T0 lies in 2026 and the span is about 18 months */
    int y, m, d;
    civil_from_days((int32_t)(w.t0_s / 86400), &y, &m, &d);
    assert_int_equal(y, 2026);
    assert_int_equal(w.last_day - w.first_day + 1, SIM_SPAN_DAYS);
    w.nbad = 9;
    int bad[4] = {0};
    for (int64_t i = 0; i < w.scale; i++)
        bad[world_bad_kind(&w, i)]++;
    assert_int_equal(bad[BAD_DATE] + bad[BAD_HOURS] + bad[BAD_NO_PROJECT], 9);
    assert_int_equal(bad[BAD_DATE], 3);
    world_release(&w);
}

/* trim + ASCII casefold, as the truth's client<->company link assumes */
static void norm(const char *s, char *out)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
}

/* Every entry's user is assigned to its project, its task is one of the project's task
 * assignments, and a person's entries cluster: at most SIM_PROJECTS_PER_MONTH projects per
 * person-month, so there are far fewer project-person-month keys than entries. */
static void test_assignments(void **state)
{
    (void)state;
    struct sim_world w;
    world_init(&w, 3, 200000);
    for (int p = 0; p < w.nprojects; p++) {
        int n = w.proj_users_off[p + 1] - w.proj_users_off[p];
        assert_true(n >= 2 && n <= SIM_MAX_ASSIGNED);
        assert_true(w.projects[p].task_mask != 0);
    }
    for (int u = 0; u < w.nusers; u++)
        assert_true(w.user_projs_off[u + 1] > w.user_projs_off[u]);
    int64_t *seen = od_xcalloc(400000, sizeof *seen), keys = 0;
    for (int64_t i = 0; i < w.scale; i++) {
        struct sim_entry e;
        world_entry_base(&w, i, &e);
        bool assigned = false;
        for (int k = w.proj_users_off[e.project]; k < w.proj_users_off[e.project + 1]; k++)
            assigned = assigned || w.proj_users[k] == e.user;
        assert_true(assigned);
        assert_true(w.projects[e.project].task_mask >> e.task & 1);
        int y, m, d;
        civil_from_days(e.spent_day, &y, &m, &d);
        uint64_t key =
            ((uint64_t)e.project * 1000 + (uint64_t)e.user) * 10000 + (uint64_t)(y * 12 + m);
        size_t slot = (size_t)(key * 0x9E3779B97F4A7C15ULL >> 45) % 400000;
        while (seen[slot] && seen[slot] != (int64_t)key)
            slot = (slot + 1) % 400000;
        if (!seen[slot]) keys++;
        seen[slot] = (int64_t)key;
    }
    print_message("%lld entries, %lld project-person-month keys\n", (long long)w.scale,
                  (long long)keys);
    assert_true(keys <= (int64_t)w.nusers * 20 * SIM_PROJECTS_PER_MONTH);
    assert_true(keys * 4 < w.scale);
    free(seen);
    world_release(&w);
}

static void test_names(void **state)
{
    (void)state;
    struct sim_world w;
    world_init(&w, 1, 100000);
    int differ = 0, domain_only = 0, none = 0;
    char a[SIM_NAME_MAX], b[SIM_NAME_MAX];
    for (int i = 0; i < w.nclients; i++) {
        const struct sim_client *c = &w.clients[i];
        if (c->company < 0) {
            none++;
            continue;
        }
        const struct sim_company *co = &w.companies[c->company];
        if (!co->name[0]) {
            domain_only++;
            assert_string_equal(co->domain, c->name);
            continue;
        }
        differ += strcmp(co->name, c->name) != 0;
        norm(co->name, a);
        norm(c->name, b);
        assert_string_equal(a, b);
        for (int j = 0; j < i; j++) /* names are unique, so a match is unambiguous */
            assert_true(strcmp(w.clients[j].name, c->name) != 0);
    }
    assert_true(differ > 0 && domain_only > 0 && none > 0);
    assert_non_null(strstr(w.clients[3].name, "\x1b[2J"));
    assert_non_null(strstr(w.clients[4].name, "\xe2\x80\xae"));
    assert_non_null(strchr(w.projects[0].name, '\t'));
    world_release(&w);
}

static void test_deals(void **state)
{
    (void)state;
    struct sim_world w;
    world_init(&w, 1, 100000); /* 1000 deals */
    int per_pipeline[2] = {0, 0}, won[2] = {0, 0}, kinds[4] = {0, 0, 0, 0};
    for (int i = 0; i < w.ndeals; i++) {
        const struct sim_deal *d = &w.deals[i];
        int p = -1;
        assert_ptr_equal(world_stage(d->stage->id, &p), d->stage);
        assert_int_equal(p, d->pipeline); /* a deal's stage is one of its pipeline's */
        per_pipeline[d->pipeline]++;
        won[d->pipeline] += world_stage_won(d->stage);
        assert_true(w.companies[d->company].exists);
        assert_true(d->company2 < 0 ||
                    (w.companies[d->company2].exists && d->company2 != d->company));
        kinds[(d->company2 >= 0) * 2 + (d->primary >= 0)]++;
        int c = world_deal_company(&w, d);
        if (d->company2 < 0)
            assert_int_equal(c, d->company);
        else
            assert_int_equal(c, d->primary < 0 ? -1 : d->primary ? d->company2 : d->company);
    }
    assert_true(per_pipeline[1] > w.ndeals / 5 && per_pipeline[0] > w.ndeals / 2);
    assert_true(won[0] > per_pipeline[0] / 5 && won[1] > per_pipeline[1] / 5);
    for (int k = 0; k < 4; k++)
        assert_true(kinds[k] > w.ndeals / 20); /* one/two companies, with/without Primary */
    assert_false(world_stage_won(world_stage("58123402", NULL))); /* 1.0 but open */
    assert_true(world_stage_won(world_stage("58123403", NULL)));
    assert_null(world_stage("nope", NULL));
    /* archived companies: the Primary one archived leaves the other; both archived, none */
    for (int i = 0; i < w.ndeals; i++) {
        struct sim_deal *d = &w.deals[i];
        if (d->company2 < 0 || d->primary < 0) continue;
        int prim = d->primary ? d->company2 : d->company,
            other = d->primary ? d->company : d->company2;
        w.companies[prim].archived = true;
        assert_int_equal(world_deal_company(&w, d), other);
        w.companies[other].archived = true;
        assert_int_equal(world_deal_company(&w, d), -1);
        w.companies[prim].archived = w.companies[other].archived = false;
        break;
    }
    world_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_fixed2),
        cmocka_unit_test(test_deterministic_and_lazy),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_assignments),
        cmocka_unit_test(test_deals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
