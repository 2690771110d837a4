-- 0008: harvest_time_entry_index (0007) is gone. The time-entry writer now finds a page's
-- current rows with one range scan over the page's ids in every partition's id index (a
-- prepared statement, core/connectors/entries.c): as fast as the map for a page, without
-- writing a second row per entry. Nothing reads the table any more.
DROP TABLE IF EXISTS harvest_time_entry_index;
