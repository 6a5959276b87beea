-- From now on every sign-in logs its session token's SHA-256, and `liuhen verify` checks each
-- live session against the entry that created it. Sign-in sessions made before carry no such
-- entry: they end here (everyone signs in again). API tokens were always logged with theirs.
UPDATE sessions SET expires_at = MIN(expires_at, 0) WHERE name = '';
