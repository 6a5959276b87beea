-- Every projection row a read-modify-write changes has a version: one more than the index of
-- the log entry that last wrote it (so a rebuild from the log gives the same). A write names
-- the version it read and is refused inside the append's transaction when the row moved on.
-- Rows kept from before this migration carry 0 until `liuhen rebuild` (`liuhen verify` names them).
ALTER TABLE settings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recordings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
