-- What the case list filters and searches on, kept with each case as its entries are applied
-- (access-controlled like the case; never in the log): the party's name and the officers who
-- handle it (`,id,` each), and indexes for the list's filters, newest change first.
-- Rows kept from before this migration carry '' until `liuhen rebuild` (`liuhen verify` names them).
ALTER TABLE cases ADD COLUMN party TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN officers TEXT NOT NULL DEFAULT '';
DROP INDEX cases_by_update;
CREATE INDEX cases_by_update ON cases (updated_at DESC, id DESC);
CREATE INDEX cases_by_type ON cases (case_type, updated_at DESC, id DESC);
CREATE INDEX cases_by_unit ON cases (unit, updated_at DESC, id DESC);
CREATE INDEX cases_by_opener ON cases (opened_by, updated_at DESC, id DESC);
