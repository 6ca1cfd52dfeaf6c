//! What the authorization module keeps: users, sessions, flows and tokens.
//!
//! The store only ever sees hashes (session handles, OAuth states) and ciphertexts (tokens,
//! PKCE verifiers, not-yet-delivered session handles): encryption happens in the service, with
//! a key the database never holds. [`TokenStore`] is the seam; [`crate::store::SqlStore`]
//! implements it on SQLite (tables `auth_*` in `<data_dir>/proxy.sqlite`) and PostgreSQL.

#[derive(Debug, thiserror::Error)]
#[error("token store: {0}")]
pub struct StoreError(String);

impl StoreError {
    pub fn new(message: impl Into<String>) -> Self {
        StoreError(message.into())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError(format!("migrating the database: {e}"))
    }
}

/// Held while a user's tokens are refreshed or replaced: across every proxy process sharing
/// the database, one holder per user at a time (released when dropped).
#[derive(Default)]
pub struct UserLock(#[allow(dead_code)] Option<Box<dyn Send>>);

impl UserLock {
    pub fn held(guard: impl Send + 'static) -> Self {
        UserLock(Some(Box::new(guard)))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    /// The authorization server's stable subject (`sub`).
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

impl UserRecord {
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| self.email.clone())
            .unwrap_or_else(|| self.id.clone())
    }
}

#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user: UserRecord,
    /// The embedding origin the handle was issued to; requests must come from it.
    pub origin: String,
    pub created_at: i64,
    /// The proof-of-possession key every request with this session must prove.
    pub dpop_jkt: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowStatus {
    Pending,
    /// The callback claimed the state and is exchanging the code (states are single-use).
    Exchanging,
    Done,
    Denied,
    Expired,
    Failed,
}

impl FlowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowStatus::Pending => "pending",
            FlowStatus::Exchanging => "exchanging",
            FlowStatus::Done => "done",
            FlowStatus::Denied => "denied",
            FlowStatus::Expired => "expired",
            FlowStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> StoreResult<Self> {
        Ok(match s {
            "pending" => FlowStatus::Pending,
            "exchanging" => FlowStatus::Exchanging,
            "done" => FlowStatus::Done,
            "denied" => FlowStatus::Denied,
            "expired" => FlowStatus::Expired,
            "failed" => FlowStatus::Failed,
            other => {
                return Err(StoreError(format!(
                    "unknown flow status '{other}' in the database"
                )));
            }
        })
    }

    pub fn is_final(self) -> bool {
        !matches!(self, FlowStatus::Pending | FlowStatus::Exchanging)
    }
}

#[derive(Clone, Debug)]
pub struct NewFlow {
    pub id: String,
    /// SHA-256 of the secret the widget that started the flow keeps.
    pub secret_hash: Vec<u8>,
    pub origin: String,
    pub return_to: Option<String>,
    /// Thumbprint of the widget's proof-of-possession key, when it sent a proof.
    pub dpop_jkt: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What binding a flow to the browser that proved its secret records.
#[derive(Clone, Debug)]
pub struct FlowBinding {
    /// SHA-256 of the binding cookie's value.
    pub binding_hash: Vec<u8>,
    pub state_hash: Vec<u8>,
    pub verifier_ct: Vec<u8>,
    pub nonce_hash: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct FlowRecord {
    pub id: String,
    pub secret_hash: Vec<u8>,
    pub origin: String,
    pub return_to: Option<String>,
    pub dpop_jkt: Option<String>,
    /// Set once the browser proved the flow's secret (see [`FlowBinding`]).
    pub binding_hash: Option<Vec<u8>>,
    pub status: FlowStatus,
    pub reason: Option<String>,
    pub user_id: Option<String>,
    pub verifier_ct: Option<Vec<u8>>,
    pub nonce_hash: Option<Vec<u8>>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl FlowRecord {
    /// Full-page sign-in: the handle goes back in the redirect, never through polling.
    pub fn is_redirect(&self) -> bool {
        self.return_to.is_some()
    }
}

/// Encrypted tokens of one user. `version` increases on every write (optimistic concurrency
/// for stores shared by several proxy processes).
#[derive(Clone, Debug)]
pub struct StoredTokens {
    pub user_id: String,
    pub access_ct: Vec<u8>,
    pub refresh_ct: Option<Vec<u8>>,
    /// Unix seconds.
    pub expires_at: i64,
    pub scope: String,
    pub version: i64,
}

/// Everything a successful callback writes, in one transaction.
#[derive(Clone, Debug)]
pub struct CompletedFlow {
    pub flow_id: String,
    pub user: UserRecord,
    pub tokens: StoredTokens,
    pub session_hash: Vec<u8>,
    pub session_origin: String,
    pub session_jkt: Option<String>,
    /// The new session handle, encrypted, until the flow's creator collects it by polling;
    /// `None` for full-page sign-ins, whose handle travels in the final redirect.
    pub handle_ct: Option<Vec<u8>>,
    pub now: i64,
}

#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + 'static {
    async fn user(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// A session that has not been revoked, with its user.
    async fn session(&self, hash: &[u8]) -> StoreResult<Option<SessionRecord>>;
    /// True when a live session was revoked.
    async fn revoke_session(&self, hash: &[u8], now: i64) -> StoreResult<bool>;
    async fn count_live_sessions(&self, user_id: &str) -> StoreResult<i64>;
    /// Live sessions of every user (metrics).
    async fn count_all_live_sessions(&self) -> StoreResult<i64>;

    async fn insert_flow(&self, flow: &NewFlow) -> StoreResult<()>;
    /// How many flows have not ended yet (the flow table's bound).
    async fn count_open_flows(&self) -> StoreResult<i64>;
    /// How many flows have not ended and are still unexpired at `now` (metrics).
    async fn count_unexpired_flows(&self, now: i64) -> StoreResult<i64>;
    async fn flow(&self, id: &str) -> StoreResult<Option<FlowRecord>>;
    /// Binds a pending, not yet bound, unexpired flow (once); false when it cannot be bound.
    async fn bind_flow(&self, id: &str, binding: &FlowBinding, now: i64) -> StoreResult<bool>;
    /// The pending, bound flow this OAuth state belongs to, if any (read only).
    async fn flow_by_state(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>>;
    /// Atomically moves the pending bound flow with this state to `exchanging` and returns it;
    /// `None` when no pending flow has it (unknown state, or already used).
    async fn claim_flow(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>>;
    /// Ends an unfinished flow (not `done`: see [`TokenStore::complete_flow`]). False if it
    /// had already ended.
    async fn end_flow(
        &self,
        id: &str,
        status: FlowStatus,
        reason: Option<&str>,
        now: i64,
    ) -> StoreResult<bool>;
    /// Stores user, tokens and session and marks the flow done, all or nothing.
    async fn complete_flow(&self, done: &CompletedFlow) -> StoreResult<()>;
    /// Hands out the encrypted session handle of a done flow, once.
    async fn take_flow_handle(&self, id: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Marks unfinished flows past their expiry as expired and deletes ended flows older than
    /// `forget_before`.
    async fn sweep_flows(&self, now: i64, forget_before: i64) -> StoreResult<()>;

    async fn tokens(&self, user_id: &str) -> StoreResult<Option<StoredTokens>>;
    /// Replaces the user's tokens after a refresh if nobody else changed them since
    /// `expected_version` (one transaction: a rotated refresh token is never half-saved).
    async fn rotate_tokens(&self, new: &StoredTokens, expected_version: i64) -> StoreResult<bool>;
    async fn delete_tokens(&self, user_id: &str) -> StoreResult<()>;

    /// The stored key check (a ciphertext of a constant under the token key), if any.
    async fn key_check(&self) -> StoreResult<Option<Vec<u8>>>;
    /// Records the key check; with `forget_tokens`, first drops every stored token and
    /// undelivered session handle (they were sealed with another key). One transaction.
    async fn reset_key_check(&self, check: &[u8], forget_tokens: bool) -> StoreResult<()>;

    /// Records a DPoP proof (hash of key thumbprint and `jti`) until it is stale; false when
    /// another process sharing the database has seen it (a replay). Stores no other process
    /// can share answer true without recording: the in-process memory covers them.
    async fn remember_proof(&self, proof_hash: &[u8], usable_until: i64) -> StoreResult<bool>;
    /// Forgets recorded proofs stale before `now`.
    async fn forget_proofs(&self, now: i64) -> StoreResult<()>;

    /// Waits until no other process holds `user_id`'s lock, then holds it (see [`UserLock`]).
    async fn lock_user(&self, user_id: &str) -> StoreResult<UserLock>;
    /// Ids of flows that ended in other processes sharing the database, as they end; `None`
    /// when no other process can share it.
    async fn flow_endings(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<String>>>;
}
