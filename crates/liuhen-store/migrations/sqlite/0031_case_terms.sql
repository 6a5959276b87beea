-- A trigram index of each case's number, party's name and matter (案由), kept by triggers as
-- the cases change: a search of three characters or more (a full name, a case number, a
-- cause) is a lookup of the cases that hold it, not a pass over every case. Exact, as instr()
-- is: case-sensitive, and a phrase of consecutive trigrams is the substring itself. Not a
-- record: an index of the cases' columns, rebuilt with them; every open checks it against the
-- cases and rebuilds it if it differs (a change made outside liuhen), saying so.
CREATE VIRTUAL TABLE case_terms USING fts5(
    case_no, party, matter,
    content = 'cases', content_rowid = 'rowid',
    tokenize = 'trigram case_sensitive 1', columnsize = 0
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
