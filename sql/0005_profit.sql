-- 0005_profit: profitability defined once (DESIGN.md §3), in SQL, for every reader and writer.
--
-- profit_entry_facts is the one definition of what a time entry contributes:
--   revenue = rounded_hours × billable_rate over billable entries (hours when rounded_hours is
--             NULL); a billable entry without a rate adds 0 and counts in missing_billable_rate;
--   cost    = hours × cost_rate over all entries; no rate adds 0 and counts in missing_cost_rate;
--   billable_hours = hours of billable entries (unrounded, like the simulator's truth).
-- Everything stays exact numeric; rounding happens only when a report presents a value.
-- Soft-deleted entries (deleted_at) count nowhere. The rollups (kept by the sync, rebuilt by
-- `opsdeck rollup rebuild`, core/connectors/rollup.c) are sums of exactly these facts per
-- cell; reports read this view for partial edge months, and the reconcile_mismatch rule
-- compares the two, so a divergence shows up as an exception.

CREATE VIEW profit_entry_facts AS
SELECT e.id,
       e.spent_date,
       date_trunc('month', e.spent_date)::date AS month,
       e.client_id,
       e.project_id,
       e.user_id,
       e.hours,
       CASE WHEN e.billable THEN e.hours ELSE 0 END AS billable_hours,
       CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) * coalesce(e.billable_rate, 0)
            ELSE 0 END AS revenue,
       e.hours * coalesce(e.cost_rate, 0) AS cost,
       CASE WHEN e.cost_rate IS NULL THEN 1 ELSE 0 END AS missing_cost_rate,
       CASE WHEN e.billable AND e.billable_rate IS NULL THEN 1 ELSE 0 END AS missing_billable_rate
  FROM harvest_time_entries e
 WHERE e.deleted_at IS NULL;

-- Reports read rollups by month range; drill-downs by client/user need these orders too.
CREATE INDEX profit_rollup_project_month_client ON profit_rollup_project_month (client_id, month);
CREATE INDEX profit_rollup_ppm_user ON profit_rollup_project_person_month (user_id, month);

-- Automatic links match on trimmed, case-folded names.
CREATE INDEX hubspot_companies_name_fold ON hubspot_companies (lower(btrim(name)));
CREATE INDEX hubspot_deals_name_fold ON hubspot_deals (lower(btrim(name)));

-- Keys for automatic client ↔ company matching by domain (docs/profitability.md, "Links"):
-- a client name reduced to lower-case ASCII letters and digits, and a company domain reduced
-- to its first label (scheme, "www." and path dropped) the same way.
CREATE FUNCTION opsdeck_name_key(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(regexp_replace(lower(s), '[^a-z0-9]', '', 'g'), '')
$$;
CREATE FUNCTION opsdeck_domain_host(d text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(split_part(regexp_replace(lower(btrim(d)), '^([a-z]+://)?(www\.)?', ''), '/', 1), '')
$$;
CREATE FUNCTION opsdeck_domain_key(d text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT opsdeck_name_key(split_part(opsdeck_domain_host(d), '.', 1))
$$;

-- RFC 3339 UTC text of a timestamp ("2026-03-01T10:00:00Z"), NULL stays NULL.
CREATE FUNCTION opsdeck_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
