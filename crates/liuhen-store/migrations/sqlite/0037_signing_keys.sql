-- Each signer's SM2 keys (电子签名法第十三条), a row a key, in place of one setting a signer: a
-- signature's key is found by its id (the primary key), a signer's keys by a range of the index
-- by user — never a pass over every signer. The current key's row carries its private half,
-- wrapped under its holder's password; a signer has one current key at most (two first
-- signatures at once make one key, the other finds it). A database migrated from before this
-- has its projections rebuilt from the log (REBUILD_BEFORE).
CREATE TABLE signing_keys (
    key_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    current INTEGER NOT NULL,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
) STRICT;

CREATE INDEX signing_keys_by_user ON signing_keys (user_id, key_id);

CREATE UNIQUE INDEX signing_keys_current ON signing_keys (user_id) WHERE current = 1;
