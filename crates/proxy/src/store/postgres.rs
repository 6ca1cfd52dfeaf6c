//! PostgreSQL: one database shared by several proxy processes. Besides the statements in
//! [`super::sql`], what makes the processes act as one: a per-user advisory lock around token
//! refreshes, a `LISTEN/NOTIFY` channel telling every process when a sign-in flow ended, and a
//! shared memory of the DPoP proofs seen (a proof replayed to another process is refused).

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::mpsc;

use super::sql::{Pools, SqlStore};
use crate::auth::store::{StoreResult, UserLock};

/// Connections for statements: each is held for one statement or a short transaction. Opened
/// as load asks; 16 capped creates at ~460/s with 64 clients (requests queued for the pool),
/// more keep up. Mind the server's `max_connections` across every proxy process.
const CONNECTIONS: u32 = 32;
/// Connections that hold user locks while a refresh is under way (separate, so that waiting
/// for a lock never takes a connection the lock's holder needs to finish).
const LOCK_CONNECTIONS: u32 = 16;
/// Notifications of flows that ended, waiting for this process to wake its long-polls.
const ENDINGS_QUEUE: usize = 1024;
const FLOW_ENDED_CHANNEL: &str = "xf_flow_ended";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub(super) struct PgPools {
    pub(super) pool: PgPool,
    locks: PgPool,
}

pub(super) async fn open(url: &str) -> StoreResult<SqlStore> {
    let options: PgConnectOptions = url.parse()?;
    let options = options.application_name("exchange-forms-proxy");
    let pool = PgPoolOptions::new()
        .max_connections(CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.clone())
        .await?;
    // Several processes may start at once: the migrator takes a database-wide lock.
    MIGRATOR.run(&pool).await?;
    let locks = PgPoolOptions::new()
        .max_connections(LOCK_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(30))
        .connect_lazy_with(options);
    Ok(SqlStore {
        pools: Pools::Postgres(PgPools { pool, locks }),
    })
}

impl PgPools {
    /// `pg_advisory_xact_lock` on a key derived from the user id, in a transaction the guard
    /// keeps open: dropping it rolls back, which releases the lock (also if the process dies).
    pub(super) async fn lock_user(&self, user_id: &str) -> StoreResult<UserLock> {
        let mut tx: Transaction<'static, Postgres> = self.locks.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock_key(user_id))
            .execute(&mut *tx)
            .await?;
        Ok(UserLock::held(tx))
    }

    /// One statement: of two processes shown the same proof, one inserts it.
    pub(super) async fn remember_proof(
        &self,
        proof_hash: &[u8],
        usable_until: i64,
    ) -> StoreResult<bool> {
        let inserted = sqlx::query(
            "INSERT INTO dpop_proofs (proof_hash, usable_until) VALUES ($1, $2)
             ON CONFLICT (proof_hash) DO NOTHING",
        )
        .bind(proof_hash)
        .bind(usable_until)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    pub(super) async fn forget_proofs(&self, now: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM dpop_proofs WHERE usable_until < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Best effort: a long-poll that misses it still sees the end at its next read.
    pub(super) async fn announce_flow_end(&self, id: &str) {
        if let Err(error) = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(FLOW_ENDED_CHANNEL)
            .bind(id)
            .execute(&self.pool)
            .await
        {
            tracing::warn!(%error, "cannot announce the end of a sign-in flow to other processes");
        }
    }

    /// Listens on the flow-ended channel (one connection of its own, reconnected by sqlx after
    /// a failure) and forwards each ended flow's id.
    pub(super) async fn flow_endings(&self) -> StoreResult<mpsc::Receiver<String>> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(FLOW_ENDED_CHANNEL).await?;
        let (send, receive) = mpsc::channel(ENDINGS_QUEUE);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(notification) => {
                        if send.send(notification.payload().to_owned()).await.is_err() {
                            return;
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "flow-ended notifications interrupted; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(receive)
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
        self.locks.close().await;
    }
}

/// Advisory locks are keyed by a 64-bit number: the first 8 bytes of a hash of the user id
/// (under a name of its own, so other users of advisory locks on the database do not collide).
fn lock_key(user_id: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"exchange-forms user lock\0")
        .chain_update(user_id.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}
