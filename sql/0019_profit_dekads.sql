-- 0019: dekad rollups (ten-day blocks: days 1-10, 11-20 and 21 to the month's end), beside the
-- day rollups of sql/0014 and for the same listed months only (profit_rollup_daily_months).
-- An edge of a report's range inside a listed month is read as the dekads wholly inside it plus
-- the days left over at its ends, instead of day by day: at most a dekad or two and nine days
-- per key instead of up to fifteen days (core/domain/profit.c). Same columns and definitions as
-- the day tables; dekad = the block's first day:
--   profit_rollup_client_dekad   (dekad, client_id)
--   profit_rollup_project_dekad  (dekad, project_id) + client_id
--   profit_rollup_person_dekad   (dekad, user_id, client_id)
-- Every writer of day rows keeps these in the same transaction (core/connectors/rollup*.c).
SELECT pg_advisory_xact_lock(hashtext('opsdeck.harvest_time_entries'));

-- The day tables' columns, defaults and primary keys, with dekad for day.
CREATE TABLE profit_rollup_client_dekad (LIKE profit_rollup_client_day INCLUDING ALL);
CREATE TABLE profit_rollup_project_dekad (LIKE profit_rollup_project_day INCLUDING ALL);
CREATE TABLE profit_rollup_person_dekad (LIKE profit_rollup_person_day INCLUDING ALL);
ALTER TABLE profit_rollup_client_dekad RENAME COLUMN day TO dekad;
ALTER TABLE profit_rollup_project_dekad RENAME COLUMN day TO dekad;
ALTER TABLE profit_rollup_person_dekad RENAME COLUMN day TO dekad;

-- The listed months' dekads, summed from their day rows (equal to the raw rows by 0014's rule),
-- in key order: the rows of one dekad on neighbouring pages.
INSERT INTO profit_rollup_client_dekad
SELECT date_trunc('month', day)::date + least((extract(day FROM day)::int - 1) / 10, 2) * 10,
       client_id, sum(entries), sum(hours), sum(billable_hours), sum(revenue), sum(cost),
       sum(missing_cost_rate), sum(missing_billable_rate)
  FROM profit_rollup_client_day GROUP BY 1, 2 ORDER BY 1, 2;
INSERT INTO profit_rollup_project_dekad
SELECT date_trunc('month', day)::date + least((extract(day FROM day)::int - 1) / 10, 2) * 10,
       project_id, max(client_id), sum(entries), sum(hours), sum(billable_hours), sum(revenue),
       sum(cost), sum(missing_cost_rate), sum(missing_billable_rate)
  FROM profit_rollup_project_day GROUP BY 1, 2 ORDER BY 1, 2;
INSERT INTO profit_rollup_person_dekad
SELECT date_trunc('month', day)::date + least((extract(day FROM day)::int - 1) / 10, 2) * 10,
       user_id, client_id, sum(entries), sum(hours), sum(billable_hours), sum(revenue), sum(cost),
       sum(missing_cost_rate), sum(missing_billable_rate)
  FROM profit_rollup_person_day GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
