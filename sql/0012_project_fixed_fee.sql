-- 0010: harvest_projects.is_fixed_fee, Harvest's own flag, so the Profitability screen can mark
-- fixed-fee projects (their revenue there is billable hours x rate, not the fee invoiced).
-- Projects synced before this carry only `fee`, which Harvest fills for fixed-fee projects:
-- that is the best guess until the next sync of projects stores the flag itself.
ALTER TABLE harvest_projects ADD COLUMN IF NOT EXISTS is_fixed_fee boolean NOT NULL DEFAULT false;
UPDATE harvest_projects SET is_fixed_fee = true WHERE fee IS NOT NULL AND NOT is_fixed_fee;
