-- The recordings search by a case's party or cause (办法第二十四条) finds the matching cases
-- first: a scan of this small covering index (the party's name, the matter and the id), never
-- of the cases' rows, which carry each case's whole JSON.
CREATE INDEX cases_search ON cases (party, matter, id);
