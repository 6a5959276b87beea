-- Officers and cases (projections: every change is a log entry that records it).
CREATE TABLE officers (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    cert_no         TEXT NOT NULL UNIQUE,
    cert_valid_from TEXT NOT NULL,
    cert_valid_to   TEXT NOT NULL,
    cert_status     TEXT NOT NULL,
    -- Comma-separated kinds of enforcement the certificate covers (执法类别).
    cert_scope      TEXT NOT NULL,
    -- 法律职业资格 (1 or 0).
    legal_qualification INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    case_no    TEXT NOT NULL UNIQUE,
    case_type  TEXT NOT NULL,
    state      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    matter     TEXT NOT NULL,
    opened_at  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- The aggregate as the application reads it (JSON), rebuilt from the log.
    data       TEXT NOT NULL
) STRICT;
CREATE INDEX cases_by_update ON cases (updated_at DESC);
