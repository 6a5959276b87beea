-- What waits in each case for a role (审批待办): a step of the case's procedure, a party's
-- request to read or copy, an approval of a document — rows by their source in the case,
-- written with the entries that open and close them. `roles` lists who takes it (`,code,`).
CREATE TABLE case_tasks (
    case_id  TEXT NOT NULL,
    source   TEXT NOT NULL,
    n        INTEGER NOT NULL,
    roles    TEXT NOT NULL,
    task     TEXT NOT NULL,
    command  TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (case_id, source, n)
) STRICT;
