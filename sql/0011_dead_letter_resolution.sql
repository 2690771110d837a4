-- 0010: how a dead letter was resolved. `opsdeck deadletters replay` stores the record (fetched
-- again from upstream, or the stored payload re-validated) and marks every open dead letter of
-- that record replayed, in the transaction that stores it; `discard` deletes the row. Both
-- leave an audit_log row (deadletter.replay / deadletter.discard) naming who, which record
-- and why. resolved_at existed already (the dead_letter exception rule counts open rows).
ALTER TABLE sync_dead_letters
    ADD COLUMN resolution  text CHECK (resolution IN ('replayed')),
    ADD COLUMN resolved_by text;
