-- The open deadlines of each case (its periods not yet met, and its 公示 to publish or
-- withdraw), kept as its entries are applied: the deadline list is a range of the index by due
-- time, never a pass over every case. A deadline the calendar cannot compute has no due time.
CREATE TABLE case_deadlines (
    case_id TEXT NOT NULL,
    n       INTEGER NOT NULL,
    code    TEXT NOT NULL,
    label   TEXT NOT NULL,
    source  TEXT NOT NULL,
    due_at  INTEGER,
    PRIMARY KEY (case_id, n)
) STRICT;
CREATE INDEX case_deadlines_by_due ON case_deadlines (due_at, case_id, n);
