-- 0013: billable hours are the time billed (DESIGN.md §3, issue #14): Σ rounded_hours of
-- billable entries (hours when rounded_hours is absent), the same hours revenue is charged on,
-- so revenue ÷ billable hours is the effective rate. Hours stay Σ hours (time tracked).
-- The view profit_entry_facts changes its billable_hours column, and every rollup's
-- billable_hours is recomputed from the raw rows here, under the writers' lock
-- (core/connectors/rollup.c od_rollup_lock), so a sync never sees half of it.
SELECT pg_advisory_xact_lock(hashtext('opsdeck.harvest_time_entries'));

CREATE OR REPLACE VIEW profit_entry_facts AS
SELECT e.id,
       e.spent_date,
       date_trunc('month', e.spent_date)::date AS month,
       e.client_id,
       e.project_id,
       e.user_id,
       e.hours,
       CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) ELSE 0 END AS billable_hours,
       CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) * coalesce(e.billable_rate, 0)
            ELSE 0 END AS revenue,
       e.hours * coalesce(e.cost_rate, 0) AS cost,
       CASE WHEN e.cost_rate IS NULL THEN 1 ELSE 0 END AS missing_cost_rate,
       CASE WHEN e.billable AND e.billable_rate IS NULL THEN 1 ELSE 0 END AS missing_billable_rate
  FROM harvest_time_entries e
 WHERE e.deleted_at IS NULL;

CREATE TEMP TABLE od_bh ON COMMIT DROP AS
SELECT project_id, client_id, user_id, date_trunc('month', spent_date)::date AS month,
       sum(CASE WHEN billable THEN coalesce(rounded_hours, hours) ELSE 0 END) AS bh
  FROM harvest_time_entries WHERE deleted_at IS NULL
 GROUP BY project_id, client_id, user_id, date_trunc('month', spent_date);

UPDATE profit_rollup_project_month r SET billable_hours = x.bh
  FROM (SELECT project_id, month, sum(bh) AS bh FROM od_bh GROUP BY 1, 2) x
 WHERE r.project_id = x.project_id AND r.month = x.month AND r.billable_hours <> x.bh;
UPDATE profit_rollup_client_month r SET billable_hours = x.bh
  FROM (SELECT client_id, month, sum(bh) AS bh FROM od_bh GROUP BY 1, 2) x
 WHERE r.client_id = x.client_id AND r.month = x.month AND r.billable_hours <> x.bh;
UPDATE profit_rollup_person_month r SET billable_hours = x.bh
  FROM (SELECT user_id, month, sum(bh) AS bh FROM od_bh GROUP BY 1, 2) x
 WHERE r.user_id = x.user_id AND r.month = x.month AND r.billable_hours <> x.bh;
UPDATE profit_rollup_project_person_month r SET billable_hours = x.bh
  FROM (SELECT project_id, user_id, month, sum(bh) AS bh FROM od_bh GROUP BY 1, 2, 3) x
 WHERE r.project_id = x.project_id AND r.user_id = x.user_id AND r.month = x.month
   AND r.billable_hours <> x.bh;
