-- 音像记录 (办法第十八条至第二十三条): one row per stored recording, its blob by SHA-256, the
-- case it belongs to (empty until linked), and the application's JSON of the rest.
CREATE TABLE recordings (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    case_id TEXT NOT NULL DEFAULT '',
    uploaded_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX recordings_case ON recordings (case_id);
CREATE INDEX recordings_sha256 ON recordings (sha256);
