-- A recording's fingerprint (SHA-256 of its size and its first and last 64 KiB), asked for by
-- `liuhen import` before it sends a file: an index on the JSON field the application writes.
CREATE INDEX recordings_fingerprint ON recordings (json_extract(data, '$.fingerprint'));
