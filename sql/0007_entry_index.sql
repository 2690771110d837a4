-- 0007: harvest_time_entry_index — where the live row of each time entry is.
-- harvest_time_entries is partitioned by month of spent_date, so its primary key is
-- (id, spent_date) and finding an entry by id alone probes the id index of every partition.
-- This unpartitioned table answers "which spent_date holds entry id?" with one index probe.
-- The time-entry writer (core/connectors/entries.c) keeps it equal to the raw rows in the same
-- transaction as the rows (new entries inserted, moved entries updated); `opsdeck rollup
-- rebuild` repairs it.
CREATE TABLE harvest_time_entry_index (
    id          bigint PRIMARY KEY,
    spent_date  date NOT NULL
);
INSERT INTO harvest_time_entry_index (id, spent_date)
SELECT DISTINCT ON (id) id, spent_date FROM harvest_time_entries ORDER BY id, updated_at DESC;
