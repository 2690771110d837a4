-- 0004_connectors: what the Harvest/HubSpot connectors need beyond 0001.

-- The GCRA statement returns its decision from the row it updates (SET expressions see the
-- old row; RETURNING sees the new one), so the decision is kept in the row. Counters feed
-- the health screen across processes.
ALTER TABLE rate_limits
    ADD COLUMN wait_ms          bigint NOT NULL DEFAULT 0,
    ADD COLUMN allowed_total    bigint NOT NULL DEFAULT 0,
    ADD COLUMN penalties_total  bigint NOT NULL DEFAULT 0;
