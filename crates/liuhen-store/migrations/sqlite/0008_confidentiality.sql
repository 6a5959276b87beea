-- A case's confidentiality class (公开 public, 内部 internal, 商业秘密 commercial_secret,
-- 个人隐私 personal_privacy); 国家秘密 material is never stored here.
ALTER TABLE cases ADD COLUMN confidentiality TEXT NOT NULL DEFAULT 'internal';
