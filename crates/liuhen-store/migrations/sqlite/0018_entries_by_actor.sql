-- The log's entries by who made them (an index of the log itself, over its canonical bytes,
-- like the one by case): a user's access ledger is a range of it, never a pass over the log.
CREATE INDEX log_entries_by_actor ON log_entries (json_extract(CAST(data AS TEXT), '$.actor'), idx);
