-- A case's documents (settings `document/<id>` whose data names their `case`) are a range of an
-- index by case, never a scan of every document of the office.
CREATE INDEX settings_by_case ON settings (json_extract(data, '$.case'), key);
