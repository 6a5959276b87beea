-- The device registry and each device's ledger (办法第二十四条) as typed tables, in place of one
-- setting per device holding its whole history: a device command reads the device's row (its
-- state), never its ledger; R-149d asks who held a device at a time by reading its ledger
-- backwards from the newest line; the ledger pages by its line number.
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

-- The rows the settings held, moved: the device as its last entry left it, and its history a
-- line at a time (what a rebuild from the log computes; `liuhen verify --data` compares them).
INSERT INTO devices (number, status, holder, data, events, updated_at, version)
SELECT substr(key, 8),
       json_extract(data, '$.device.status'),
       coalesce(json_extract(data, '$.device.holder'), ''),
       json_extract(data, '$.device'),
       json_array_length(data, '$.history'),
       updated_at,
       version
FROM settings WHERE key >= 'device/' AND key < 'device0';

INSERT INTO device_events (device, n, kind, at, actor, data)
SELECT substr(s.key, 8),
       CAST(h.key AS INTEGER),
       json_extract(h.value, '$.event.type'),
       coalesce(json_extract(h.value, '$.event.at'), json_extract(h.value, '$.recorded_at')),
       json_extract(h.value, '$.actor'),
       json_extract(h.value, '$.event')
FROM settings s, json_each(s.data, '$.history') h WHERE s.key >= 'device/' AND s.key < 'device0';

DELETE FROM settings WHERE key >= 'device/' AND key < 'device0';
