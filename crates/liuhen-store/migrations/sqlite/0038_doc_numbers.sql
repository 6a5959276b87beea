-- The register of 文号 (发文登记): each number given — by a case event (a decision, a 移送书) or
-- by issuing a document — a row, naming the case and the document that hold it, and its place
-- in its series (a pattern in one year) when it is one. A number is given once (its key); the
-- next of a series is one more than the highest the series' index holds. In place of a setting
-- a number and a setting a series. A database migrated from before this has its projections
-- rebuilt from the log (REBUILD_BEFORE).
CREATE TABLE doc_numbers (
    doc_no TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    document TEXT NOT NULL,
    series TEXT,
    n INTEGER,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
) STRICT;

CREATE INDEX doc_numbers_by_series ON doc_numbers (series, n) WHERE series IS NOT NULL;
