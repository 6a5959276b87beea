-- The name an account's steps are recorded under when it belongs to no officer (a 负责人 or a
-- 集体讨论成员 with no 执法证): what the administrator typed, kept behind the `user.create`
-- entry's account commitment like the username. Empty: the username stands.
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
