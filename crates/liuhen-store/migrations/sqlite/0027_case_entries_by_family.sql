-- A case's access ledger among everything done on it: the log's entries by case and by the
-- family of their action (`access.`, `party_access.`), in order — a range per family, so a case
-- viewed ten thousand times pages its ledger without reading its commands, nor they its views.
CREATE INDEX log_entries_by_case_family ON log_entries (
    case_id,
    substr(json_extract(CAST(data AS TEXT), '$.action'), 1, instr(json_extract(CAST(data AS TEXT), '$.action'), '.')),
    idx
) WHERE case_id IS NOT NULL;
