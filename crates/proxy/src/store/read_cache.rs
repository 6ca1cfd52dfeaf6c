//! [`ReadCache`]: the two reads every API request makes (its session, its user's tokens) kept
//! in memory, for a store that no other process writes (SQLite: one process owns the file).
//!
//! The database stays the truth: every write of a session, a user or tokens goes through this
//! wrapper, which forgets what it changes before the write returns, so a sign-out or a token
//! rotation takes effect for the very next request. A read that raced with such a write is not
//! kept (writes move a generation counter; a read only fills the cache if none happened while
//! it ran). Entries also expire after [`TIME_TO_LIVE`], and the cache holds at most
//! [`MAX_ENTRIES`] of each kind. Only found rows are kept: an unknown handle is asked again.
//!
//! Stores that other processes share (PostgreSQL) are not wrapped: another process may revoke
//! a session at any time, and this one must refuse it at once.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::auth::store::{
    CompletedFlow, FlowBinding, FlowRecord, FlowStatus, NewFlow, SessionRecord, StoreResult,
    StoredTokens, TokenStore, UserLock, UserRecord,
};

/// How long a cached row is served without asking the database.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(30);
/// Rows cached per kind; beyond it, expired rows go, and if none had, all of them.
pub const MAX_ENTRIES: usize = 10_000;

pub struct ReadCache {
    inner: Arc<dyn TokenStore>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Moves on every write that may change a cached row.
    generation: u64,
    sessions: Rows<Vec<u8>, SessionRecord>,
    tokens: Rows<String, StoredTokens>,
}

struct Rows<K, V>(HashMap<K, (Instant, V)>);

impl<K, V> Default for Rows<K, V> {
    fn default() -> Self {
        Rows(HashMap::new())
    }
}

impl<K: Eq + Hash, V: Clone> Rows<K, V> {
    fn get<Q: Eq + Hash + ?Sized>(&self, key: &Q, now: Instant) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.0
            .get(key)
            .filter(|(until, _)| *until > now)
            .map(|(_, value)| value.clone())
    }

    fn put(&mut self, key: K, value: V, now: Instant) {
        if self.0.len() >= MAX_ENTRIES {
            self.0.retain(|_, (until, _)| *until > now);
            if self.0.len() >= MAX_ENTRIES {
                self.0.clear();
            }
        }
        self.0.insert(key, (now + TIME_TO_LIVE, value));
    }
}

impl ReadCache {
    pub fn new(inner: Arc<dyn TokenStore>) -> Self {
        Self {
            inner,
            state: Mutex::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every update leaves the maps consistent: a panic elsewhere does not spoil them.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The row under `key` in the map `rows` picks: cached, or read with `read` (and kept if
    /// found and no write happened meanwhile).
    async fn read_through<K, Q, V>(
        &self,
        rows: impl Fn(&mut State) -> &mut Rows<K, V>,
        key: &Q,
        read: impl Future<Output = StoreResult<Option<V>>>,
    ) -> StoreResult<Option<V>>
    where
        K: Eq + Hash + Borrow<Q>,
        Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
        V: Clone,
    {
        let now = Instant::now();
        let generation = {
            let mut state = self.state();
            if let Some(row) = rows(&mut state).get(key, now) {
                return Ok(Some(row));
            }
            state.generation
        };
        let row = read.await?;
        if let Some(found) = &row {
            let mut state = self.state();
            if state.generation == generation {
                rows(&mut state).put(key.to_owned(), found.clone(), now);
            }
        }
        Ok(row)
    }

    /// Forgets what `forget` names, before and after the write (a read between the two is not
    /// kept either: the generation moved).
    async fn writing<T>(
        &self,
        forget: impl Fn(&mut State),
        write: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        let forget_now = |state: &mut State| {
            state.generation += 1;
            forget(state);
        };
        forget_now(&mut self.state());
        let result = write.await;
        forget_now(&mut self.state());
        result
    }
}

#[async_trait::async_trait]
impl TokenStore for ReadCache {
    async fn session(&self, hash: &[u8]) -> StoreResult<Option<SessionRecord>> {
        self.read_through(|s| &mut s.sessions, hash, self.inner.session(hash))
            .await
    }

    async fn tokens(&self, user_id: &str) -> StoreResult<Option<StoredTokens>> {
        self.read_through(|s| &mut s.tokens, user_id, self.inner.tokens(user_id))
            .await
    }

    async fn revoke_session(&self, hash: &[u8], now: i64) -> StoreResult<bool> {
        let forget = |state: &mut State| {
            state.sessions.0.remove(hash);
        };
        self.writing(forget, self.inner.revoke_session(hash, now))
            .await
    }

    async fn complete_flow(&self, done: &CompletedFlow) -> StoreResult<()> {
        // A sign-in rewrites the user (name, address) that cached sessions carry.
        let forget = |state: &mut State| {
            state.sessions.0.clear();
            state.tokens.0.remove(&done.user.id);
        };
        self.writing(forget, self.inner.complete_flow(done)).await
    }

    async fn rotate_tokens(&self, new: &StoredTokens, expected_version: i64) -> StoreResult<bool> {
        let forget = |state: &mut State| {
            state.tokens.0.remove(&new.user_id);
        };
        self.writing(forget, self.inner.rotate_tokens(new, expected_version))
            .await
    }

    async fn delete_tokens(&self, user_id: &str) -> StoreResult<()> {
        let forget = |state: &mut State| {
            state.tokens.0.remove(user_id);
        };
        self.writing(forget, self.inner.delete_tokens(user_id))
            .await
    }

    async fn reset_key_check(&self, check: &[u8], forget_tokens: bool) -> StoreResult<()> {
        let forget = |state: &mut State| state.tokens.0.clear();
        self.writing(forget, self.inner.reset_key_check(check, forget_tokens))
            .await
    }

    // Everything else reads or writes rows this cache does not hold.

    async fn user(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        self.inner.user(id).await
    }
    async fn count_live_sessions(&self, user_id: &str) -> StoreResult<i64> {
        self.inner.count_live_sessions(user_id).await
    }
    async fn count_all_live_sessions(&self) -> StoreResult<i64> {
        self.inner.count_all_live_sessions().await
    }
    async fn insert_flow(&self, flow: &NewFlow) -> StoreResult<()> {
        self.inner.insert_flow(flow).await
    }
    async fn count_open_flows(&self) -> StoreResult<i64> {
        self.inner.count_open_flows().await
    }
    async fn count_unexpired_flows(&self, now: i64) -> StoreResult<i64> {
        self.inner.count_unexpired_flows(now).await
    }
    async fn flow(&self, id: &str) -> StoreResult<Option<FlowRecord>> {
        self.inner.flow(id).await
    }
    async fn bind_flow(&self, id: &str, binding: &FlowBinding, now: i64) -> StoreResult<bool> {
        self.inner.bind_flow(id, binding, now).await
    }
    async fn flow_by_state(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        self.inner.flow_by_state(state_hash).await
    }
    async fn claim_flow(&self, state_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        self.inner.claim_flow(state_hash).await
    }
    async fn end_flow(
        &self,
        id: &str,
        status: FlowStatus,
        reason: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        self.inner.end_flow(id, status, reason, now).await
    }
    async fn take_flow_handle(&self, id: &str) -> StoreResult<Option<Vec<u8>>> {
        self.inner.take_flow_handle(id).await
    }
    async fn sweep_flows(&self, now: i64, forget_before: i64) -> StoreResult<()> {
        self.inner.sweep_flows(now, forget_before).await
    }
    async fn key_check(&self) -> StoreResult<Option<Vec<u8>>> {
        self.inner.key_check().await
    }
    async fn remember_proof(&self, proof_hash: &[u8], usable_until: i64) -> StoreResult<bool> {
        self.inner.remember_proof(proof_hash, usable_until).await
    }
    async fn forget_proofs(&self, now: i64) -> StoreResult<()> {
        self.inner.forget_proofs(now).await
    }
    async fn lock_user(&self, user_id: &str) -> StoreResult<UserLock> {
        self.inner.lock_user(user_id).await
    }
    async fn flow_endings(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<String>>> {
        self.inner.flow_endings().await
    }
}
