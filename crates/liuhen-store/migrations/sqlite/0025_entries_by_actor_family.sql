-- A user's access ledger among all they did: the log's entries by actor and by the family of
-- their action (`access.`, `party_access.`: the action up to its first dot), newest first — a
-- range per family, so an officer's thousands of commands are never read to find their views.
CREATE INDEX log_entries_by_actor_family ON log_entries (
    json_extract(CAST(data AS TEXT), '$.actor'),
    substr(json_extract(CAST(data AS TEXT), '$.action'), 1, instr(json_extract(CAST(data AS TEXT), '$.action'), '.')),
    idx
);
