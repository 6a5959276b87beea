-- The office's 权责清单 (projection: every change is a log entry).
CREATE TABLE matters (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
