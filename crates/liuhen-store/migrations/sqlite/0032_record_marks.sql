-- What is said of one record of a case, a row per record, in place of one setting per case
-- holding them all: its own class (密级, 办法第二十五条) and the written reason it was made
-- without a recording (R-141). Each row is versioned on its own: two classifications of two
-- records of one case never conflict. A database migrated from before this has its
-- projections rebuilt from the log (REBUILD_BEFORE), which fills it.
CREATE TABLE record_marks (
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (case_id, kind, record)
);
