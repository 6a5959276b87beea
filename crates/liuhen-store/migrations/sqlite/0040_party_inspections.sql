-- The inspections of one party under one matter in one year (R-121: an inspection beyond the
-- frequency the office published is flagged), a row each, in place of a setting each: `party`
-- is a digest of the matter and the party's identity — never the number itself. Counting them
-- reads one row, and an opening names the version it counted (two at once: one counts the
-- other). A database migrated from before this has its projections rebuilt from the log
-- (REBUILD_BEFORE).
CREATE TABLE party_inspections (
    party TEXT NOT NULL,
    year INTEGER NOT NULL,
    cases TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (party, year)
) STRICT;
