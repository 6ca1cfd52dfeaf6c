-- The development sign-in server's database (dev-auth.sqlite). `IF NOT EXISTS`: databases made
-- before these migrations already hold the same tables.

-- Issued access and refresh tokens, by SHA-256 (never the token itself).
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

-- ID token signing keys (ES256, PKCS#8), published at jwks.
CREATE TABLE IF NOT EXISTS dev_signing_keys (
    kid TEXT PRIMARY KEY,
    pkcs8 BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
