/* sim_entry_json — one Harvest time entry as JSON text, written straight into a buffer.
 *
 * A 2000-entry page is most of the simulator's work during a sync, so entries skip cJSON's
 * object tree and printf: numbers, decimals and dates are written digit by digit, strings are
 * escaped exactly as cJSON escapes them (`"` `\` and \b \f \n \r \t short, other bytes below
 * 0x20 as \u00xx, UTF-8 passed through). harvest_entry_json() wraps the text as a cJSON raw
 * item so the envelope code stays as it is. Field order and values are those of
 * harvest_time_entry.json; money and hours are exact two-decimal numbers from fixed point. */
#include "core/base/json.h"
#include "tests/sim/sim_harvest.h"
#include <string.h>

#define LIT(sb, s) sb_addn((sb), (s), sizeof(s) - 1)

static void put_u(struct strbuf *sb, uint64_t v, int min_digits)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < min_digits);
    sb_grow(sb, (size_t)n);
    while (n)
        sb->buf[sb->len++] = tmp[--n];
    sb->buf[sb->len] = '\0';
}

static void put_int(struct strbuf *sb, int64_t v)
{
    if (v < 0) sb_addch(sb, '-');
    put_u(sb, v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v, 1);
}

static void put_fixed2(struct strbuf *sb, int64_t v)
{
    if (v == SIM_NULL) {
        LIT(sb, "null");
        return;
    }
    if (v < 0) sb_addch(sb, '-');
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    put_u(sb, a / 100, 1);
    sb_addch(sb, '.');
    put_u(sb, a % 100, 2);
}

static void put_ymd(struct strbuf *sb, int32_t day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    put_u(sb, (uint64_t)y, 4);
    sb_addch(sb, '-');
    put_u(sb, (uint64_t)m, 2);
    sb_addch(sb, '-');
    put_u(sb, (uint64_t)d, 2);
}

static void put_date(struct strbuf *sb, int32_t day)
{
    sb_addch(sb, '"');
    put_ymd(sb, day);
    sb_addch(sb, '"');
}

static void put_iso_s(struct strbuf *sb, int64_t s)
{
    int32_t day = (int32_t)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
    int64_t sod = s - (int64_t)day * 86400;
    sb_addch(sb, '"');
    put_ymd(sb, day);
    sb_addch(sb, 'T');
    put_u(sb, (uint64_t)(sod / 3600), 2);
    sb_addch(sb, ':');
    put_u(sb, (uint64_t)(sod / 60 % 60), 2);
    sb_addch(sb, ':');
    put_u(sb, (uint64_t)(sod % 60), 2);
    LIT(sb, "Z\"");
}

static void put_bool(struct strbuf *sb, bool b)
{
    if (b)
        LIT(sb, "true");
    else
        LIT(sb, "false");
}

/* "10:41am" */
static void put_clock(struct strbuf *sb, int min)
{
    int h = min / 60 % 24, m = min % 60;
    sb_addch(sb, '"');
    put_u(sb, (uint64_t)(h % 12 ? h % 12 : 12), 1);
    sb_addch(sb, ':');
    put_u(sb, (uint64_t)m, 2);
    if (h < 12)
        LIT(sb, "am\"");
    else
        LIT(sb, "pm\"");
}

static void put_ref(struct strbuf *sb, int64_t id, const char *first, const char *second)
{
    LIT(sb, "{\"id\":");
    put_int(sb, id);
    LIT(sb, ",\"name\":");
    if (!second) {
        od_json_quote(sb, first);
    } else {
        char name[128];
        size_t a = strnlen(first, 63), b = strnlen(second, 63);
        memcpy(name, first, a);
        name[a] = ' ';
        memcpy(name + a + 1, second, b);
        name[a + 1 + b] = '\0';
        od_json_quote(sb, name);
    }
    sb_addch(sb, '}');
}

void harvest_entry_text(const struct sim_entry *e, struct strbuf *sb)
{
    const struct sim_world *w = &sim_world;
    const struct sim_project *p = &w->projects[e->project];
    const struct sim_client *c = &w->clients[p->client];
    const struct sim_user *u = &w->users[e->user];
    const struct sim_task *t = &w->tasks[e->task];
    LIT(sb, "{\"id\":");
    put_int(sb, e->id);
    LIT(sb, ",\"spent_date\":");
    if (e->bad == BAD_DATE)
        LIT(sb, "\"2026-13-45\"");
    else
        put_date(sb, e->spent_day);
    LIT(sb, ",\"user\":");
    put_ref(sb, u->id, u->first, u->last);
    LIT(sb, ",\"client\":");
    put_ref(sb, c->id, c->name, NULL);
    LIT(sb, ",\"project\":");
    if (e->bad == BAD_NO_PROJECT)
        LIT(sb, "null");
    else
        put_ref(sb, p->id, p->name, NULL);
    LIT(sb, ",\"task\":");
    put_ref(sb, t->id, t->name, NULL);
    LIT(sb, ",\"user_assignment\":{\"id\":");
    put_int(sb, 125000000 + (int64_t)e->project * 512 + e->user);
    LIT(sb, ",\"is_project_manager\":");
    put_bool(sb, e->user == 0);
    LIT(sb, ",\"is_active\":true,\"budget\":null,\"created_at\":");
    put_iso_s(sb, p->created_s);
    LIT(sb, ",\"updated_at\":");
    put_iso_s(sb, p->created_s);
    LIT(sb, ",\"hourly_rate\":");
    put_fixed2(sb, u->default_rate);
    LIT(sb, "},\"task_assignment\":{\"id\":");
    put_int(sb, 155000000 + (int64_t)e->project * 16 + e->task);
    LIT(sb, ",\"billable\":");
    put_bool(sb, t->billable);
    LIT(sb, ",\"is_active\":true,\"created_at\":");
    put_iso_s(sb, p->created_s);
    LIT(sb, ",\"updated_at\":");
    put_iso_s(sb, p->created_s);
    LIT(sb, ",\"hourly_rate\":");
    put_fixed2(sb, p->hourly_rate);
    LIT(sb, ",\"budget\":null},\"hours\":");
    if (e->bad == BAD_HOURS)
        LIT(sb, "\"abc\"");
    else
        put_fixed2(sb, e->hours);
    LIT(sb, ",\"hours_without_timer\":");
    put_fixed2(sb, e->hours);
    LIT(sb, ",\"rounded_hours\":");
    put_fixed2(sb, e->rounded);
    LIT(sb, ",\"notes\":");
    od_json_quote(sb, e->notes);
    LIT(sb, ",\"created_at\":");
    put_iso_s(sb, e->created_s);
    LIT(sb, ",\"updated_at\":");
    put_iso_s(sb, e->updated_s);
    LIT(sb, ",\"is_locked\":");
    put_bool(sb, e->is_billed);
    if (e->is_billed)
        LIT(sb, ",\"locked_reason\":\"Item Invoiced and Approved and Locked for this Time "
                "Period\",\"is_closed\":true,\"is_billed\":true");
    else
        LIT(sb, ",\"locked_reason\":null,\"is_closed\":false,\"is_billed\":false");
    LIT(sb, ",\"timer_started_at\":");
    if (e->is_running)
        put_iso_s(sb, e->updated_s);
    else
        LIT(sb, "null");
    LIT(sb, ",\"started_time\":");
    put_clock(sb, e->start_min);
    LIT(sb, ",\"ended_time\":");
    if (e->is_running)
        LIT(sb, "null");
    else
        put_clock(sb, e->start_min + (int)(e->hours * 60 / 100));
    LIT(sb, ",\"is_running\":");
    put_bool(sb, e->is_running);
    if (e->is_billed) {
        LIT(sb, ",\"invoice\":{\"id\":");
        put_int(sb, 13150000 + e->spent_day / 30);
        LIT(sb, ",\"number\":\"");
        put_int(sb, 1000 + e->spent_day / 30 % 9000);
        LIT(sb, "\"}");
    } else {
        LIT(sb, ",\"invoice\":null");
    }
    LIT(sb, ",\"external_reference\":null,\"billable\":");
    put_bool(sb, e->billable);
    LIT(sb, ",\"budgeted\":");
    put_bool(sb, p->budget != SIM_NULL);
    LIT(sb, ",\"billable_rate\":");
    put_fixed2(sb, e->billable_rate);
    LIT(sb, ",\"cost_rate\":");
    put_fixed2(sb, e->cost_rate);
    sb_addch(sb, '}');
}

cJSON *harvest_entry_json(const struct sim_entry *e)
{
    struct strbuf sb = STRBUF_INIT;
    sb_grow(&sb, 1536);
    harvest_entry_text(e, &sb);
    cJSON *o = cJSON_CreateRaw(sb_str(&sb));
    sb_release(&sb);
    return o;
}
