//! HTTP routes of the JSON API and the static files.

pub mod appointments;
pub mod health;
pub mod static_files;
pub mod tasks;

use std::future::Future;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Serialize;

use crate::error::AppError;
use crate::exchange::ExchangeError;
use crate::session::Caller;
use crate::state::AppState;

/// Response header marking an answer replayed from an earlier request with the same key.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// Any path no route serves.
pub async fn not_found(uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("There is nothing at {}.", uri.path()))
}

/// Runs `call` with the caller's Exchange token. When Exchange rejects the token (HTTP 401)
/// the authorizer forgets it, and the widget gets 401 authorization_required to sign in again.
pub async fn with_exchange_token<T, F, Fut>(
    state: &AppState,
    caller: &Caller,
    call: F,
) -> Result<T, AppError>
where
    F: FnOnce(SecretString) -> Fut,
    Fut: Future<Output = Result<T, ExchangeError>>,
{
    let token = state.authorizer.exchange_token(caller).await?;
    match call(token).await {
        Ok(value) => Ok(value),
        Err(ExchangeError::Unauthorized) => {
            state.authorizer.token_rejected(caller).await;
            Err(ExchangeError::Unauthorized.into())
        }
        Err(other) => Err(other.into()),
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
