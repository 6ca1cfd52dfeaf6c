//! `Idempotency-Key`: a POST carrying the same key twice (a network retry, or the widget
//! replaying its pending action after authorization) creates the item at most once.
//!
//! A key is claimed in SQLite (per user) before Exchange is called, together with the client
//! request id that will be stamped on the created item. A replay after completion answers
//! the stored item; a replay of an attempt that never completed (the proxy crashed, or the
//! caller gave up) reuses the same client request id, so the EWS client finds the item that
//! attempt may have created instead of creating a second one. Concurrent requests with one
//! key are serialised in-process so that the second one sees the first one's result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use axum::http::HeaderMap;
use chrono::{Duration, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use tokio::sync::OwnedMutexGuard;

use crate::error::AppError;

pub const HEADER: &str = "idempotency-key";
/// Keys are remembered this long; the widget only replays within a sign-in flow (minutes).
const RETENTION_HOURS: i64 = 24;

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
        _guard: KeyGuard,
    },
}

/// Held while a keyed request runs; later requests with the same key wait for it.
pub struct KeyGuard(#[allow(dead_code)] OwnedMutexGuard<()>);

/// (user id, key) -> the lock of the request currently running with that key.
type InFlight = HashMap<(String, String), Weak<tokio::sync::Mutex<()>>>;

#[derive(Clone)]
pub struct IdempotencyStore {
    pool: SqlitePool,
    in_flight: Arc<Mutex<InFlight>>,
}

impl IdempotencyStore {
    pub async fn new(pool: SqlitePool) -> Result<Self, sqlx::Error> {
        crate::db::migrate_proxy(&pool).await?;
        Ok(Self {
            pool,
            in_flight: Arc::default(),
        })
    }

    /// Claims `key` for `user_id`'s request of `kind` whose validated input is `request`.
    pub async fn claim<T: DeserializeOwned>(
        &self,
        user_id: &str,
        key: &IdempotencyKey,
        kind: &str,
        request: &impl Serialize,
    ) -> Result<Claim<T>, AppError> {
        let guard = self.lock(user_id, key).await;
        let fingerprint = fingerprint(kind, request)?;
        let cutoff = (Utc::now() - Duration::hours(RETENTION_HOURS)).to_rfc3339();
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ?")
            .bind(&cutoff)
            .execute(&self.pool)
            .await?;

        let existing: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT fingerprint, client_request_id, response FROM idempotency_keys WHERE user_id = ? AND key = ?",
        )
        .bind(user_id)
        .bind(key.as_str())
        .fetch_optional(&self.pool)
        .await?;
        match existing {
            Some((stored, _, _)) if stored != fingerprint => Err(AppError::Conflict(
                "This Idempotency-Key was already used for a different request; send a new key."
                    .into(),
            )),
            Some((_, _, Some(response))) => {
                let item = serde_json::from_str(&response).map_err(|e| {
                    AppError::internal(format!("stored idempotent response unreadable: {e}"))
                })?;
                Ok(Claim::Replay(item))
            }
            Some((_, client_request_id, None)) => Ok(Claim::Proceed {
                client_request_id,
                resumed: true,
                _guard: guard,
            }),
            None => {
                let client_request_id = uuid::Uuid::new_v4().to_string();
                sqlx::query(
                    "INSERT INTO idempotency_keys (user_id, key, kind, fingerprint, client_request_id, created_at)
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(user_id)
                .bind(key.as_str())
                .bind(kind)
                .bind(&fingerprint)
                .bind(&client_request_id)
                .bind(Utc::now().to_rfc3339())
                .execute(&self.pool)
                .await?;
                Ok(Claim::Proceed {
                    client_request_id,
                    resumed: false,
                    _guard: guard,
                })
            }
        }
    }

    /// Records the created item so that replays answer it.
    pub async fn complete(
        &self,
        user_id: &str,
        key: &IdempotencyKey,
        item: &impl Serialize,
    ) -> Result<(), AppError> {
        let response = serde_json::to_string(item).map_err(AppError::internal)?;
        sqlx::query("UPDATE idempotency_keys SET response = ? WHERE user_id = ? AND key = ?")
            .bind(response)
            .bind(user_id)
            .bind(key.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn lock(&self, user_id: &str, key: &IdempotencyKey) -> KeyGuard {
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
        KeyGuard(mutex.lock_owned().await)
    }
}

fn fingerprint(kind: &str, request: &impl Serialize) -> Result<String, AppError> {
    let json = serde_json::to_vec(request).map_err(AppError::internal)?;
    let mut hash = Sha256::new();
    hash.update(kind.as_bytes());
    hash.update([0]);
    hash.update(&json);
    Ok(hex::encode(hash.finalize()))
}
