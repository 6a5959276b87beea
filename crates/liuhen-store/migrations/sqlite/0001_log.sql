-- The tamper-evident log and what its entries commit to. Rows are only ever inserted;
-- triggers refuse UPDATE and DELETE (办法第二十六条: 不得擅自毁损、删除、修改).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per log entry: its index and its canonical bytes (the leaf is SHA-256(0x00 || data)).
CREATE TABLE log_entries (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
) STRICT;

-- C2SP tiles: level, index and the concatenated hashes (up to 256 x 32 bytes). The rightmost
-- tile of a level grows; an update may only extend it.
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
CREATE TRIGGER log_tiles_only_extend BEFORE UPDATE ON log_tiles
WHEN substr(NEW.hashes, 1, length(OLD.hashes)) IS NOT OLD.hashes
  OR NEW.level IS NOT OLD.level OR NEW.idx IS NOT OLD.idx
BEGIN SELECT RAISE(ABORT, 'tiles may only grow'); END;
CREATE TRIGGER log_tiles_no_delete BEFORE DELETE ON log_tiles
BEGIN SELECT RAISE(ABORT, 'tiles are append-only'); END;
CREATE TRIGGER openings_no_update BEFORE UPDATE ON openings
BEGIN SELECT RAISE(ABORT, 'openings are append-only'); END;
CREATE TRIGGER openings_no_delete BEFORE DELETE ON openings
BEGIN SELECT RAISE(ABORT, 'openings are append-only'); END;
