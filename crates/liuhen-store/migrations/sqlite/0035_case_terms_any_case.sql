-- The cases' search finds a Latin name or number whatever its case ("abc" finds "ABC贸易有限公司",
-- "ww" a case number with "WW"): the trigram index made again folding case (FTS5's own
-- folding, Unicode's), its triggers with it, and rebuilt from the cases. A search of one or two
-- characters folds ASCII case the same way (lower() on both sides, in the cases' covering index).
DROP TRIGGER case_terms_insert;
DROP TRIGGER case_terms_delete;
DROP TRIGGER case_terms_update;
DROP TABLE case_terms;

CREATE VIRTUAL TABLE case_terms USING fts5(
    case_no, party, matter,
    content = 'cases', content_rowid = 'rowid',
    tokenize = 'trigram case_sensitive 0', columnsize = 0
);

CREATE TRIGGER case_terms_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_terms (rowid, case_no, party, matter) VALUES (new.rowid, new.case_no, new.party, new.matter);
END;

CREATE TRIGGER case_terms_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_terms (case_terms, rowid, case_no, party, matter)
    VALUES ('delete', old.rowid, old.case_no, old.party, old.matter);
END;

CREATE TRIGGER case_terms_update AFTER UPDATE OF case_no, party, matter ON cases
WHEN old.case_no IS NOT new.case_no OR old.party IS NOT new.party OR old.matter IS NOT new.matter BEGIN
    INSERT INTO case_terms (case_terms, rowid, case_no, party, matter)
    VALUES ('delete', old.rowid, old.case_no, old.party, old.matter);
    INSERT INTO case_terms (rowid, case_no, party, matter) VALUES (new.rowid, new.case_no, new.party, new.matter);
END;

INSERT INTO case_terms (case_terms) VALUES ('rebuild');
