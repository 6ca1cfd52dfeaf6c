//! `Idempotency-Key`: a POST carrying the same key twice (a network retry, or the widget
//! replaying its pending action after authorization) creates the item at most once.
//!
//! A key is claimed in the store (per user) before Exchange is called, together with the client
//! request id that will be stamped on the created item. A replay after completion answers
//! the stored item; a replay of an attempt that never completed (the proxy crashed, or the
//! caller gave up) reuses the same client request id, so the EWS client finds the item that
//! attempt may have created instead of creating a second one.
//!
//! Concurrent requests with one key run one at a time, so that the second one sees the first
//! one's result: in one process behind a mutex; across processes sharing a database through a
//! lease on the record (a request finding the key held by a running request elsewhere waits
//! for it, and takes the key over once its lease ends or it gives the key up).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use axum::http::HeaderMap;
use chrono::{Duration, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tokio::sync::OwnedMutexGuard;

use crate::error::AppError;
use crate::store::{IdempotencyRecord, IdempotencyRecords, KeyClaim, NewIdempotencyKey};

pub const HEADER: &str = "idempotency-key";
/// Keys are remembered this long; the widget only replays within a sign-in flow (minutes).
const RETENTION_HOURS: i64 = 24;
/// How often keys past the retention are forgotten (on a schedule, not by every request).
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// How long a request waits for another process's request with the same key before it is
/// answered 409 (the client tries again later; nothing was created twice).
const WAIT_FOR_OTHER_PROCESS: std::time::Duration = std::time::Duration::from_secs(30);
/// First and longest pause between looks at a key another process holds.
const FIRST_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);
const LONGEST_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// A validated `Idempotency-Key` header value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `None` when the header is absent; 400 when it is present but unusable.
    pub fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, AppError> {
        let Some(value) = headers.get(HEADER) else {
            return Ok(None);
        };
        let raw = value
            .to_str()
            .map_err(|_| {
                AppError::MalformedRequest("The Idempotency-Key header must be ASCII.".into())
            })?
            .trim();
        if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::MalformedRequest(
                "The Idempotency-Key header must be 1 to 255 visible ASCII characters (e.g. a UUID).".into(),
            ));
        }
        Ok(Some(Self(raw.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What to do with a request that carries a key.
pub enum Claim<T> {
    /// The key completed before: answer this item again, create nothing.
    Replay(T),
    /// Go ahead, stamping the item with `client_request_id`. `resumed` = an earlier attempt with
    /// this key started and never recorded its outcome, so the item may exist already.
    Proceed {
        client_request_id: String,
        resumed: bool,
        guard: KeyGuard,
    },
}

/// Held while a keyed request runs: later requests with the same key wait for it. Settle it
/// with [`KeyGuard::complete`] or [`KeyGuard::release`]; dropped unsettled (the request was
/// cancelled), it releases the key in the background.
pub struct KeyGuard {
    records: Arc<dyn IdempotencyRecords>,
    user_id: String,
    key: String,
    lease_until_ms: i64,
    settled: bool,
    _in_process: OwnedMutexGuard<()>,
}

impl KeyGuard {
    /// Records the created item so that replays answer it.
    pub async fn complete(mut self, item: &impl Serialize) -> Result<(), AppError> {
        self.settled = true;
        let response = serde_json::to_string(item).map_err(AppError::internal)?;
        self.records
            .complete_idempotency_key(&self.user_id, &self.key, &response)
            .await
            .map_err(AppError::internal)
    }

    /// The attempt ended without an item (or with an unknown outcome): the next request with
    /// the key may go ahead at once, with the same client request id.
    pub async fn release(mut self) {
        self.settled = true;
        release(
            &*self.records,
            &self.user_id,
            &self.key,
            self.lease_until_ms,
        )
        .await;
    }
}

impl Drop for KeyGuard {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let records = self.records.clone();
        let (user_id, key) = (
            std::mem::take(&mut self.user_id),
            std::mem::take(&mut self.key),
        );
        let lease_until_ms = self.lease_until_ms;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { release(&*records, &user_id, &key, lease_until_ms).await });
        }
    }
}

async fn release(records: &dyn IdempotencyRecords, user_id: &str, key: &str, lease_until_ms: i64) {
    if let Err(error) = records
        .release_idempotency_key(user_id, key, lease_until_ms)
        .await
    {
        // Not fatal: the lease ends by itself.
        tracing::warn!(%error, "releasing an idempotency key failed");
    }
}

/// (user id, key) -> the lock of the request currently running with that key.
type InFlight = HashMap<(String, String), Weak<tokio::sync::Mutex<()>>>;

#[derive(Clone)]
pub struct IdempotencyStore {
    records: Arc<dyn IdempotencyRecords>,
    in_flight: Arc<Mutex<InFlight>>,
    /// How long a claim is presumed to run (longer than any create may take).
    lease: chrono::Duration,
}

impl IdempotencyStore {
    /// Keeps keys in `records`, and forgets them after the retention period in the background
    /// (the task ends with the last clone of the store). `lease`: the longest a create may
    /// take, after which a key whose request never settled is taken over.
    pub fn new(records: Arc<dyn IdempotencyRecords>, lease: std::time::Duration) -> Self {
        spawn_sweeper(Arc::downgrade(&records));
        Self {
            records,
            in_flight: Arc::default(),
            lease: chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::hours(1)),
        }
    }

    /// Claims `key` for `user_id`'s request of `kind` whose validated input is `request`.
    pub async fn claim<T: DeserializeOwned>(
        &self,
        user_id: &str,
        key: &IdempotencyKey,
        kind: &str,
        request: &impl Serialize,
    ) -> Result<Claim<T>, AppError> {
        let in_process = self.lock(user_id, key).await;
        let fingerprint = fingerprint(kind, request)?;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let waiting_since = Instant::now();
        let mut pause = FIRST_PAUSE;
        loop {
            let now = Utc::now();
            let lease_until_ms = (now + self.lease).timestamp_millis();
            let claim = self
                .records
                .claim_idempotency_key(NewIdempotencyKey {
                    user_id: user_id.to_owned(),
                    key: key.as_str().to_owned(),
                    kind: kind.to_owned(),
                    fingerprint: fingerprint.clone(),
                    client_request_id: client_request_id.clone(),
                    created_at: now.to_rfc3339(),
                    now_ms: now.timestamp_millis(),
                    lease_until_ms,
                })
                .await
                .map_err(AppError::internal)?;
            let (client_request_id, resumed) = match claim {
                KeyClaim::Claimed => (client_request_id, false),
                KeyClaim::Known { record, .. } if record.fingerprint != fingerprint => {
                    return Err(AppError::Conflict(
                        "This Idempotency-Key was already used for a different request; send a new key."
                            .into(),
                    ));
                }
                KeyClaim::Known {
                    record:
                        IdempotencyRecord {
                            response: Some(response),
                            ..
                        },
                    ..
                } => {
                    let item = serde_json::from_str(&response).map_err(|e| {
                        AppError::internal(format!("stored idempotent response unreadable: {e}"))
                    })?;
                    return Ok(Claim::Replay(item));
                }
                KeyClaim::Known {
                    record,
                    took_over: true,
                } => (record.client_request_id, true),
                KeyClaim::Known {
                    took_over: false, ..
                } => {
                    // Another process runs a request with this key: wait for its outcome.
                    if waiting_since.elapsed() >= WAIT_FOR_OTHER_PROCESS {
                        return Err(AppError::Conflict(
                            "A request with this Idempotency-Key is still being processed; try again in a moment."
                                .into(),
                        ));
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(LONGEST_PAUSE);
                    continue;
                }
            };
            return Ok(Claim::Proceed {
                client_request_id,
                resumed,
                guard: KeyGuard {
                    records: self.records.clone(),
                    user_id: user_id.to_owned(),
                    key: key.as_str().to_owned(),
                    lease_until_ms,
                    settled: false,
                    _in_process: in_process,
                },
            });
        }
    }

    async fn lock(&self, user_id: &str, key: &IdempotencyKey) -> OwnedMutexGuard<()> {
        let mutex = {
            // A std mutex is fine here: it is held for a map lookup only, never across await.
            let mut map = self
                .in_flight
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            map.retain(|_, weak| weak.strong_count() > 0);
            let slot = (user_id.to_owned(), key.as_str().to_owned());
            match map.get(&slot).and_then(Weak::upgrade) {
                Some(mutex) => mutex,
                None => {
                    let mutex = Arc::new(tokio::sync::Mutex::new(()));
                    map.insert(slot, Arc::downgrade(&mutex));
                    mutex
                }
            }
        };
        mutex.lock_owned().await
    }
}

fn spawn_sweeper(records: std::sync::Weak<dyn IdempotencyRecords>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let Some(records) = records.upgrade() else {
                return;
            };
            let cutoff = (Utc::now() - Duration::hours(RETENTION_HOURS)).to_rfc3339();
            if let Err(error) = records.forget_idempotency_keys(&cutoff).await {
                tracing::warn!(%error, "forgetting old idempotency keys failed");
            }
        }
    });
}

fn fingerprint(kind: &str, request: &impl Serialize) -> Result<String, AppError> {
    let json = serde_json::to_vec(request).map_err(AppError::internal)?;
    let mut hash = Sha256::new();
    hash.update(kind.as_bytes());
    hash.update([0]);
    hash.update(&json);
    Ok(hex::encode(hash.finalize()))
}
