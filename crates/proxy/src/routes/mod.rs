//! HTTP routes of the JSON API and the static files.

pub mod appointments;
pub mod directory;
pub mod health;
pub mod static_files;
pub mod tasks;

use std::future::Future;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::idempotency::{Claim, IdempotencyKey};
use crate::mailbox::{Access, CreateOnce, MailboxError, SharedMailbox};
use crate::session::Caller;
use crate::state::AppState;

/// Response header marking an answer replayed from an earlier request with the same key.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// Any path no route serves.
pub async fn not_found(uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("There is nothing at {}.", uri.path()))
}

/// A known path asked with another method (axum adds the `Allow` header).
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> AppError {
    AppError::MethodNotAllowed(format!("{} does not answer {method}.", uri.path()))
}

/// Runs `call` with the configured mailbox backend and the caller's access to their mailbox. When the mailbox server rejects the
/// token (HTTP 401) the authorizer forgets it, and the widget gets 401 authorization_required
/// to sign in again.
pub async fn with_mailbox_access<T, F, Fut>(
    state: &AppState,
    caller: &Caller,
    call: F,
) -> Result<T, AppError>
where
    F: FnOnce(SharedMailbox, Access) -> Fut,
    Fut: Future<Output = Result<T, MailboxError>>,
{
    // Also in service-account mode, where Exchange never sees it: a user whose grant was
    // revoked or whose account was disabled at the sign-in server cannot refresh it, and so
    // stops acting through the service account as well.
    let token = state.authorizer.exchange_token(caller).await?;
    let access = Access {
        token,
        mailbox: caller.mailbox.clone(),
    };
    match call(state.mailbox.clone(), access).await {
        Ok(value) => Ok(value),
        Err(MailboxError::Unauthorized) => {
            state.authorizer.token_rejected(caller).await;
            Err(MailboxError::Unauthorized.into())
        }
        Err(other) => Err(other.into()),
    }
}

/// Creates an item at most once per `Idempotency-Key`: a key that completed before answers
/// the stored item again; otherwise `create(mailbox, access, once)` runs with the client request id
/// the item is stamped with (see [`CreateOnce`]).
pub async fn create_once<T, F, Fut>(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    kind: &str,
    request: &impl Serialize,
    create: F,
) -> Result<Created<T>, AppError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce(SharedMailbox, Access, CreateOnce) -> Fut,
    Fut: Future<Output = Result<T, MailboxError>>,
{
    let key = IdempotencyKey::from_headers(headers)?;
    let (client_request_id, resumed, guard) = match &key {
        Some(key) => match state
            .idempotency
            .claim(&caller.user_id, key, kind, request)
            .await?
        {
            Claim::Replay(item) => return Ok(Created::replayed(item)),
            Claim::Proceed {
                client_request_id,
                resumed,
                guard,
            } => (client_request_id, resumed, Some(guard)),
        },
        None => (uuid::Uuid::new_v4().to_string(), false, None),
    };
    let once = CreateOnce {
        client_request_id,
        resumed,
    };
    let outcome = with_mailbox_access(state, caller, |mailbox, access| {
        create(mailbox, access, once)
    })
    .await;
    match (outcome, guard) {
        (Ok(created), Some(guard)) => {
            guard.complete(&created).await?;
            Ok(Created::new(created))
        }
        (Ok(created), None) => Ok(Created::new(created)),
        (Err(error), guard) => {
            if let Some(guard) = guard {
                guard.release().await;
            }
            Err(error)
        }
    }
}

/// An item that carries its own version (EWS ChangeKey, Graph ETag).
pub trait HasVersion {
    fn version(&self) -> &str;
}

impl HasVersion for model::Appointment {
    fn version(&self) -> &str {
        &self.change_key
    }
}

impl HasVersion for model::Task {
    fn version(&self) -> &str {
        &self.change_key
    }
}

/// 200 with an item and its version as `ETag` (what a later change sends in `If-Match`).
pub struct Versioned<T>(pub T);

impl<T: Serialize + HasVersion> IntoResponse for Versioned<T> {
    fn into_response(self) -> Response {
        let tag = HeaderValue::from_str(&format!("\"{}\"", self.0.version()));
        let has_version = !self.0.version().is_empty();
        let mut response = axum::Json(self.0).into_response();
        if let Ok(tag) = tag
            && has_version
        {
            response.headers_mut().insert(axum::http::header::ETAG, tag);
        }
        response
    }
}

/// 201 with the created item; a replay of an `Idempotency-Key` answers the same item again
/// (also 201, so that a client's "created" path runs once more harmlessly) marked with
/// `Idempotent-Replayed: true`.
pub struct Created<T> {
    item: T,
    replayed: bool,
}

impl<T> Created<T> {
    pub fn new(item: T) -> Self {
        Self {
            item,
            replayed: false,
        }
    }

    pub fn replayed(item: T) -> Self {
        Self {
            item,
            replayed: true,
        }
    }
}

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let mut response = (StatusCode::CREATED, axum::Json(self.item)).into_response();
        if self.replayed {
            response.headers_mut().insert(
                HeaderName::from_static(IDEMPOTENT_REPLAYED),
                HeaderValue::from_static("true"),
            );
        }
        response
    }
}
