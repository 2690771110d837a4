-- 0010_won_deals: won deals defined once (DESIGN.md §3 "won deals"), in SQL, for every reader.
--
-- hubspot_deal_stages is GET /crm/v3/pipelines/deals: every stage of every pipeline, replaced
-- whole by each hubspot/pipelines sync. A stage is won when metadata.isClosed is true and
-- metadata.probability is 1.0 — in whichever pipeline; no stage id is special ('closedwon' is
-- only the default pipeline's name for it).
CREATE TABLE hubspot_deal_stages (
    pipeline_id     text NOT NULL,
    stage_id        text NOT NULL,
    pipeline_label  text,
    label           text,
    display_order   integer,
    is_closed       boolean NOT NULL DEFAULT false,   -- metadata.isClosed ("true"/"false")
    probability     numeric(7, 6),                    -- metadata.probability ("1.0"); NULL if absent
    archived        boolean NOT NULL DEFAULT false,   -- the stage or its pipeline
    won             boolean GENERATED ALWAYS AS (is_closed AND coalesce(probability = 1, false)) STORED,
    synced_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline_id, stage_id)
);
CREATE INDEX hubspot_deal_stages_stage ON hubspot_deal_stages (stage_id) WHERE won;

-- Deal -> company associations keep their v4 association types: one row per (deal, company,
-- type). HUBSPOT_DEFINED typeId 5 (label "Primary") marks the deal's primary company; 341 is
-- the plain deal -> company association. Rows stored before this migration had no type: they
-- become the plain association until the next hubspot/deal_companies sync re-reads them.
ALTER TABLE hubspot_deal_companies
    ADD COLUMN category text NOT NULL DEFAULT 'HUBSPOT_DEFINED',
    ADD COLUMN type_id  integer NOT NULL DEFAULT 341,
    ADD COLUMN label    text;
ALTER TABLE hubspot_deal_companies DROP CONSTRAINT hubspot_deal_companies_pkey,
    ADD PRIMARY KEY (deal_id, company_id, category, type_id);

-- The one company a deal counts for: among its live companies (not archived, not deleted), the
-- Primary one; with no Primary, the only one; otherwise none (company_id NULL: `companies` > 1
-- and the deal_without_primary rule names it).
CREATE VIEW hubspot_deal_company AS
SELECT a.deal_id,
       CASE WHEN count(DISTINCT a.company_id) FILTER (WHERE a.is_primary) = 1
                 THEN min(a.company_id) FILTER (WHERE a.is_primary)
            WHEN count(DISTINCT a.company_id) FILTER (WHERE a.is_primary) = 0
                 AND count(DISTINCT a.company_id) = 1 THEN min(a.company_id)
       END AS company_id,
       count(DISTINCT a.company_id) AS companies,
       count(DISTINCT a.company_id) FILTER (WHERE a.is_primary) AS primaries
  FROM (SELECT dc.deal_id, dc.company_id,
               dc.category = 'HUBSPOT_DEFINED' AND dc.type_id = 5 AS is_primary
          FROM hubspot_deal_companies dc
          JOIN hubspot_companies co ON co.id = dc.company_id
         WHERE NOT co.archived AND co.deleted_at IS NULL) a
 GROUP BY a.deal_id;

-- Won deals: live (not archived, not deleted upstream) deals in a won stage of their pipeline
-- (a deal without a pipeline property matches the stage id in any pipeline), each once, with
-- the company it counts for (NULL: none) and its close day (closedate's UTC calendar day).
CREATE VIEW hubspot_won_deals AS
SELECT d.id AS deal_id, d.name, d.amount, d.closedate,
       (d.closedate AT TIME ZONE 'UTC')::date AS close_day,
       dc.company_id, coalesce(dc.companies, 0) AS companies
  FROM hubspot_deals d
  LEFT JOIN hubspot_deal_company dc ON dc.deal_id = d.id
 WHERE NOT d.archived AND d.deleted_at IS NULL
   AND EXISTS (SELECT 1 FROM hubspot_deal_stages s
                WHERE s.won AND s.stage_id = d.dealstage
                  AND (d.pipeline IS NULL OR s.pipeline_id = d.pipeline));

-- Won deals per company for a range of close days (inclusive; NULL = open end; a deal without
-- a closedate counts only when both ends are open): what the client report's deal_amount sums.
CREATE FUNCTION opsdeck_won_by_company(d_from date, d_to date)
RETURNS TABLE (company_id bigint, deals bigint, amount numeric)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT w.company_id, count(*), coalesce(sum(w.amount), 0)
      FROM hubspot_won_deals w
     WHERE w.company_id IS NOT NULL
       AND (d_from IS NULL OR w.close_day >= d_from)
       AND (d_to IS NULL OR w.close_day <= d_to)
     GROUP BY w.company_id
$$;
