/* rules — the exception rules table (see exceptions.h for how it is evaluated).
 *
 * Each query returns the subjects wrong right now: (subject text, message text, details jsonb,
 * severity text or NULL for the rule's default). $1 is the rule's threshold as text. Queries
 * read rollups where they can, so evaluating after every sync stays cheap. Messages must not
 * embed values that move every run (ages, "now"), or every evaluation would be a change. */
#include "core/base/config.h"
#include "core/domain/exceptions.h"
#include "core/base/util.h"
#include <stddef.h>
#include <string.h>

const struct od_rule od_rules[] = {
    {"missing_cost_rate", "warning", NULL, "time entries without a cost rate (cost is understated)",
     "SELECT 'user:' || r.user_id, format('%s has %s time entries without a cost rate',"
     " coalesce(nullif(btrim(concat_ws(' ', u.first_name, u.last_name)), ''), 'user ' || "
     "r.user_id),"
     " sum(r.missing_cost_rate)),"
     " jsonb_build_object('user_id', r.user_id, 'entries', sum(r.missing_cost_rate)), NULL"
     " FROM profit_rollup_person_month r LEFT JOIN harvest_users u ON u.id = r.user_id"
     " GROUP BY r.user_id, u.first_name, u.last_name HAVING sum(r.missing_cost_rate) > 0"},
    {"missing_billable_rate", "warning", NULL,
     "billable time entries without a billable rate (revenue is understated)",
     "SELECT 'project:' || r.project_id, format('Project %s has %s billable time entries without a "
     "billable rate',"
     " coalesce(p.name, r.project_id::text), sum(r.missing_billable_rate)),"
     " jsonb_build_object('project_id', r.project_id, 'entries', sum(r.missing_billable_rate)), "
     "NULL"
     " FROM profit_rollup_project_month r LEFT JOIN harvest_projects p ON p.id = r.project_id"
     " GROUP BY r.project_id, p.name HAVING sum(r.missing_billable_rate) > 0"},
    {"unlinked_client", "info", NULL,
     "active clients with time but no HubSpot company (no deal amounts)",
     "SELECT 'client:' || c.id, format('Client %s is not linked to a HubSpot company', c.name),"
     " jsonb_build_object('client_id', c.id), NULL FROM harvest_clients c"
     " WHERE c.deleted_at IS NULL AND c.is_active"
     " AND NOT EXISTS (SELECT 1 FROM client_links l WHERE l.client_id = c.id)"
     " AND EXISTS (SELECT 1 FROM profit_rollup_client_month r WHERE r.client_id = c.id)"},
    /* One summary, not one per project: projects rarely share a deal's name, so per-project
     * exceptions were noise (344 of 400 in the demo world). The ids are in details. */
    {"unlinked_project", "info", NULL,
     "active billable projects with time but no HubSpot deal (one summary with the count)",
     "SELECT 'projects:unlinked', format('%s active billable project%s with time %s not linked to"
     " a HubSpot deal (opsdeck links import, or links set project)', count(*),"
     " CASE WHEN count(*) = 1 THEN '' ELSE 's' END, CASE WHEN count(*) = 1 THEN 'is' ELSE 'are'"
     " END), jsonb_build_object('count', count(*), 'project_ids', (array_agg(p.id ORDER BY p.id))"
     "[1:100]), NULL FROM harvest_projects p"
     " WHERE p.deleted_at IS NULL AND p.is_active AND p.is_billable"
     " AND NOT EXISTS (SELECT 1 FROM project_links l WHERE l.project_id = p.id)"
     " AND EXISTS (SELECT 1 FROM profit_rollup_project_month r WHERE r.project_id = p.id)"
     " HAVING count(*) > 0"},
    {"deal_without_primary", "warning", NULL,
     "won deals with several companies and no Primary one (their amount counts for no client)",
     "SELECT 'deal:' || w.deal_id, format('Won deal %s (%s) has %s companies and no single"
     " Primary one; its amount counts for no client until one is marked Primary in HubSpot',"
     " coalesce(w.name, 'without a name'), w.deal_id, w.companies),"
     " jsonb_build_object('deal_id', w.deal_id, 'companies', w.companies, 'amount', w.amount),"
     " NULL FROM hubspot_won_deals w WHERE w.company_id IS NULL AND w.companies > 1"},
    {"over_budget", "warning", "over_budget_pct",
     "projects that used at least over_budget_pct % of their budget",
     "SELECT 'project:' || x.id, format('Project %s has used %s%% of its budget (%s of %s %s)', "
     "x.name,"
     " round(x.used * 100 / x.b, 1), round(x.used, 2), x.b, CASE WHEN x.money THEN 'money' ELSE "
     "'hours' END),"
     " jsonb_build_object('project_id', x.id, 'budget', x.b, 'used', round(x.used, 2), "
     "'budget_by', x.budget_by),"
     " CASE WHEN x.used > x.b * 2 THEN 'critical' END"
     " FROM (SELECT p.id, p.name, p.budget_by, m.money, CASE WHEN m.money THEN p.cost_budget ELSE "
     "p.budget END AS b,"
     " (SELECT CASE WHEN m.money THEN sum(r.revenue) ELSE sum(r.hours) END FROM "
     "profit_rollup_project_month r"
     " WHERE r.project_id = p.id) AS used FROM harvest_projects p"
     " CROSS JOIN LATERAL (SELECT p.budget_by IN ('project_cost', 'task_fees') AS money) m"
     " WHERE p.deleted_at IS NULL AND p.budget_by IN ('project', 'task', 'person', 'project_cost', "
     "'task_fees')) x"
     " WHERE x.b > 0 AND x.used * 100 >= x.b * $1::numeric"},
    {"low_margin", "warning", "low_margin_pct",
     "clients whose margin over all time is below low_margin_pct %",
     "SELECT 'client:' || r.client_id, format('Client %s has a margin of %s%% (threshold %s%%)',"
     " coalesce(c.name, r.client_id::text), round((sum(r.revenue) - sum(r.cost)) * 100 / "
     "sum(r.revenue), 1), $1),"
     " jsonb_build_object('client_id', r.client_id, 'revenue', round(sum(r.revenue), 2),"
     " 'cost', round(sum(r.cost), 2)), NULL"
     " FROM profit_rollup_client_month r LEFT JOIN harvest_clients c ON c.id = r.client_id"
     " GROUP BY r.client_id, c.name"
     " HAVING sum(r.revenue) > 0 AND (sum(r.revenue) - sum(r.cost)) * 100 < $1::numeric * "
     "sum(r.revenue)"},
    {"hours_on_archived_project", "warning", NULL,
     "time entries created or changed after their project was archived",
     "SELECT 'project:' || p.id, format('%s hours in %s entries on archived project %s', "
     "sum(e.hours), count(*),"
     " p.name), jsonb_build_object('project_id', p.id, 'entries', count(*), 'hours', "
     "sum(e.hours)), NULL"
     " FROM harvest_projects p JOIN harvest_time_entries e ON e.project_id = p.id AND e.deleted_at "
     "IS NULL"
     " WHERE NOT p.is_active AND p.deleted_at IS NULL AND e.updated_at > p.updated_at GROUP BY "
     "p.id, p.name"},
    {"dead_letter", "warning", "dead_letter_warn",
     "records that failed validation during sync (at least dead_letter_warn)",
     "SELECT 'dead_letters:' || provider || '/' || resource, format('%s %s %s record(s) failed "
     "validation; latest: %s',"
     " count(*), provider, resource, (array_agg(reason ORDER BY created_at DESC, id DESC))[1]),"
     " jsonb_build_object('provider', provider, 'resource', resource, 'count', count(*)), NULL"
     " FROM sync_dead_letters WHERE resolved_at IS NULL GROUP BY provider, resource HAVING "
     "count(*) >= $1::int"},
    {"sync_failed", "critical", NULL,
     "the last run of a sync ended dead (out of attempts or permanent error)",
     "SELECT 'sync:' || provider || '/' || resource, format('Sync %s %s failed (job %s, %s "
     "attempts): %s', provider,"
     " resource, id, attempts, coalesce(last_error, 'no error recorded')),"
     " jsonb_build_object('job_id', id, 'provider', provider, 'resource', resource), NULL"
     " FROM (SELECT DISTINCT ON (provider, resource) id, provider, resource, state, attempts, "
     "last_error"
     " FROM sync_jobs WHERE state IN ('completed', 'dead') AND finished_at > now() - interval '7 "
     "days'"
     " ORDER BY provider, resource, finished_at DESC, id DESC) last WHERE state = 'dead'"},
    {"sync_stale", "warning", "sync_stale_minutes", "a resource not synced for sync_stale_minutes",
     "SELECT 'sync:' || provider || '/' || account_id || '/' || resource,"
     " format('%s %s (account %s) last synced at %s, more than %s minutes ago', provider, "
     "resource, account_id,"
     " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'), $1),"
     " jsonb_build_object('provider', provider, 'account_id', account_id, 'resource', resource,"
     " 'synced_at', updated_at), NULL"
     " FROM sync_cursors WHERE updated_at < now() - make_interval(mins => $1::int)"},
    {"token_expiring", "warning", "token_expiring_minutes",
     "a provider credential that expires within token_expiring_minutes and cannot be refreshed",
     "SELECT 'credential:' || c.provider || '/' || c.name, CASE WHEN c.expires_at <= now()"
     " THEN format('%s %s expired at %s; reconnect %s', c.provider, c.name, to_char(c.expires_at "
     "AT TIME ZONE 'UTC',"
     " 'YYYY-MM-DD HH24:MI \"UTC\"'), c.provider) ELSE format('%s %s expires at %s', c.provider, "
     "c.name,"
     " to_char(c.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')) END,"
     " jsonb_build_object('provider', c.provider, 'name', c.name, 'expires_at', c.expires_at),"
     " CASE WHEN c.expires_at <= now() THEN 'critical' END FROM credentials c"
     " WHERE c.expires_at IS NOT NULL AND c.expires_at < now() + make_interval(mins => $1::int)"
     " AND NOT (c.name = 'access_token' AND EXISTS (SELECT 1 FROM credentials r"
     " WHERE r.provider = c.provider AND r.name = 'refresh_token'"
     " AND (r.expires_at IS NULL OR r.expires_at > now())))"},
    {"reconcile_mismatch", "critical", NULL,
     "rollups of the last three months differ from the time entries",
     "SELECT 'rollup:' || to_char(coalesce(raw.month, roll.month), 'YYYY-MM'),"
     " format('Rollups for %s differ from the time entries (entries %s vs %s, revenue %s vs %s);"
     " rebuild the rollups', to_char(coalesce(raw.month, roll.month), 'YYYY-MM'), coalesce(roll.n, "
     "0),"
     " coalesce(raw.n, 0), round(coalesce(roll.rv, 0), 2), round(coalesce(raw.rv, 0), 2)),"
     " jsonb_build_object('month', coalesce(raw.month, roll.month)), NULL"
     " FROM (SELECT month, count(*) AS n, sum(hours) AS h, sum(revenue) AS rv, sum(cost) AS c"
     " FROM profit_entry_facts WHERE project_id IS NOT NULL"
     " AND spent_date >= (date_trunc('month', now()) - interval '2 months')::date GROUP BY month) "
     "raw"
     " FULL JOIN (SELECT month, sum(entries) AS n, sum(hours) AS h, sum(revenue) AS rv, sum(cost) "
     "AS c"
     " FROM profit_rollup_project_month WHERE month >= (date_trunc('month', now()) - interval '2 "
     "months')::date"
     " GROUP BY month) roll ON roll.month = raw.month"
     " WHERE raw.n IS DISTINCT FROM roll.n OR raw.h IS DISTINCT FROM roll.h OR raw.rv IS DISTINCT "
     "FROM roll.rv"
     " OR raw.c IS DISTINCT FROM roll.c"},
};
const size_t od_rules_count = OD_ARRAY_LEN(od_rules);

/* Threshold keys -> config fields; a rule names its key, so the table stays readable. */
static const struct {
    const char *key;
    size_t off;
} thresholds[] = {
    {"low_margin_pct", offsetof(struct od_config, rules.low_margin_pct)},
    {"over_budget_pct", offsetof(struct od_config, rules.over_budget_pct)},
    {"sync_stale_minutes", offsetof(struct od_config, rules.sync_stale_minutes)},
    {"token_expiring_minutes", offsetof(struct od_config, rules.token_expiring_minutes)},
    {"dead_letter_warn", offsetof(struct od_config, rules.dead_letter_warn)},
};

int od_rule_threshold(const struct od_rule *rule, const struct od_config *cfg)
{
    for (size_t i = 0; rule->threshold && i < OD_ARRAY_LEN(thresholds); i++)
        if (strcmp(rule->threshold, thresholds[i].key) == 0)
            return *(const int *)((const char *)cfg + thresholds[i].off);
    return 0;
}
