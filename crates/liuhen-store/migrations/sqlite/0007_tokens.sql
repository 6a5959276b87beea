-- API tokens (for the CLI and devices) are sessions with a name and a longer life; sign-in
-- sessions have an empty name.
ALTER TABLE sessions ADD COLUMN name TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE name <> '';
