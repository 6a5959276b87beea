-- Failed sign-ins per account and per client address (办法第五条: sign-in attempts are security
-- evidence; lockouts must survive a restart). Operational state, not a record: each failure
-- below the caps is its own log entry, attempts refused while locked are summed here and
-- logged as one summary per window. `key` is `account:<SHA-256 of the name typed>` or
-- `source:<address or /64>`.
CREATE TABLE throttle (
    key            TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    first_at       INTEGER NOT NULL,
    locked_until   INTEGER NOT NULL,
    refused        INTEGER NOT NULL DEFAULT 0,
    refused_first  INTEGER NOT NULL DEFAULT 0,
    refused_last   INTEGER NOT NULL DEFAULT 0
) STRICT;
