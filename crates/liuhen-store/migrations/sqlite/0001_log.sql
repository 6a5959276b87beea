-- The tamper-evident log and what its entries commit to. Rows are only ever inserted;
-- triggers refuse UPDATE and DELETE (办法第二十六条: 不得擅自毁损、删除、修改).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per log entry: its index, its canonical bytes and its leaf hash
-- SHA-256(0x00 || data) as computed when it was recorded.
CREATE TABLE log_entries (
    idx     INTEGER PRIMARY KEY,
    data    BLOB NOT NULL,
    leaf    BLOB NOT NULL,
    case_id TEXT
) STRICT;
CREATE INDEX log_entries_by_case ON log_entries (case_id, idx) WHERE case_id IS NOT NULL;

-- Full C2SP tiles (256 hashes); the rightmost partial tile of each level follows from the
-- entries' leaf hashes and the full tiles below it.
CREATE TABLE log_tiles (
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hashes BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

-- Every checkpoint the log signed, as the signed note text.
CREATE TABLE log_checkpoints (
    size      INTEGER PRIMARY KEY,
    root      BLOB NOT NULL,
    note      TEXT NOT NULL,
    signed_at INTEGER NOT NULL
) STRICT;

-- The content behind each salted commitment an entry carries (access-controlled).
CREATE TABLE openings (
    commitment BLOB PRIMARY KEY,
    salt       BLOB NOT NULL,
    content    BLOB NOT NULL
) STRICT;

-- Blobs the log refers to (bytes live in the blob store, keyed by SHA-256).
CREATE TABLE blobs (
    sha256 BLOB PRIMARY KEY,
    size   INTEGER NOT NULL
) STRICT;

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log entries are append-only'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log entries are append-only'); END;
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER log_tiles_no_update BEFORE UPDATE ON log_tiles
BEGIN SELECT RAISE(ABORT, 'tiles are append-only'); END;
CREATE TRIGGER log_tiles_no_delete BEFORE DELETE ON log_tiles
BEGIN SELECT RAISE(ABORT, 'tiles are append-only'); END;
CREATE TRIGGER openings_no_update BEFORE UPDATE ON openings
BEGIN SELECT RAISE(ABORT, 'openings are append-only'); END;
CREATE TRIGGER openings_no_delete BEFORE DELETE ON openings
BEGIN SELECT RAISE(ABORT, 'openings are append-only'); END;
