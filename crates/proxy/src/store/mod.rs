//! The proxy's own database behind one seam: users, sessions, sign-in flows, encrypted tokens
//! ([`TokenStore`]) and idempotency records ([`IdempotencyRecords`]). Routes and the
//! authorization code see these traits, never SQL.
//!
//! Two databases implement them with the same statements ([`SqlStore`]): SQLite, embedded
//! (`<data_dir>/proxy.sqlite`, the default), and PostgreSQL (`database_url = "postgres://…"`),
//! which several proxy processes can share. Each has its own migrations, run at start-up.

mod group_commit;
mod idempotency;
mod postgres;
mod read_cache;
mod sql;
mod sqlite;

use std::path::Path;
use std::sync::Arc;

pub use crate::auth::store::{StoreError, StoreResult, TokenStore};
pub use read_cache::ReadCache;
pub use sql::SqlStore;

/// An idempotency key as recorded.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct IdempotencyRecord {
    /// Hash of the request the key was first used for.
    pub fingerprint: String,
    pub client_request_id: String,
    /// The created item (JSON) once the request completed.
    pub response: Option<String>,
}

/// A key claimed by a request that is about to create an item.
#[derive(Clone, Debug)]
pub struct NewIdempotencyKey {
    pub user_id: String,
    pub key: String,
    pub kind: String,
    pub fingerprint: String,
    pub client_request_id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Unix milliseconds: now, and until when this request is presumed to be running. Until
    /// then, a request with the same key in another process waits instead of creating too.
    pub now_ms: i64,
    pub lease_until_ms: i64,
}

/// What claiming a key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyClaim {
    /// The key was new: this request is the first, and holds the lease.
    Claimed,
    /// The key was known. `took_over`: its earlier attempt never completed and nobody holds
    /// its lease any more (it ended or its process died), so this request now holds it;
    /// otherwise another request is still running with the key (or it completed).
    Known {
        record: IdempotencyRecord,
        took_over: bool,
    },
}

#[async_trait::async_trait]
pub trait IdempotencyRecords: Send + Sync + 'static {
    /// Records `new` unless the key is known; answers the existing record if it is. One write
    /// for a new key or a lease taken over, none for a completed key.
    async fn claim_idempotency_key(&self, new: NewIdempotencyKey) -> StoreResult<KeyClaim>;
    /// Ends the lease `lease_until_ms` of an attempt that will not complete (it failed or was
    /// abandoned), so the next request with the key goes ahead at once.
    async fn release_idempotency_key(
        &self,
        user_id: &str,
        key: &str,
        lease_until_ms: i64,
    ) -> StoreResult<()>;
    /// Stores the created item of a claimed key (and ends its lease).
    async fn complete_idempotency_key(
        &self,
        user_id: &str,
        key: &str,
        response: &str,
    ) -> StoreResult<()>;
    /// Forgets keys recorded before `cutoff` (RFC 3339); how many went.
    async fn forget_idempotency_keys(&self, cutoff: &str) -> StoreResult<u64>;
}

/// Everything the proxy keeps in its database.
#[async_trait::async_trait]
pub trait Store: TokenStore + IdempotencyRecords {
    /// Answers when the database does (readiness).
    async fn ping(&self) -> StoreResult<()>;
    /// Closes the connections; every later call fails.
    async fn close(&self);
    /// `sqlite` or `postgres` (logs, readiness).
    fn kind(&self) -> &'static str;
}

/// Where the proxy keeps its state: PostgreSQL when `database_url` names one, else SQLite in
/// `data_dir`. Migrations run before this returns.
pub async fn open(database_url: Option<&str>, data_dir: &Path) -> StoreResult<Arc<SqlStore>> {
    match database_url {
        Some(url) => postgres::open(url).await,
        None => sqlite::open(&data_dir.join("proxy.sqlite")).await,
    }
    .map(Arc::new)
}

/// What the authorization code reads and writes: `store` itself when other processes may share
/// it, else `store` behind a [`ReadCache`] (no other process can change a row under it).
pub fn for_authorization(store: Arc<SqlStore>) -> Arc<dyn TokenStore> {
    if store.is_shared() {
        store
    } else {
        Arc::new(ReadCache::new(store))
    }
}

/// Whether `url` names a PostgreSQL database (the only kind `database_url` accepts).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}
