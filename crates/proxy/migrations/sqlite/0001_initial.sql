-- The proxy's own database (<data dir>/proxy.sqlite): users, sessions, sign-in flows, encrypted
-- tokens and idempotency records. `IF NOT EXISTS` because databases created before migrations
-- were introduced already hold these tables.
CREATE TABLE IF NOT EXISTS auth_users (
    id TEXT PRIMARY KEY,
    email TEXT,
    name TEXT,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_sessions (
    handle_hash BLOB PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES auth_users(id),
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS auth_sessions_user ON auth_sessions(user_id);
CREATE TABLE IF NOT EXISTS auth_flows (
    id TEXT PRIMARY KEY,
    state_hash BLOB NOT NULL UNIQUE,
    verifier_ct BLOB NOT NULL,
    origin TEXT NOT NULL,
    return_to TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    user_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE TABLE IF NOT EXISTS auth_flow_handles (
    flow_id TEXT PRIMARY KEY REFERENCES auth_flows(id) ON DELETE CASCADE,
    handle_ct BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_tokens (
    user_id TEXT PRIMARY KEY REFERENCES auth_users(id),
    access_ct BLOB NOT NULL,
    refresh_ct BLOB,
    expires_at INTEGER NOT NULL,
    scope TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    client_request_id TEXT NOT NULL,
    response TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
