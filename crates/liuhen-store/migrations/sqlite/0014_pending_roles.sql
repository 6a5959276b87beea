-- Separation of duties (等保三员分立): roles that see case content, granted by the 系统管理员,
-- wait here (comma-separated codes) until a 负责人 other than the account approves them; only
-- `role` is in force. A projection like the rest: rebuilt from `user.create` and
-- `user.grant_decided` entries.
ALTER TABLE users ADD COLUMN pending_roles TEXT NOT NULL DEFAULT '';
