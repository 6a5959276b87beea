-- The recordings list pages newest first (办法第二十四条 分类存储 searches it): a keyset range
-- of (created_at, id), all recordings or one case's, never a sort of the whole table.
CREATE INDEX recordings_by_time ON recordings (created_at DESC, id);
CREATE INDEX recordings_case_by_time ON recordings (case_id, created_at DESC, id);
