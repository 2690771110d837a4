-- 0018_exception_category: every exception is the system's (sync failed, dead letters, a
-- reconcile mismatch, refused or expiring credentials, a stale sync: ops and on-call see these)
-- or the business's (over budget, missing rates, unlinked clients, low margin: account managers
-- see these); admins see both (DESIGN §5). The rules set it (core/domain/rules.c); rows that
-- exist get it from their kind here. Only system exceptions can be critical: business ones
-- are capped at warning, here for the rows that exist and by the rules from now on, and the
-- constraint keeps it so. Safe over a schema that has some of it already (IF NOT EXISTS; the
-- constraint is dropped and made again).

ALTER TABLE exceptions ADD COLUMN IF NOT EXISTS category text NOT NULL DEFAULT 'system'
    CHECK (category IN ('system', 'business'));

UPDATE exceptions SET category = 'business'
WHERE kind IN ('missing_cost_rate', 'missing_billable_rate', 'unlinked_client',
               'unlinked_project', 'deal_without_primary', 'over_budget', 'low_margin',
               'hours_on_archived_project');

UPDATE exceptions SET severity = 'warning' WHERE category = 'business' AND severity = 'critical';

ALTER TABLE exceptions DROP CONSTRAINT IF EXISTS exceptions_critical_is_system;
ALTER TABLE exceptions ADD CONSTRAINT exceptions_critical_is_system
    CHECK (severity <> 'critical' OR category = 'system');

CREATE INDEX IF NOT EXISTS exceptions_category ON exceptions (category, state);
