-- 办法第二十三条: each on-site act that had to be recorded whole and has no recording linked is
-- a deadline of its case (`T-AV`, 24 hours from the act), naming its record; the overdue
-- recordings are a range of the index by code and due time.
ALTER TABLE case_deadlines ADD COLUMN record TEXT NOT NULL DEFAULT '';
CREATE INDEX case_deadlines_by_code ON case_deadlines (code, due_at, case_id, n);
