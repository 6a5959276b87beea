-- A case's file (案卷, 办法第二十五条): handed over by its 承办人, filed by the 档案管理员 under a
-- 档号, a row a case. The archivist's list pages by state and time of its last step, a range of
-- its index. A database migrated from before this has its projections rebuilt from the log
-- (REBUILD_BEFORE): a case's projection now says when it was closed.
CREATE TABLE case_files (
    case_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    archive_no TEXT UNIQUE,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
) STRICT;

CREATE INDEX case_files_by_state ON case_files (state, updated_at, case_id);
