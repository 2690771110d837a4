-- 0001_init: the schema of DESIGN.md §3. Later migrations extend it; they never reshape it.
-- Money and hours are numeric; timestamps are timestamptz; upstream ids are bigint.

-- Identity -------------------------------------------------------------------------------
CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    email          text NOT NULL,
    name           text,
    role           text NOT NULL CHECK (role IN ('ops', 'account_manager', 'oncall', 'admin')),
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    failed_logins  integer NOT NULL DEFAULT 0,
    locked_until   timestamptz,
    last_login_at  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE sessions (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE,          -- keyed hash of the 32-byte token; never the token
    source        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,           -- absolute timeout
    ended_at      timestamptz,
    ended_reason  text
);
CREATE INDEX sessions_live ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_user_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    actor          text,                          -- email or 'system'
    action         text NOT NULL,                 -- e.g. login.success, exception.ack
    subject        text,
    source         text,
    outcome        text NOT NULL DEFAULT 'ok',
    detail         jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE login_attempts (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    email    text NOT NULL,
    source   text NOT NULL,
    success  boolean NOT NULL
);
CREATE INDEX login_attempts_source ON login_attempts (source, at);
CREATE INDEX login_attempts_email ON login_attempts (lower(email), at);

CREATE TABLE credentials (
    id          bigserial PRIMARY KEY,
    provider    text NOT NULL CHECK (provider IN ('harvest', 'hubspot')),
    name        text NOT NULL,                    -- token, access_token, refresh_token, private_app
    account_id  text,                             -- not secret (Harvest account id, HubSpot portal id)
    key_id      integer NOT NULL,
    blob        bytea NOT NULL,                   -- XChaCha20-Poly1305 sealed, AD binds provider/name/key id
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    UNIQUE (provider, name)
);

-- Harvest ----------------------------------------------------------------------------------
CREATE TABLE harvest_clients (
    id          bigint PRIMARY KEY,
    name        text NOT NULL,
    is_active   boolean NOT NULL DEFAULT true,
    currency    text,
    created_at  timestamptz,
    updated_at  timestamptz NOT NULL,
    deleted_at  timestamptz,                      -- soft delete by reconcile
    synced_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE harvest_projects (
    id           bigint PRIMARY KEY,
    client_id    bigint,
    name         text NOT NULL,
    code         text,
    is_active    boolean NOT NULL DEFAULT true,
    is_billable  boolean NOT NULL DEFAULT true,
    bill_by      text,
    budget       numeric(14, 2),
    budget_by    text,
    cost_budget  numeric(14, 2),
    hourly_rate  numeric(12, 2),
    fee          numeric(14, 2),
    starts_on    date,
    ends_on      date,
    created_at   timestamptz,
    updated_at   timestamptz NOT NULL,
    deleted_at   timestamptz,
    synced_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX harvest_projects_client ON harvest_projects (client_id);

CREATE TABLE harvest_users (
    id                   bigint PRIMARY KEY,
    first_name           text,
    last_name            text,
    email                text,
    is_active            boolean NOT NULL DEFAULT true,
    is_contractor        boolean NOT NULL DEFAULT false,
    cost_rate            numeric(12, 2),
    default_hourly_rate  numeric(12, 2),
    created_at           timestamptz,
    updated_at           timestamptz NOT NULL,
    deleted_at           timestamptz,
    synced_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE harvest_tasks (
    id                   bigint PRIMARY KEY,
    name                 text NOT NULL,
    billable_by_default  boolean,
    default_hourly_rate  numeric(12, 2),
    is_active            boolean NOT NULL DEFAULT true,
    created_at           timestamptz,
    updated_at           timestamptz NOT NULL,
    deleted_at           timestamptz,
    synced_at            timestamptz NOT NULL DEFAULT now()
);

-- Time entries are range-partitioned by month of spent_date. The primary key must include
-- the partition key, so an entry whose spent_date changes upstream moves partition: the sync
-- deletes the old (id, old date) row in the same transaction (index on id below).
CREATE TABLE harvest_time_entries (
    id             bigint NOT NULL,
    spent_date     date NOT NULL,
    user_id        bigint,
    client_id      bigint,
    project_id     bigint,
    task_id        bigint,
    hours          numeric(10, 2) NOT NULL,
    rounded_hours  numeric(10, 2),
    billable       boolean NOT NULL DEFAULT false,
    billable_rate  numeric(12, 2),               -- NULL: no rate (not zero)
    cost_rate      numeric(12, 2),               -- NULL: no rate (not zero)
    is_running     boolean NOT NULL DEFAULT false,
    is_locked      boolean NOT NULL DEFAULT false,
    notes          text,
    created_at     timestamptz,
    updated_at     timestamptz NOT NULL,
    deleted_at     timestamptz,
    synced_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, spent_date)
) PARTITION BY RANGE (spent_date);
CREATE INDEX harvest_time_entries_id ON harvest_time_entries (id);
CREATE INDEX harvest_time_entries_project ON harvest_time_entries (project_id, spent_date);
CREATE TABLE harvest_time_entries_default PARTITION OF harvest_time_entries DEFAULT;

-- Create the monthly partition holding month m (idempotent). Returns its name.
CREATE FUNCTION opsdeck_ensure_partition(m date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo date := date_trunc('month', m)::date;
    hi date := (date_trunc('month', m) + interval '1 month')::date;
    part text := format('harvest_time_entries_%s', to_char(lo, 'YYYY_MM'));
BEGIN
    IF to_regclass(part) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF harvest_time_entries FOR VALUES FROM (%L) TO (%L)',
                       part, lo, hi);
    END IF;
    RETURN part;
END $$;

-- Ensure partitions for every month in [from, to] (idempotent).
CREATE FUNCTION opsdeck_ensure_partitions(from_d date, to_d date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', from_d)::date;
    n integer := 0;
BEGIN
    WHILE m <= to_d LOOP
        PERFORM opsdeck_ensure_partition(m);
        m := (m + interval '1 month')::date;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

SELECT opsdeck_ensure_partitions((date_trunc('month', now()) - interval '24 months')::date,
                                 (date_trunc('month', now()) + interval '3 months')::date);

-- HubSpot ----------------------------------------------------------------------------------
CREATE TABLE hubspot_companies (
    id          bigint PRIMARY KEY,
    name        text,
    domain      text,
    properties  jsonb NOT NULL DEFAULT '{}',
    archived    boolean NOT NULL DEFAULT false,
    created_at  timestamptz,
    updated_at  timestamptz NOT NULL,
    deleted_at  timestamptz,
    synced_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hubspot_owners (
    id          bigint PRIMARY KEY,
    email       text,
    first_name  text,
    last_name   text,
    archived    boolean NOT NULL DEFAULT false,
    created_at  timestamptz,
    updated_at  timestamptz NOT NULL,
    synced_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hubspot_deals (
    id          bigint PRIMARY KEY,
    name        text,
    amount      numeric(16, 2),                  -- from the string property "amount"
    dealstage   text,
    pipeline    text,
    closedate   timestamptz,
    owner_id    bigint,
    properties  jsonb NOT NULL DEFAULT '{}',
    archived    boolean NOT NULL DEFAULT false,
    created_at  timestamptz,
    updated_at  timestamptz NOT NULL,             -- hs_lastmodifieddate
    deleted_at  timestamptz,
    synced_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hubspot_deals_stage ON hubspot_deals (dealstage);

CREATE TABLE hubspot_deal_companies (
    deal_id     bigint NOT NULL,
    company_id  bigint NOT NULL,
    synced_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (deal_id, company_id)
);
CREATE INDEX hubspot_deal_companies_company ON hubspot_deal_companies (company_id);

-- Links (automatic where names/domains agree, editable by hand) -----------------------------
CREATE TABLE client_links (
    client_id   bigint PRIMARY KEY,
    company_id  bigint,                          -- NULL: explicitly unlinked
    method      text NOT NULL CHECK (method IN ('name', 'domain', 'manual')),
    updated_by  text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX client_links_company ON client_links (company_id);

CREATE TABLE project_links (
    project_id  bigint PRIMARY KEY,
    deal_id     bigint,
    method      text NOT NULL CHECK (method IN ('name', 'manual')),
    updated_by  text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);

-- Sync: queue, cursors, dead letters, shared rate limits, workers ----------------------------
CREATE TABLE sync_jobs (
    id              bigserial PRIMARY KEY,
    provider        text NOT NULL CHECK (provider IN ('harvest', 'hubspot', 'system')),
    resource        text NOT NULL,               -- time_entries, deals, reconcile, rollup_check ...
    args            jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'available'
                    CHECK (state IN ('available', 'running', 'completed', 'retryable', 'dead', 'cancelled')),
    unique_key      text,
    priority        integer NOT NULL DEFAULT 0,
    attempts        integer NOT NULL DEFAULT 0,
    max_attempts    integer NOT NULL DEFAULT 8,
    run_at          timestamptz NOT NULL DEFAULT now(),
    locked_by       text,
    locked_at       timestamptz,
    heartbeat_at    timestamptz,
    checkpoint      jsonb,                       -- saved page/cursor to resume from
    progress_done   bigint NOT NULL DEFAULT 0,
    progress_total  bigint,
    rate_per_s      numeric(12, 2),
    errors          jsonb NOT NULL DEFAULT '[]', -- [{at, attempt, error}]
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The same sync is never queued twice while one is pending or running.
CREATE UNIQUE INDEX sync_jobs_unique_pending ON sync_jobs (unique_key)
    WHERE state IN ('available', 'running', 'retryable');
CREATE INDEX sync_jobs_claim ON sync_jobs (priority DESC, run_at, id)
    WHERE state IN ('available', 'retryable');
CREATE INDEX sync_jobs_running ON sync_jobs (heartbeat_at) WHERE state = 'running';
CREATE INDEX sync_jobs_finished ON sync_jobs (finished_at);

CREATE TABLE sync_cursors (
    provider    text NOT NULL,
    account_id  text NOT NULL,
    resource    text NOT NULL,
    cursor      text,                             -- e.g. updated_since as ISO-8601
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, account_id, resource)
);

CREATE TABLE sync_dead_letters (
    id           bigserial PRIMARY KEY,
    provider     text NOT NULL,
    resource     text NOT NULL,
    record_id    text,
    job_id       bigint,
    reason       text NOT NULL,
    payload      text NOT NULL,                  -- the raw record as received
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz
);
CREATE INDEX sync_dead_letters_open ON sync_dead_letters (provider, resource) WHERE resolved_at IS NULL;

-- GCRA buckets shared by every worker: one row per upstream account.
CREATE TABLE rate_limits (
    bucket      text PRIMARY KEY,                 -- e.g. harvest:1000001
    tat         timestamptz NOT NULL DEFAULT now(), -- theoretical arrival time
    limit_n     integer NOT NULL,
    period_ms   integer NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workers (
    id            text PRIMARY KEY,              -- host:pid:start
    host          text NOT NULL,
    pid           integer NOT NULL,
    threads       integer NOT NULL DEFAULT 0,
    version       text,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz
);

-- Rollups: kept equal to the raw rows by the sync, in the page's transaction ----------------
-- revenue = Σ billable rounded_hours × billable_rate; cost = Σ hours × cost_rate (exact numeric)
CREATE TABLE profit_rollup_project_month (
    project_id             bigint NOT NULL,
    month                  date NOT NULL,
    client_id              bigint,
    entries                bigint NOT NULL DEFAULT 0,
    hours                  numeric NOT NULL DEFAULT 0,
    billable_hours         numeric NOT NULL DEFAULT 0,
    revenue                numeric NOT NULL DEFAULT 0,
    cost                   numeric NOT NULL DEFAULT 0,
    missing_cost_rate      bigint NOT NULL DEFAULT 0,
    missing_billable_rate  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, month)
);
CREATE TABLE profit_rollup_client_month (
    client_id              bigint NOT NULL,
    month                  date NOT NULL,
    entries                bigint NOT NULL DEFAULT 0,
    hours                  numeric NOT NULL DEFAULT 0,
    billable_hours         numeric NOT NULL DEFAULT 0,
    revenue                numeric NOT NULL DEFAULT 0,
    cost                   numeric NOT NULL DEFAULT 0,
    missing_cost_rate      bigint NOT NULL DEFAULT 0,
    missing_billable_rate  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (client_id, month)
);
CREATE TABLE profit_rollup_person_month (
    user_id                bigint NOT NULL,
    month                  date NOT NULL,
    entries                bigint NOT NULL DEFAULT 0,
    hours                  numeric NOT NULL DEFAULT 0,
    billable_hours         numeric NOT NULL DEFAULT 0,
    revenue                numeric NOT NULL DEFAULT 0,
    cost                   numeric NOT NULL DEFAULT 0,
    missing_cost_rate      bigint NOT NULL DEFAULT 0,
    missing_billable_rate  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, month)
);
-- Drill-down client → project → month → person needs the finest grain too.
CREATE TABLE profit_rollup_project_person_month (
    project_id             bigint NOT NULL,
    user_id                bigint NOT NULL,
    month                  date NOT NULL,
    entries                bigint NOT NULL DEFAULT 0,
    hours                  numeric NOT NULL DEFAULT 0,
    billable_hours         numeric NOT NULL DEFAULT 0,
    revenue                numeric NOT NULL DEFAULT 0,
    cost                   numeric NOT NULL DEFAULT 0,
    missing_cost_rate      bigint NOT NULL DEFAULT 0,
    missing_billable_rate  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, month, user_id)
);

-- Exceptions --------------------------------------------------------------------------------
CREATE TABLE exceptions (
    id             bigserial PRIMARY KEY,
    kind           text NOT NULL,
    severity       text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    subject        text NOT NULL,                -- e.g. client:123, job:45
    message        text NOT NULL,
    state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved', 'closed')),
    count          bigint NOT NULL DEFAULT 1,
    details        jsonb NOT NULL DEFAULT '{}',
    first_seen     timestamptz NOT NULL DEFAULT now(),
    last_seen      timestamptz NOT NULL DEFAULT now(),
    closed_at      timestamptz,
    ack_by         text,
    ack_at         timestamptz,
    ack_note       text,
    resolved_by    text,
    resolved_at    timestamptz,
    resolved_note  text,
    version        integer NOT NULL DEFAULT 1
);
-- One live exception per (kind, subject).
CREATE UNIQUE INDEX exceptions_live ON exceptions (kind, subject) WHERE state IN ('open', 'acknowledged');
CREATE INDEX exceptions_state ON exceptions (state, severity, first_seen);
