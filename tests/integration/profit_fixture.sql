-- profit_fixture.sql — a small hand-made world plus generated entries for the profitability,
-- links and exceptions suites. Raw rows only; rollups are rebuilt at the end with the one
-- definition. Dates are relative to a fixed year so tests are
-- stable: 2026-01 .. 2026-04 (partitions are created here). After loading, run
-- `opsdeck rollup rebuild` to compute the rollups from these rows.
SELECT opsdeck_ensure_partitions('2025-12-01', '2026-05-31');

INSERT INTO harvest_clients (id, name, is_active, updated_at) VALUES
  (101, 'Acme Corp', true, now()),
  (102, '  Globex, "The" Company  ', true, now()),
  (103, E'Initech \u00e9t\u00e9 \u6771\u4eac \x1b[31mred', true, now()),
  (104, 'Umbrella', true, now());

INSERT INTO harvest_projects (id, client_id, name, is_active, is_billable, budget, budget_by,
                              cost_budget, updated_at) VALUES
  (201, 101, 'Website Redesign', true, true, 40, 'project', NULL, now()),
  (202, 101, 'Support', true, true, NULL, 'project_cost', 500, now()),
  (203, 102, 'Migration', true, true, NULL, 'none', NULL, now()),
  (204, 103, 'Audit', false, true, 10, 'person', NULL, now() - interval '30 days'),
  (205, 104, 'Internal', true, false, NULL, 'none', NULL, now());

INSERT INTO harvest_users (id, first_name, last_name, cost_rate, updated_at) VALUES
  (301, 'Ada', 'Lovelace', 50, now()),
  (302, 'Bob', 'Tables', 40, now()),
  (303, 'Cleo', NULL, NULL, now()),
  (304, 'Dan', 'Ng', 33.33, now());

-- Hand-made entries: rounding edges (x.xx5 products), NULL rates, non-billable, deleted,
-- mid-month dates for partial ranges.
INSERT INTO harvest_time_entries (id, spent_date, user_id, client_id, project_id, hours,
                                  rounded_hours, billable, billable_rate, cost_rate, updated_at,
                                  deleted_at) VALUES
  (1, '2026-01-05', 301, 101, 201, 1.25, 1.25, true, 100.10, 50, now(), NULL),
  (2, '2026-01-15', 302, 101, 201, 0.25, 0.50, true, 33.33, 40, now(), NULL),
  (3, '2026-01-31', 303, 101, 202, 2.00, 2.00, true, NULL, NULL, now(), NULL),
  (4, '2026-02-01', 304, 102, 203, 0.15, 0.25, true, 0.10, 33.33, now(), NULL),
  (5, '2026-02-14', 301, 102, 203, 3.00, 3.00, false, 120, 50, now(), NULL),
  (6, '2026-02-28', 302, 103, 204, 8.00, 8.00, true, 90, 40, now(), NULL),
  (7, '2026-03-10', 303, 104, 205, 4.00, 4.00, false, NULL, NULL, now(), NULL),
  (8, '2026-03-10', 301, 101, 201, 5.00, 5.00, true, 100.10, 50, now(), now()),
  (9, '2026-03-20', 304, 103, 204, 1.00, NULL, true, 90, 33.33, now(), NULL),
  (10, '2026-04-30', 302, 101, 202, 0.05, 0.05, true, 0.10, 0.10, now(), NULL);

-- Generated entries: deterministic, spread over the four months, ids from 1000.
INSERT INTO harvest_time_entries (id, spent_date, user_id, client_id, project_id, hours,
                                  rounded_hours, billable, billable_rate, cost_rate, updated_at)
SELECT 1000 + g,
       DATE '2026-01-01' + (g * 7 % 120),
       301 + g % 4,
       p.client_id,
       p.id,
       ((g * 37) % 800 + 1) / 100.0,
       ceil(((g * 37) % 800 + 1) / 25.0) / 4.0,
       g % 5 <> 0,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 50 + (g * 13) % 9000 / 100.0 END,
       CASE WHEN g % 4 = 2 THEN NULL ELSE 20 + (g * 17) % 5000 / 100.0 END,
       now()
  FROM generate_series(1, 2000) g
  JOIN harvest_projects p ON p.id = 201 + g % 5;

INSERT INTO hubspot_companies (id, name, domain, updated_at) VALUES
  (9001, 'ACME CORP ', 'acme.example', now()),
  (9002, NULL, 'umbrella.com', now()),
  (9003, 'Globex, "The" Company', 'globex.example', now()),
  (9004, 'Nobody', 'nobody.example', now());

-- Pipelines: won = closed with probability 1 (sql/0010), in any pipeline; 'r-verbal' has 1.0 but
-- is open; 'closedwon' exists only in the default pipeline.
INSERT INTO hubspot_deal_stages (pipeline_id, stage_id, label, is_closed, probability) VALUES
  ('default', 'appointmentscheduled', 'Appointment', false, 0.2),
  ('default', 'closedwon', 'Closed Won', true, 1.0),
  ('default', 'closedlost', 'Closed Lost', true, 0.0),
  ('renewals', 'r-verbal', 'Verbal yes', false, 1.0),
  ('renewals', 'r-won', 'Renewed', true, 1.0);

-- Won for Acme (company 9001): 8001 (2026-02-10), 8002 (2026-03-31 UTC), 8007 (second pipeline,
-- 2026-02-28, Primary 9001 besides 9004) = 1650.11 all time. Not won or not counted: 8003 open,
-- 8004 archived, 8005 deleted, 8008 probability 1.0 but open, 8009 two companies and no
-- Primary (the deal_without_primary rule names it), 8010 'closedwon' in a pipeline without it.
INSERT INTO hubspot_deals (id, name, amount, dealstage, pipeline, closedate, archived, updated_at,
                           deleted_at) VALUES
  (8001, 'Website Redesign', 1000.005, 'closedwon', NULL, '2026-02-10T00:00:00Z', false, now(), NULL),
  (8002, 'Support renewal', 250.10, 'closedwon', NULL, '2026-03-31T23:30:00Z', false, now(), NULL),
  (8003, 'Big one', 99999, 'appointmentscheduled', NULL, '2026-02-11T00:00:00Z', false, now(), NULL),
  (8004, 'Archived win', 777, 'closedwon', NULL, '2026-02-12T00:00:00Z', true, now(), NULL),
  (8005, 'Deleted win', 555, 'closedwon', NULL, '2026-02-13T00:00:00Z', false, now(), now()),
  (8006, 'migration', 10, 'closedwon', NULL, '2026-01-15T00:00:00Z', false, now(), NULL),
  (8007, 'Renewal 2026', 400.00, 'r-won', 'renewals', '2026-02-28T00:00:00Z', false, now(), NULL),
  (8008, 'Verbal only', 999, 'r-verbal', 'renewals', '2026-02-14T00:00:00Z', false, now(), NULL),
  (8009, 'Shared win', 123.45, 'closedwon', 'default', '2026-02-15T00:00:00Z', false, now(), NULL),
  (8010, 'Misfiled win', 5, 'closedwon', 'renewals', '2026-02-16T00:00:00Z', false, now(), NULL);
INSERT INTO hubspot_deal_companies (deal_id, company_id, type_id, label) VALUES
  (8001, 9001, 5, 'Primary'), (8001, 9001, 341, NULL), (8002, 9001, 341, NULL),
  (8003, 9001, 341, NULL), (8004, 9001, 341, NULL), (8005, 9001, 341, NULL),
  (8006, 9003, 341, NULL), (8007, 9004, 341, NULL), (8007, 9001, 5, 'Primary'),
  (8007, 9001, 341, NULL), (8008, 9001, 341, NULL), (8009, 9001, 341, NULL),
  (8009, 9002, 341, NULL), (8010, 9001, 341, NULL);
