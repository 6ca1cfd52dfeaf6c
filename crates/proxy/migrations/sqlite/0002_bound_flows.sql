-- Sign-in flows bound to the browser that started them.
--
-- A flow now starts with only the hash of a secret the widget keeps; the OAuth state, PKCE
-- verifier and OIDC nonce are made when the widget's popup (or page) proves that secret and
-- the proxy sets the browser's binding cookie, whose hash is kept here. Flows live minutes, so
-- the old table is dropped rather than converted: a sign-in in progress during the upgrade
-- starts again.
DROP TABLE IF EXISTS auth_flow_handles;
DROP TABLE IF EXISTS auth_flows;
CREATE TABLE auth_flows (
    id TEXT PRIMARY KEY,
    secret_hash BLOB NOT NULL,
    origin TEXT NOT NULL,
    -- set: full-page sign-in, the handle goes back in the redirect to this URL
    return_to TEXT,
    -- thumbprint of the key the widget proves possession of; the session is bound to it
    dpop_jkt TEXT,
    binding_hash BLOB,
    state_hash BLOB UNIQUE,
    verifier_ct BLOB,
    nonce_hash BLOB,
    status TEXT NOT NULL,
    reason TEXT,
    user_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER
);
-- The sweeper's two questions: which open flows have expired, which ended flows are old.
CREATE INDEX auth_flows_open ON auth_flows(expires_at) WHERE ended_at IS NULL;
CREATE INDEX auth_flows_ended ON auth_flows(ended_at) WHERE ended_at IS NOT NULL;
CREATE TABLE auth_flow_handles (
    flow_id TEXT PRIMARY KEY REFERENCES auth_flows(id) ON DELETE CASCADE,
    handle_ct BLOB NOT NULL
);
-- Sessions are bound to the widget's key; sessions from before have none and are refused.
ALTER TABLE auth_sessions ADD COLUMN dpop_jkt TEXT;
