-- A case's documents (文书, 办法第十一条–第十七条) as a typed table, in place of settings
-- `document/<id>`: what a document is (its catalogue code), where it is (its state) and whether
-- a correction replaced it are columns; a case's documents, or those of one code, are a range
-- of an index by case. `data` keeps the document's events as the application folds them. A
-- database migrated from before this has its projections rebuilt from the log
-- (REBUILD_BEFORE), which fills it.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    code TEXT NOT NULL,
    state TEXT NOT NULL,
    superseded_by TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX documents_by_case ON documents (case_id, id);
CREATE INDEX documents_by_case_code ON documents (case_id, code, id);

DROP INDEX settings_by_case;
