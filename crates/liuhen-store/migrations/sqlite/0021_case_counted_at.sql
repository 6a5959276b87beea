-- When a case took the decision the annual figures count (R-171: by decision date), kept with
-- the case; NULL until it did. The year's figures are a range of its index.
ALTER TABLE cases ADD COLUMN counted_at INTEGER;
CREATE INDEX cases_by_counted ON cases (counted_at) WHERE counted_at IS NOT NULL;
