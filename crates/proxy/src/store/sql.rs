//! [`SqlStore`]: the statements of the store, written once for SQLite and PostgreSQL.
//!
//! Both databases take `$1, $2, …` placeholders and `ON CONFLICT`/`RETURNING`, and the two
//! schemas use matching types (BLOB/BYTEA, INTEGER/BIGINT), so each method is one body that
//! [`on_reads!`]/[`on_writes!`] compile once per database. What only PostgreSQL needs (the
//! cross-process refresh lock, flow-ended notifications) lives in [`super::postgres`].

use sqlx::SqlitePool;

use super::Store;
use super::group_commit::GroupCommit;
use crate::auth::store::{
    CompletedFlow, FlowBinding, FlowRecord, FlowStatus, NewFlow, SessionRecord, StoreError,
    StoreResult, StoredTokens, TokenStore, UserLock, UserRecord,
};

pub(super) enum Pools {
    /// One writer connection: SQLite lets one transaction write at a time anyway, and queueing
    /// writers in the pool (in order, without polling) is much cheaper than letting several
    /// connections collide on the file lock and back off. Readers have their own connections
    /// (WAL: they never wait for the writer).
    /// Idempotency writes are queued for [`GroupCommit`], which commits them on `writes` too.
    Sqlite {
        reads: SqlitePool,
        writes: SqlitePool,
        group_commit: GroupCommit,
    },
    Postgres(super::postgres::PgPools),
}

/// Runs `$body` with `$pool` bound to the pool that serves reads.
macro_rules! on_reads {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pools {
            Pools::Sqlite { reads: $pool, .. } => $body,
            Pools::Postgres(pg) => {
                let $pool = &pg.pool;
                $body
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to the pool that serves writes.
macro_rules! on_writes {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pools {
            Pools::Sqlite { writes: $pool, .. } => $body,
            Pools::Postgres(pg) => {
                let $pool = &pg.pool;
                $body
            }
        }
    };
}

pub(super) use on_writes;

/// Runs `$body` (a `bool`) inside a write transaction `$tx`: committed when it is true, rolled
/// back otherwise (and on any error).
macro_rules! in_transaction {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.pools {
            Pools::Sqlite { writes, .. } => {
                let mut $tx = writes.begin().await?;
                let keep: bool = $body;
                if keep {
                    $tx.commit().await?;
                }
                keep
            }
            Pools::Postgres(pg) => {
                let mut $tx = pg.pool.begin().await?;
                let keep: bool = $body;
                if keep {
                    $tx.commit().await?;
                }
                keep
            }
        }
    };
}

pub struct SqlStore {
    pub(super) pools: Pools,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("kind", &self.kind())
            .finish()
    }
}

#[derive(sqlx::FromRow)]
struct FlowRow {
    id: String,
    secret_hash: Vec<u8>,
    origin: String,
    return_to: Option<String>,
    dpop_jkt: Option<String>,
    binding_hash: Option<Vec<u8>>,
    status: String,
    reason: Option<String>,
    user_id: Option<String>,
    verifier_ct: Option<Vec<u8>>,
    nonce_hash: Option<Vec<u8>>,
    created_at: i64,
    expires_at: i64,
}

impl FlowRow {
    fn into_record(self) -> StoreResult<FlowRecord> {
        Ok(FlowRecord {
            status: FlowStatus::parse(&self.status)?,
            id: self.id,
            secret_hash: self.secret_hash,
            origin: self.origin,
            return_to: self.return_to,
            dpop_jkt: self.dpop_jkt,
            binding_hash: self.binding_hash,
            reason: self.reason,
            user_id: self.user_id,
            verifier_ct: self.verifier_ct,
            nonce_hash: self.nonce_hash,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}

fn flow_record(row: Option<FlowRow>) -> StoreResult<Option<FlowRecord>> {
    row.map(FlowRow::into_record).transpose()
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    email: Option<String>,
    name: Option<String>,
    origin: String,
    created_at: i64,
    dpop_jkt: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TokensRow {
    user_id: String,
    access_ct: Vec<u8>,
    refresh_ct: Option<Vec<u8>>,
    expires_at: i64,
    scope: String,
    version: i64,
}

const FLOW_COLUMNS: &str = "id, secret_hash, origin, return_to, dpop_jkt, binding_hash, status, \
     reason, user_id, verifier_ct, nonce_hash, created_at, expires_at";

const UPSERT_USER: &str =
    "INSERT INTO auth_users (id, email, name, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = excluded.name,
       updated_at = excluded.updated_at";
const UPSERT_TOKENS: &str = "INSERT INTO auth_tokens (user_id, access_ct, refresh_ct, expires_at, scope, version, updated_at)
     VALUES ($1, $2, $3, $4, $5, 1, $6)
     ON CONFLICT(user_id) DO UPDATE SET access_ct = excluded.access_ct, refresh_ct = excluded.refresh_ct,
       expires_at = excluded.expires_at, scope = excluded.scope, version = auth_tokens.version + 1,
       updated_at = excluded.updated_at";
const INSERT_SESSION: &str =
    "INSERT INTO auth_sessions (handle_hash, user_id, origin, created_at, dpop_jkt)
     VALUES ($1, $2, $3, $4, $5)";
const FINISH_FLOW: &str =
    "UPDATE auth_flows SET status = 'done', user_id = $1, verifier_ct = NULL, ended_at = $2
     WHERE id = $3 AND status = 'exchanging'";
const INSERT_HANDLE: &str = "INSERT INTO auth_flow_handles (flow_id, handle_ct) VALUES ($1, $2)";

impl SqlStore {
    /// Whether other proxy processes may use this database too (PostgreSQL); one process owns a
    /// SQLite file.
    pub fn is_shared(&self) -> bool {
        matches!(self.pools, Pools::Postgres(_))
    }

    /// Tells the other processes on this database that a flow ended (PostgreSQL).
    async fn announce_flow_end(&self, id: &str) {
        if let Pools::Postgres(pg) = &self.pools {
            pg.announce_flow_end(id).await;
        }
    }
}

#[async_trait::async_trait]
impl TokenStore for SqlStore {
    async fn user(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        let row: Option<(String, Option<String>, Option<String>)> = on_reads!(self, |pool| {
            sqlx::query_as("SELECT id, email, name FROM auth_users WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(id, email, name)| UserRecord { id, email, name }))
    }

    async fn session(&self, hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
        let row: Option<SessionRow> = on_reads!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.email, u.name, s.origin, s.created_at, s.dpop_jkt
                 FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id
                 WHERE s.handle_hash = $1 AND s.revoked_at IS NULL",
            )
            .bind(hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| SessionRecord {
            user: UserRecord {
                id: r.id,
                email: r.email,
                name: r.name,
            },
            origin: r.origin,
            created_at: r.created_at,
            dpop_jkt: r.dpop_jkt,
        }))
    }

    async fn revoke_session(&self, hash: &[u8], now: i64) -> StoreResult<bool> {
        let done = on_writes!(self, |pool| {
            sqlx::query(
                "UPDATE auth_sessions SET revoked_at = $1 WHERE handle_hash = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(hash)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    async fn count_live_sessions(&self, user_id: &str) -> StoreResult<i64> {
        Ok(on_reads!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await?
        }))
    }

    async fn count_all_live_sessions(&self) -> StoreResult<i64> {
        // Served by the partial index on live sessions.
        Ok(on_reads!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM auth_sessions WHERE revoked_at IS NULL")
                .fetch_one(pool)
                .await?
        }))
    }

    async fn insert_flow(&self, flow: &NewFlow) -> StoreResult<()> {
        on_writes!(self, |pool| {
            sqlx::query(
                "INSERT INTO auth_flows (id, secret_hash, origin, return_to, dpop_jkt, status, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)",
            )
            .bind(&flow.id)
            .bind(&flow.secret_hash)
            .bind(&flow.origin)
            .bind(&flow.return_to)
            .bind(&flow.dpop_jkt)
            .bind(flow.created_at)
            .bind(flow.expires_at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    async fn count_open_flows(&self) -> StoreResult<i64> {
        // Served by the partial index on open flows.
        Ok(on_reads!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM auth_flows WHERE ended_at IS NULL")
                .fetch_one(pool)
                .await?
        }))
    }

    async fn count_unexpired_flows(&self, now: i64) -> StoreResult<i64> {
        Ok(on_reads!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM auth_flows WHERE ended_at IS NULL AND expires_at > $1",
            )
            .bind(now)
            .fetch_one(pool)
            .await?
        }))
    }

    async fn flow(&self, id: &str) -> StoreResult<Option<FlowRecord>> {
        let sql = format!("SELECT {FLOW_COLUMNS} FROM auth_flows WHERE id = $1");
        flow_record(on_reads!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        }))
    }

    async fn bind_flow(&self, id: &str, binding: &FlowBinding, now: i64) -> StoreResult<bool> {
        // One statement: of two binding attempts, only the first can succeed.
        let done = on_writes!(self, |pool| {
            sqlx::query(
                "UPDATE auth_flows SET binding_hash = $1, state_hash = $2, verifier_ct = $3, nonce_hash = $4
                 WHERE id = $5 AND status = 'pending' AND binding_hash IS NULL AND expires_at > $6",
            )
            .bind(&binding.binding_hash)
            .bind(&binding.state_hash)
            .bind(&binding.verifier_ct)
            .bind(&binding.nonce_hash)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    async fn flow_by_state(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        let sql = format!(
            "SELECT {FLOW_COLUMNS} FROM auth_flows
             WHERE state_hash = $1 AND status = 'pending' AND binding_hash IS NOT NULL"
        );
        flow_record(on_reads!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(state_hash)
                .fetch_optional(pool)
                .await?
        }))
    }

    async fn claim_flow(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        // One statement: two callbacks racing with the same state cannot both claim it.
        let sql = format!(
            "UPDATE auth_flows SET status = 'exchanging'
             WHERE state_hash = $1 AND status = 'pending' AND binding_hash IS NOT NULL
             RETURNING {FLOW_COLUMNS}"
        );
        flow_record(on_writes!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(state_hash)
                .fetch_optional(pool)
                .await?
        }))
    }

    async fn end_flow(
        &self,
        id: &str,
        status: FlowStatus,
        reason: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let done = on_writes!(self, |pool| {
            sqlx::query(
                "UPDATE auth_flows SET status = $1, reason = $2, verifier_ct = NULL, ended_at = $3
                 WHERE id = $4 AND status IN ('pending', 'exchanging')",
            )
            .bind(status.as_str())
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if done == 1 {
            self.announce_flow_end(id).await;
        }
        Ok(done == 1)
    }

    async fn complete_flow(&self, done: &CompletedFlow) -> StoreResult<()> {
        let t = &done.tokens;
        let completed = in_transaction!(self, |tx| {
            sqlx::query(UPSERT_USER)
                .bind(&done.user.id)
                .bind(&done.user.email)
                .bind(&done.user.name)
                .bind(done.now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(UPSERT_TOKENS)
                .bind(&t.user_id)
                .bind(&t.access_ct)
                .bind(&t.refresh_ct)
                .bind(t.expires_at)
                .bind(&t.scope)
                .bind(done.now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(INSERT_SESSION)
                .bind(&done.session_hash)
                .bind(&done.user.id)
                .bind(&done.session_origin)
                .bind(done.now)
                .bind(&done.session_jkt)
                .execute(&mut *tx)
                .await?;
            let finished = sqlx::query(FINISH_FLOW)
                .bind(&done.user.id)
                .bind(done.now)
                .bind(&done.flow_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if finished && let Some(handle_ct) = &done.handle_ct {
                sqlx::query(INSERT_HANDLE)
                    .bind(&done.flow_id)
                    .bind(handle_ct)
                    .execute(&mut *tx)
                    .await?;
            }
            finished
        });
        if !completed {
            // The transaction was rolled back: nothing of this sign-in was saved.
            return Err(StoreError::new(format!(
                "flow {} is no longer being completed",
                done.flow_id
            )));
        }
        self.announce_flow_end(&done.flow_id).await;
        Ok(())
    }

    async fn take_flow_handle(&self, id: &str) -> StoreResult<Option<Vec<u8>>> {
        // DELETE … RETURNING reads and removes in one statement: two pollers cannot both get it.
        Ok(on_writes!(self, |pool| {
            sqlx::query_scalar(
                "DELETE FROM auth_flow_handles WHERE flow_id = $1 RETURNING handle_ct",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    async fn sweep_flows(&self, now: i64, forget_before: i64) -> StoreResult<()> {
        on_writes!(self, |pool| {
            sqlx::query(
                "UPDATE auth_flows SET status = 'expired', verifier_ct = NULL, ended_at = $1
                 WHERE ended_at IS NULL AND expires_at <= $1",
            )
            .bind(now)
            .execute(pool)
            .await?;
            sqlx::query("DELETE FROM auth_flows WHERE ended_at IS NOT NULL AND ended_at < $1")
                .bind(forget_before)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    async fn tokens(&self, user_id: &str) -> StoreResult<Option<StoredTokens>> {
        let row: Option<TokensRow> = on_reads!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, access_ct, refresh_ct, expires_at, scope, version FROM auth_tokens WHERE user_id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| StoredTokens {
            user_id: r.user_id,
            access_ct: r.access_ct,
            refresh_ct: r.refresh_ct,
            expires_at: r.expires_at,
            scope: r.scope,
            version: r.version,
        }))
    }

    async fn rotate_tokens(&self, new: &StoredTokens, expected_version: i64) -> StoreResult<bool> {
        // One statement: the version check and the write cannot be separated by another write.
        let done = on_writes!(self, |pool| {
            sqlx::query(
                "UPDATE auth_tokens SET access_ct = $1, refresh_ct = $2, expires_at = $3, scope = $4,
                   version = version + 1, updated_at = $5
                 WHERE user_id = $6 AND version = $7",
            )
            .bind(&new.access_ct)
            .bind(&new.refresh_ct)
            .bind(new.expires_at)
            .bind(&new.scope)
            .bind(chrono::Utc::now().timestamp())
            .bind(&new.user_id)
            .bind(expected_version)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    async fn delete_tokens(&self, user_id: &str) -> StoreResult<()> {
        on_writes!(self, |pool| {
            sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    async fn key_check(&self) -> StoreResult<Option<Vec<u8>>> {
        Ok(on_reads!(self, |pool| {
            sqlx::query_scalar("SELECT value FROM auth_meta WHERE name = 'key_check'")
                .fetch_optional(pool)
                .await?
        }))
    }

    async fn reset_key_check(&self, check: &[u8], forget_tokens: bool) -> StoreResult<()> {
        in_transaction!(self, |tx| {
            if forget_tokens {
                sqlx::query("DELETE FROM auth_tokens")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM auth_flow_handles")
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO auth_meta (name, value) VALUES ('key_check', $1)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            )
            .bind(check)
            .execute(&mut *tx)
            .await?;
            true
        });
        Ok(())
    }

    async fn remember_proof(&self, proof_hash: &[u8], usable_until: i64) -> StoreResult<bool> {
        match &self.pools {
            Pools::Sqlite { .. } => Ok(true),
            Pools::Postgres(pg) => pg.remember_proof(proof_hash, usable_until).await,
        }
    }

    async fn forget_proofs(&self, now: i64) -> StoreResult<()> {
        if let Pools::Postgres(pg) = &self.pools {
            pg.forget_proofs(now).await?;
        }
        Ok(())
    }

    async fn lock_user(&self, user_id: &str) -> StoreResult<UserLock> {
        match &self.pools {
            // One process owns a SQLite file: the service's in-process lock is the whole story.
            Pools::Sqlite { .. } => Ok(UserLock::default()),
            Pools::Postgres(pg) => pg.lock_user(user_id).await,
        }
    }

    async fn flow_endings(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<String>>> {
        match &self.pools {
            Pools::Sqlite { .. } => Ok(None),
            Pools::Postgres(pg) => pg.flow_endings().await.map(Some),
        }
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        let _: i64 = on_reads!(self, |pool| {
            sqlx::query_scalar("SELECT CAST(1 AS BIGINT)")
                .fetch_one(pool)
                .await?
        });
        Ok(())
    }

    async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { reads, writes, .. } => {
                reads.close().await;
                writes.close().await;
            }
            Pools::Postgres(pg) => pg.close().await,
        }
    }

    fn kind(&self) -> &'static str {
        match &self.pools {
            Pools::Sqlite { .. } => "sqlite",
            Pools::Postgres(_) => "postgres",
        }
    }
}
