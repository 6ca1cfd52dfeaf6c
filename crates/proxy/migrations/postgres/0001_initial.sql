-- The proxy's own database on PostgreSQL: users, sessions, sign-in flows, encrypted tokens and
-- idempotency records, shared by every proxy process pointed at it. Same tables and columns as
-- the SQLite schema (migrations/sqlite), so one set of statements serves both.
CREATE TABLE auth_users (
    id TEXT PRIMARY KEY,
    email TEXT,
    name TEXT,
    updated_at BIGINT NOT NULL
);
CREATE TABLE auth_sessions (
    handle_hash BYTEA PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES auth_users(id),
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    -- thumbprint of the widget's key the session is bound to
    dpop_jkt TEXT
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);
-- Live sessions, per user (sign-out) and in all (metrics).
CREATE INDEX auth_sessions_live ON auth_sessions(user_id) WHERE revoked_at IS NULL;
CREATE TABLE auth_flows (
    id TEXT PRIMARY KEY,
    secret_hash BYTEA NOT NULL,
    origin TEXT NOT NULL,
    return_to TEXT,
    dpop_jkt TEXT,
    binding_hash BYTEA,
    state_hash BYTEA UNIQUE,
    verifier_ct BYTEA,
    nonce_hash BYTEA,
    status TEXT NOT NULL,
    reason TEXT,
    user_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT
);
-- The sweeper's two questions: which open flows have expired, which ended flows are old.
CREATE INDEX auth_flows_open ON auth_flows(expires_at) WHERE ended_at IS NULL;
CREATE INDEX auth_flows_ended ON auth_flows(ended_at) WHERE ended_at IS NOT NULL;
CREATE TABLE auth_flow_handles (
    flow_id TEXT PRIMARY KEY REFERENCES auth_flows(id) ON DELETE CASCADE,
    handle_ct BYTEA NOT NULL
);
CREATE TABLE auth_meta (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE auth_tokens (
    user_id TEXT PRIMARY KEY REFERENCES auth_users(id),
    access_ct BYTEA NOT NULL,
    refresh_ct BYTEA,
    expires_at BIGINT NOT NULL,
    scope TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    client_request_id TEXT NOT NULL,
    response TEXT,
    -- RFC 3339, UTC (as on SQLite)
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
-- DPoP proofs seen (SHA-256 of "<key thumbprint> <jti>"), until they are stale: a proof
-- accepted by one process is refused by every other. Swept every minute.
CREATE TABLE dpop_proofs (
    proof_hash BYTEA PRIMARY KEY,
    usable_until BIGINT NOT NULL
);
CREATE INDEX dpop_proofs_stale ON dpop_proofs(usable_until);
