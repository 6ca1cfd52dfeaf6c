//! Persistence of users, sessions, flows and tokens.
//!
//! The store only ever sees hashes (session handles, OAuth states) and ciphertexts (tokens,
//! PKCE verifiers, not-yet-delivered session handles): encryption happens in the service, with
//! a key the database never holds. [`TokenStore`] is the seam for a PostgreSQL implementation;
//! [`SqliteStore`] is the default (tables `auth_*` in `<data_dir>/proxy.sqlite`).

use std::str::FromStr;

use sqlx::Row as _;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};

#[derive(Debug, thiserror::Error)]
#[error("token store: {0}")]
pub struct StoreError(String);

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

    fn parse(s: &str) -> StoreResult<Self> {
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
}

/// SQLite implementation.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Uses an open pool (the proxy's `proxy.sqlite`), creating the `auth_*` tables if needed.
    pub async fn new(pool: SqlitePool) -> StoreResult<Self> {
        crate::db::migrate_proxy(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// In-memory database (unit tests).
    pub async fn in_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to ":memory:" is its own database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Self::new(pool).await
    }
}

fn flow_from_row(row: &SqliteRow) -> StoreResult<FlowRecord> {
    Ok(FlowRecord {
        id: row.try_get("id")?,
        secret_hash: row.try_get("secret_hash")?,
        origin: row.try_get("origin")?,
        return_to: row.try_get("return_to")?,
        dpop_jkt: row.try_get("dpop_jkt")?,
        binding_hash: row.try_get("binding_hash")?,
        status: FlowStatus::parse(row.try_get::<&str, _>("status")?)?,
        reason: row.try_get("reason")?,
        user_id: row.try_get("user_id")?,
        verifier_ct: row.try_get("verifier_ct")?,
        nonce_hash: row.try_get("nonce_hash")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

const FLOW_COLUMNS: &str = "id, secret_hash, origin, return_to, dpop_jkt, binding_hash, status, \
     reason, user_id, verifier_ct, nonce_hash, created_at, expires_at";

#[async_trait::async_trait]
impl TokenStore for SqliteStore {
    async fn user(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query("SELECT id, email, name FROM auth_users WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(UserRecord {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
            })
        })
        .transpose()
    }

    async fn session(&self, hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, s.origin, s.created_at, s.dpop_jkt
             FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id
             WHERE s.handle_hash = ? AND s.revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                user: UserRecord {
                    id: r.try_get("id")?,
                    email: r.try_get("email")?,
                    name: r.try_get("name")?,
                },
                origin: r.try_get("origin")?,
                created_at: r.try_get("created_at")?,
                dpop_jkt: r.try_get("dpop_jkt")?,
            })
        })
        .transpose()
    }

    async fn revoke_session(&self, hash: &[u8], now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE auth_sessions SET revoked_at = ? WHERE handle_hash = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(hash)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn count_live_sessions(&self, user_id: &str) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM auth_sessions WHERE user_id = ? AND revoked_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    async fn count_all_live_sessions(&self) -> StoreResult<i64> {
        // Served by the partial index on live sessions.
        let row = sqlx::query("SELECT COUNT(*) AS n FROM auth_sessions WHERE revoked_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn insert_flow(&self, flow: &NewFlow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO auth_flows (id, secret_hash, origin, return_to, dpop_jkt, status, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
        )
        .bind(&flow.id)
        .bind(&flow.secret_hash)
        .bind(&flow.origin)
        .bind(&flow.return_to)
        .bind(&flow.dpop_jkt)
        .bind(flow.created_at)
        .bind(flow.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn count_open_flows(&self) -> StoreResult<i64> {
        // Served by the partial index on open flows.
        let row = sqlx::query("SELECT COUNT(*) AS n FROM auth_flows WHERE ended_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn count_unexpired_flows(&self, now: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM auth_flows WHERE ended_at IS NULL AND expires_at > ?",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    async fn flow(&self, id: &str) -> StoreResult<Option<FlowRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {FLOW_COLUMNS} FROM auth_flows WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(flow_from_row).transpose()
    }

    async fn bind_flow(&self, id: &str, binding: &FlowBinding, now: i64) -> StoreResult<bool> {
        // One statement: of two binding attempts, only the first can succeed.
        let done = sqlx::query(
            "UPDATE auth_flows SET binding_hash = ?, state_hash = ?, verifier_ct = ?, nonce_hash = ?
             WHERE id = ? AND status = 'pending' AND binding_hash IS NULL AND expires_at > ?",
        )
        .bind(&binding.binding_hash)
        .bind(&binding.state_hash)
        .bind(&binding.verifier_ct)
        .bind(&binding.nonce_hash)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn flow_by_state(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {FLOW_COLUMNS} FROM auth_flows
             WHERE state_hash = ? AND status = 'pending' AND binding_hash IS NOT NULL"
        ))
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(flow_from_row).transpose()
    }

    async fn claim_flow(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        // One statement: two callbacks racing with the same state cannot both claim it.
        let row = sqlx::query(&format!(
            "UPDATE auth_flows SET status = 'exchanging'
             WHERE state_hash = ? AND status = 'pending' AND binding_hash IS NOT NULL
             RETURNING {FLOW_COLUMNS}"
        ))
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(flow_from_row).transpose()
    }

    async fn end_flow(
        &self,
        id: &str,
        status: FlowStatus,
        reason: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE auth_flows SET status = ?, reason = ?, verifier_ct = NULL, ended_at = ?
             WHERE id = ? AND status IN ('pending', 'exchanging')",
        )
        .bind(status.as_str())
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn complete_flow(&self, done: &CompletedFlow) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO auth_users (id, email, name, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = excluded.name,
               updated_at = excluded.updated_at",
        )
        .bind(&done.user.id)
        .bind(&done.user.email)
        .bind(&done.user.name)
        .bind(done.now)
        .execute(&mut *tx)
        .await?;
        let t = &done.tokens;
        sqlx::query(
            "INSERT INTO auth_tokens (user_id, access_ct, refresh_ct, expires_at, scope, version, updated_at)
             VALUES (?, ?, ?, ?, ?, 1, ?)
             ON CONFLICT(user_id) DO UPDATE SET access_ct = excluded.access_ct, refresh_ct = excluded.refresh_ct,
               expires_at = excluded.expires_at, scope = excluded.scope, version = auth_tokens.version + 1,
               updated_at = excluded.updated_at",
        )
        .bind(&t.user_id)
        .bind(&t.access_ct)
        .bind(&t.refresh_ct)
        .bind(t.expires_at)
        .bind(&t.scope)
        .bind(done.now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO auth_sessions (handle_hash, user_id, origin, created_at, dpop_jkt)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&done.session_hash)
        .bind(&done.user.id)
        .bind(&done.session_origin)
        .bind(done.now)
        .bind(&done.session_jkt)
        .execute(&mut *tx)
        .await?;
        let flow = sqlx::query(
            "UPDATE auth_flows SET status = 'done', user_id = ?, verifier_ct = NULL, ended_at = ?
             WHERE id = ? AND status = 'exchanging'",
        )
        .bind(&done.user.id)
        .bind(done.now)
        .bind(&done.flow_id)
        .execute(&mut *tx)
        .await?;
        if flow.rows_affected() != 1 {
            // Dropping the transaction rolls everything back.
            return Err(StoreError(format!(
                "flow {} is no longer being completed",
                done.flow_id
            )));
        }
        if let Some(handle_ct) = &done.handle_ct {
            sqlx::query("INSERT INTO auth_flow_handles (flow_id, handle_ct) VALUES (?, ?)")
                .bind(&done.flow_id)
                .bind(handle_ct)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn take_flow_handle(&self, id: &str) -> StoreResult<Option<Vec<u8>>> {
        // DELETE … RETURNING reads and removes in one statement: two pollers cannot both get it.
        let row =
            sqlx::query("DELETE FROM auth_flow_handles WHERE flow_id = ? RETURNING handle_ct")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| r.try_get("handle_ct"))
            .transpose()
            .map_err(Into::into)
    }

    async fn sweep_flows(&self, now: i64, forget_before: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE auth_flows SET status = 'expired', verifier_ct = NULL, ended_at = ?
             WHERE ended_at IS NULL AND expires_at <= ?",
        )
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM auth_flows WHERE ended_at IS NOT NULL AND ended_at < ?")
            .bind(forget_before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn tokens(&self, user_id: &str) -> StoreResult<Option<StoredTokens>> {
        let row = sqlx::query(
            "SELECT user_id, access_ct, refresh_ct, expires_at, scope, version FROM auth_tokens WHERE user_id = ?",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredTokens {
                user_id: r.try_get("user_id")?,
                access_ct: r.try_get("access_ct")?,
                refresh_ct: r.try_get("refresh_ct")?,
                expires_at: r.try_get("expires_at")?,
                scope: r.try_get("scope")?,
                version: r.try_get("version")?,
            })
        })
        .transpose()
    }

    async fn rotate_tokens(&self, new: &StoredTokens, expected_version: i64) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE auth_tokens SET access_ct = ?, refresh_ct = ?, expires_at = ?, scope = ?,
               version = version + 1, updated_at = strftime('%s','now')
             WHERE user_id = ? AND version = ?",
        )
        .bind(&new.access_ct)
        .bind(&new.refresh_ct)
        .bind(new.expires_at)
        .bind(&new.scope)
        .bind(&new.user_id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_tokens(&self, user_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM auth_tokens WHERE user_id = ?")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn key_check(&self) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT value FROM auth_meta WHERE name = 'key_check'")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get("value"))
            .transpose()
            .map_err(Into::into)
    }

    async fn reset_key_check(&self, check: &[u8], forget_tokens: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        if forget_tokens {
            sqlx::query("DELETE FROM auth_tokens")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM auth_flow_handles")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO auth_meta (name, value) VALUES ('key_check', ?)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        )
        .bind(check)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_flow(id: &str) -> NewFlow {
        NewFlow {
            id: id.into(),
            secret_hash: vec![5; 32],
            origin: "https://host.example".into(),
            return_to: None,
            dpop_jkt: Some("jkt".into()),
            created_at: 100,
            expires_at: 700,
        }
    }

    fn binding(state: &[u8]) -> FlowBinding {
        FlowBinding {
            binding_hash: vec![4; 32],
            state_hash: state.to_vec(),
            verifier_ct: vec![1, 2, 3],
            nonce_hash: vec![3; 32],
        }
    }

    /// A flow started and bound to a browser, waiting for the callback with `state`.
    async fn flow(s: &SqliteStore, id: &str, state: &[u8]) {
        s.insert_flow(&new_flow(id)).await.unwrap();
        assert!(s.bind_flow(id, &binding(state), 150).await.unwrap());
    }

    fn completed(flow_id: &str) -> CompletedFlow {
        CompletedFlow {
            flow_id: flow_id.into(),
            user: UserRecord {
                id: "alice".into(),
                email: Some("alice@x".into()),
                name: None,
            },
            tokens: StoredTokens {
                user_id: "alice".into(),
                access_ct: vec![9],
                refresh_ct: Some(vec![8]),
                expires_at: 4000,
                scope: "openid".into(),
                version: 0,
            },
            session_hash: vec![7; 32],
            session_origin: "https://host.example".into(),
            session_jkt: Some("jkt".into()),
            handle_ct: Some(vec![6]),
            now: 200,
        }
    }

    #[tokio::test]
    async fn states_are_single_use_and_handles_delivered_once() {
        let s = SqliteStore::in_memory().await.unwrap();
        flow(&s, "f1", b"state-1").await;
        assert!(s.claim_flow(b"unknown").await.unwrap().is_none());
        let claimed = s.claim_flow(b"state-1").await.unwrap().unwrap();
        assert_eq!(claimed.status, FlowStatus::Exchanging);
        assert!(
            s.claim_flow(b"state-1").await.unwrap().is_none(),
            "a state is used once"
        );
        s.complete_flow(&completed("f1")).await.unwrap();
        let f = s.flow("f1").await.unwrap().unwrap();
        assert_eq!(f.status, FlowStatus::Done);
        assert!(f.verifier_ct.is_none(), "the verifier is wiped once used");
        assert_eq!(s.take_flow_handle("f1").await.unwrap(), Some(vec![6]));
        assert_eq!(s.take_flow_handle("f1").await.unwrap(), None);
        let session = s.session(&[7; 32]).await.unwrap().unwrap();
        assert_eq!(session.user.display_name(), "alice@x");
        assert_eq!(session.dpop_jkt.as_deref(), Some("jkt"));
        assert!(s.revoke_session(&[7; 32], 300).await.unwrap());
        assert!(s.session(&[7; 32]).await.unwrap().is_none());
        assert!(!s.revoke_session(&[7; 32], 300).await.unwrap());
    }

    #[tokio::test]
    async fn only_a_bound_flow_can_be_claimed_and_binding_happens_once() {
        let s = SqliteStore::in_memory().await.unwrap();
        s.insert_flow(&new_flow("f1")).await.unwrap();
        s.insert_flow(&new_flow("f2")).await.unwrap();
        assert!(s.flow_by_state(b"st").await.unwrap().is_none());
        assert!(s.claim_flow(b"st").await.unwrap().is_none());
        assert!(s.bind_flow("f1", &binding(b"st"), 150).await.unwrap());
        assert!(
            !s.bind_flow("f1", &binding(b"other"), 150).await.unwrap(),
            "a flow is bound once"
        );
        assert!(
            !s.bind_flow("f2", &binding(b"late"), 700).await.unwrap(),
            "an expired flow cannot be bound"
        );
        assert_eq!(s.count_open_flows().await.unwrap(), 2);
        let f = s.flow_by_state(b"st").await.unwrap().unwrap();
        assert_eq!(f.id, "f1");
        assert_eq!(f.binding_hash, Some(vec![4; 32]));
        assert!(s.claim_flow(b"st").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn completing_a_flow_that_ended_rolls_back() {
        let s = SqliteStore::in_memory().await.unwrap();
        flow(&s, "f1", b"st").await;
        s.claim_flow(b"st").await.unwrap().unwrap();
        assert!(
            s.end_flow("f1", FlowStatus::Expired, None, 800)
                .await
                .unwrap()
        );
        assert!(s.complete_flow(&completed("f1")).await.is_err());
        assert!(s.tokens("alice").await.unwrap().is_none());
        assert!(s.session(&[7; 32]).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn rotation_checks_the_version() {
        let s = SqliteStore::in_memory().await.unwrap();
        flow(&s, "f1", b"st").await;
        s.claim_flow(b"st").await.unwrap().unwrap();
        s.complete_flow(&completed("f1")).await.unwrap();
        let t = s.tokens("alice").await.unwrap().unwrap();
        let new = StoredTokens {
            access_ct: vec![1],
            refresh_ct: Some(vec![2]),
            ..t.clone()
        };
        assert!(s.rotate_tokens(&new, t.version).await.unwrap());
        assert!(
            !s.rotate_tokens(&new, t.version).await.unwrap(),
            "stale version refused"
        );
        let now = s.tokens("alice").await.unwrap().unwrap();
        assert_eq!(now.refresh_ct, Some(vec![2]));
        assert_eq!(now.version, t.version + 1);
    }

    #[tokio::test]
    async fn sweep_expires_pending_flows_then_forgets_them() {
        let s = SqliteStore::in_memory().await.unwrap();
        flow(&s, "f1", b"st").await;
        s.sweep_flows(701, 0).await.unwrap();
        assert_eq!(
            s.flow("f1").await.unwrap().unwrap().status,
            FlowStatus::Expired
        );
        assert!(s.claim_flow(b"st").await.unwrap().is_none());
        assert_eq!(s.count_open_flows().await.unwrap(), 0);
        s.sweep_flows(10_000, 5_000).await.unwrap();
        assert!(s.flow("f1").await.unwrap().is_none());
    }
}
