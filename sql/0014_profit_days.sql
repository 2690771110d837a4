-- 0014: day-grained rollups, so a report whose range starts or ends inside a month reads its
-- partial edge months from rollups too (issue #14). Same columns and definitions as the
-- monthly profit_rollup_* tables (profit_entry_facts), one row per key and day:
--   profit_rollup_client_day   (day, client_id)                the client report
--   profit_rollup_project_day  (day, project_id) + client_id   projects, drill-down by client
--   profit_rollup_person_day   (day, user_id, client_id)       people, people under a client
-- A day row sums the entries of one key on one day; when entries are sparse that is about one
-- row per entry, as costly to write as the entry itself, and no faster to read than the raw rows.
-- So day rows are kept only for the months listed in profit_rollup_daily_months: a month is
-- listed (and its day rows built from the raw rows) once it is dense enough for raw edge reads
-- to be slow and for day rows to be much fewer than its entries, by the policy below; listed
-- months stay listed. Listing is done by the sync (core/connectors/rollup_delta.c) in the
-- transaction that makes a month qualify, and by `opsdeck rollup rebuild`. Every writer keeps
-- the day rows of listed months equal to the raw rows in the same transaction as the monthly
-- rollups; readers (core/domain/profit.c) read a listed month's edge days from these tables and
-- an unlisted month's from the raw rows. Listing a month by hand (INSERT, then
-- `opsdeck rollup rebuild`) is allowed; a listed month with no entries yet simply has no rows.
SELECT pg_advisory_xact_lock(hashtext('opsdeck.harvest_time_entries'));

CREATE TABLE profit_rollup_client_day (
    day                    date NOT NULL,
    client_id              bigint NOT NULL,
    entries                bigint NOT NULL DEFAULT 0,
    hours                  numeric NOT NULL DEFAULT 0,
    billable_hours         numeric NOT NULL DEFAULT 0,
    revenue                numeric NOT NULL DEFAULT 0,
    cost                   numeric NOT NULL DEFAULT 0,
    missing_cost_rate      bigint NOT NULL DEFAULT 0,
    missing_billable_rate  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, client_id)
);
CREATE TABLE profit_rollup_project_day (
    day                    date NOT NULL,
    project_id             bigint NOT NULL,
    client_id              bigint,
    entries                bigint NOT NULL DEFAULT 0,
    hours                  numeric NOT NULL DEFAULT 0,
    billable_hours         numeric NOT NULL DEFAULT 0,
    revenue                numeric NOT NULL DEFAULT 0,
    cost                   numeric NOT NULL DEFAULT 0,
    missing_cost_rate      bigint NOT NULL DEFAULT 0,
    missing_billable_rate  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, project_id)
);
CREATE TABLE profit_rollup_person_day (
    day                    date NOT NULL,
    user_id                bigint NOT NULL,
    client_id              bigint NOT NULL,
    entries                bigint NOT NULL DEFAULT 0,
    hours                  numeric NOT NULL DEFAULT 0,
    billable_hours         numeric NOT NULL DEFAULT 0,
    revenue                numeric NOT NULL DEFAULT 0,
    cost                   numeric NOT NULL DEFAULT 0,
    missing_cost_rate      bigint NOT NULL DEFAULT 0,
    missing_billable_rate  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, user_id, client_id)
);

-- Months (first days) whose day rows are kept.
CREATE TABLE profit_rollup_daily_months (
    month       date PRIMARY KEY CHECK (month = date_trunc('month', month)::date),
    listed_at   timestamptz NOT NULL DEFAULT now()
);

-- When a month is listed (one row): at least min_entries live entries, and on average at least
-- min_entries_per_project entries per project with time that month (about two a day: then a
-- project's day row sums several entries). Below either, raw edge reads are cheap or day rows
-- would cost nearly a row per entry. Edit with SQL; the next sync or rebuild applies it.
CREATE TABLE profit_rollup_daily_policy (
    one                         boolean PRIMARY KEY DEFAULT true CHECK (one),
    min_entries                 bigint NOT NULL CHECK (min_entries >= 0),
    min_entries_per_project     numeric NOT NULL CHECK (min_entries_per_project >= 0)
);
INSERT INTO profit_rollup_daily_policy (min_entries, min_entries_per_project) VALUES (15000, 60);

-- Months that already qualify, and their day rows.
INSERT INTO profit_rollup_daily_months (month)
SELECT r.month FROM profit_rollup_project_month r, profit_rollup_daily_policy p
 GROUP BY r.month, p.min_entries, p.min_entries_per_project
HAVING sum(r.entries) >= p.min_entries AND sum(r.entries) >= p.min_entries_per_project * count(*);

CREATE TEMP TABLE od_days_src ON COMMIT DROP AS
SELECT e.spent_date AS day, e.client_id, e.project_id, e.user_id, e.hours,
       CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) ELSE 0 END AS bh,
       CASE WHEN e.billable THEN coalesce(e.rounded_hours, e.hours) * coalesce(e.billable_rate, 0)
            ELSE 0 END AS rev,
       e.hours * coalesce(e.cost_rate, 0) AS cost,
       (e.cost_rate IS NULL)::int AS mcr, (e.billable AND e.billable_rate IS NULL)::int AS mbr
  FROM harvest_time_entries e
  JOIN profit_rollup_daily_months m
    ON e.spent_date >= m.month AND e.spent_date < (m.month + interval '1 month')::date
 WHERE e.deleted_at IS NULL;

INSERT INTO profit_rollup_client_day
SELECT day, client_id, count(*), sum(hours), sum(bh), sum(rev), sum(cost), sum(mcr), sum(mbr)
  FROM od_days_src GROUP BY day, client_id;
INSERT INTO profit_rollup_project_day
SELECT day, project_id, max(client_id), count(*), sum(hours), sum(bh), sum(rev), sum(cost),
       sum(mcr), sum(mbr)
  FROM od_days_src GROUP BY day, project_id;
INSERT INTO profit_rollup_person_day
SELECT day, user_id, client_id, count(*), sum(hours), sum(bh), sum(rev), sum(cost), sum(mcr),
       sum(mbr)
  FROM od_days_src GROUP BY day, user_id, client_id;
