-- A case's 公示 (its decision as published, its withdrawal), a row a case, in place of one
-- setting a case: the public list pages by the time of publication, the latest first, a range
-- of its index. A database migrated from before this has its projections rebuilt from the log
-- (REBUILD_BEFORE), which fills it and leaves no publication among the settings.
CREATE TABLE publications (
    case_id TEXT PRIMARY KEY,
    published_at INTEGER,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
) STRICT;

CREATE INDEX publications_by_time ON publications (published_at, case_id) WHERE published_at IS NOT NULL;
