-- The device registry and each device's ledger (办法第二十四条) as typed tables, in place of one
-- setting per device holding its whole history: a device command reads the device's row (its
-- state), never its ledger; R-149d asks who held a device at a time by reading its ledger
-- backwards from the newest line; the ledger pages by its line number. A database migrated
-- from before these typed tables has its projections rebuilt from the log (REBUILD_BEFORE).
CREATE TABLE devices (
    number TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    holder TEXT NOT NULL,
    data TEXT NOT NULL,
    events INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX devices_status ON devices (status, number);
CREATE INDEX devices_holder ON devices (holder, number);

CREATE TABLE device_events (
    device TEXT NOT NULL,
    n INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (device, n)
);
