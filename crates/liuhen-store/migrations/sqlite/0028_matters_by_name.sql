-- A matter of the 权责清单 by its name as a case names it (trimmed): a case's matter is looked up
-- on every command that asks what the matter demands (whole recording, hearing thresholds),
-- never by reading the whole list.
CREATE INDEX matters_by_name ON matters (trim(name));
