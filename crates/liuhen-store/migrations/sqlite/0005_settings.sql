-- Office-wide settings (the agency profile…): one JSON document per key, each change a log entry.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
