-- 年度行政执法数据 as published (R-171), a row a year, in place of a setting a year: the public
-- page reads the years published, the latest first, from the table's key. A database migrated
-- from before this has its projections rebuilt from the log (REBUILD_BEFORE).
CREATE TABLE annual_statistics (
    year INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
) STRICT;
