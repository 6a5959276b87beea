-- Who may see what (issue 4): a user's link to an officer and their 承办机构; a case's opener
-- and the unit it belongs to. `users.role` holds one or more role codes, comma-separated.
ALTER TABLE users ADD COLUMN officer_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN unit TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN opened_by TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN unit TEXT NOT NULL DEFAULT '';
