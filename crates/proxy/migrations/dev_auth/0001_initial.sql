-- The development sign-in server's database (<data dir>/dev-auth.sqlite): issued tokens and the
-- ID token signing keys. `IF NOT EXISTS` because databases created before migrations were
-- introduced already hold these tables.
CREATE TABLE IF NOT EXISTS dev_tokens (
    token_hash BLOB PRIMARY KEY,
    kind TEXT NOT NULL,
    sub TEXT NOT NULL,
    scope TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    expires_at INTEGER,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS dev_tokens_grant ON dev_tokens(grant_id);
CREATE INDEX IF NOT EXISTS dev_tokens_sub ON dev_tokens(sub);
CREATE TABLE IF NOT EXISTS dev_signing_keys (
    kid TEXT PRIMARY KEY,
    pkcs8 BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
