-- Staff accounts (projection; every change is a log entry).
CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    role                 TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL,
    created_at           INTEGER NOT NULL
) STRICT;

-- Signed-in sessions and API tokens: only the SHA-256 of the secret is kept.
CREATE TABLE sessions (
    token_sha256 BLOB PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;
