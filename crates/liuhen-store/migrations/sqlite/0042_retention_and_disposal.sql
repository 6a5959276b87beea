-- 保管期限 and 销毁 (办法第二十四条、第二十六条): the filed files by the day their retention runs
-- out (`filed.keep_until` in a file's data; none for 永久), and the recordings in disposal by
-- its state and the time it was asked for — each list a range of an index. A database migrated
-- from before this has its projections rebuilt from the log (REBUILD_BEFORE): the fold now
-- writes both fields.
CREATE INDEX case_files_by_keep_until ON case_files (json_extract(data, '$.filed.keep_until'), case_id)
    WHERE state = 'filed';
CREATE INDEX recordings_by_disposal
    ON recordings (json_extract(data, '$.disposal.state'), json_extract(data, '$.disposal.requested.at'), id)
    WHERE json_extract(data, '$.disposal.state') IS NOT NULL;
