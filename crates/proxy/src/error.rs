//! The one error type of the JSON API: every handler returns `Result<_, AppError>`, and
//! [`IntoResponse`] turns it into an [`ApiErrorBody`] with the matching status.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use model::{ApiErrorBody, ErrorCode, FieldErrors};
use serde_json::json;

use crate::session::CallerError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 422 with a message per field.
    #[error("validation failed: {0}")]
    Validation(FieldErrors),
    /// 400: not JSON, wrong shape, unknown field, bad header.
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    /// 401: the widget must start an authorization flow.
    #[error("authorization required: {0}")]
    AuthorizationRequired(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// 405: a known path asked with a method it does not answer.
    #[error("method not allowed: {0}")]
    MethodNotAllowed(String),
    /// 408: the client sent its request body too slowly.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// 413: the request body is larger than the proxy accepts.
    #[error("the request body is larger than {limit_bytes} bytes")]
    PayloadTooLarge { limit_bytes: u64 },
    /// 409: e.g. a ChangeKey mismatch or an Idempotency-Key reused for another request.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 501: the configured mailbox backend cannot do this.
    #[error("not supported: {0}")]
    NotSupported(String),
    /// 428: a change to an item without `If-Match`.
    #[error("precondition required: {0}")]
    PreconditionRequired(String),
    /// 503: Exchange throttled us longer than our retry budget.
    #[error("Exchange is busy, retry in {} s", retry_after_seconds(*.retry_after))]
    ExchangeBusy { retry_after: Duration },
    /// 429: too many requests of a kind from this client or origin (e.g. sign-in flows).
    #[error("too many requests: {message}")]
    TooManyRequests {
        message: String,
        retry_after: Duration,
    },
    /// 502: Exchange answered with an error (its own words, for the user).
    #[error("Exchange error: {0}")]
    Exchange(String),
    /// 502: Exchange could not be reached or its answer could not be read. The browser gets
    /// `message` only: `detail` (library error chains naming URLs, hosts and ports of the
    /// network behind the proxy) goes to the log.
    #[error("{message} ({detail})")]
    ExchangeUnavailable {
        message: &'static str,
        detail: String,
    },
    /// 500: a bug or an infrastructure failure on our side; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

fn retry_after_seconds(wait: Duration) -> u64 {
    // Round up: "retry in 0 s" would invite an immediate retry that is throttled again.
    wait.as_millis().div_ceil(1000).max(1) as u64
}

impl AppError {
    pub fn internal(error: impl std::fmt::Display) -> Self {
        AppError::Internal(error.to_string())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Validation(_) => ErrorCode::ValidationFailed,
            AppError::MalformedRequest(_) => ErrorCode::MalformedRequest,
            AppError::AuthorizationRequired(_) => ErrorCode::AuthorizationRequired,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            AppError::RequestTimeout => ErrorCode::RequestTimeout,
            AppError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::PreconditionRequired(_) => ErrorCode::PreconditionRequired,
            AppError::NotSupported(_) => ErrorCode::NotSupported,
            AppError::ExchangeBusy { .. } => ErrorCode::ExchangeBusy,
            AppError::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            AppError::Exchange(_) | AppError::ExchangeUnavailable { .. } => {
                ErrorCode::ExchangeError
            }
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The body sent to the browser. Internal details stay in the log.
    pub fn body(&self) -> ApiErrorBody {
        let code = self.code();
        match self {
            AppError::Validation(fields) => ApiErrorBody::validation(fields.clone()),
            AppError::AuthorizationRequired(reason) => {
                let mut body = ApiErrorBody::new(code, "Authorization with Exchange is required.");
                body.details
                    .insert("flowsUrl".into(), json!("/api/auth/flows"));
                body.details.insert("reason".into(), json!(reason));
                body
            }
            AppError::ExchangeBusy { retry_after } => {
                let seconds = retry_after_seconds(*retry_after);
                let mut body =
                    ApiErrorBody::new(code, format!("Exchange is busy, retry in {seconds} s."));
                body.details
                    .insert("retryAfterSeconds".into(), json!(seconds));
                body
            }
            AppError::TooManyRequests {
                message,
                retry_after,
            } => {
                let mut body = ApiErrorBody::new(code, message.clone());
                body.details.insert(
                    "retryAfterSeconds".into(),
                    json!(retry_after_seconds(*retry_after)),
                );
                body
            }
            AppError::Internal(_) => ApiErrorBody::new(code, "Something went wrong on the server."),
            AppError::ExchangeUnavailable { message, .. } => ApiErrorBody::new(code, *message),
            AppError::PayloadTooLarge { limit_bytes } => {
                let mut body = ApiErrorBody::new(
                    code,
                    format!(
                        "The request is too large: at most {} KiB are accepted.",
                        limit_bytes / 1024
                    ),
                );
                body.details.insert("limitBytes".into(), json!(limit_bytes));
                body
            }
            AppError::RequestTimeout => ApiErrorBody::new(
                code,
                "The request body arrived too slowly; send the request again.",
            ),
            AppError::MalformedRequest(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::MethodNotAllowed(m)
            | AppError::Conflict(m)
            | AppError::PreconditionRequired(m)
            | AppError::NotSupported(m)
            | AppError::Exchange(m) => ApiErrorBody::new(code, m.clone()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
            AppError::Exchange(detail) => tracing::warn!(%detail, "Exchange error"),
            AppError::ExchangeUnavailable { message, detail } => {
                tracing::warn!(%detail, "{message}")
            }
            _ => tracing::debug!(error = %self, "request refused"),
        }
        let code = self.code();
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self.body())).into_response();
        let retry_after = match &self {
            AppError::ExchangeBusy { retry_after }
            | AppError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        if let Some(retry_after) = retry_after
            && let Ok(value) = HeaderValue::from_str(&retry_after_seconds(retry_after).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl From<CallerError> for AppError {
    fn from(error: CallerError) -> Self {
        match error {
            CallerError::AuthorizationRequired { reason } => {
                AppError::AuthorizationRequired(reason)
            }
            CallerError::Forbidden(message) => AppError::Forbidden(message),
            CallerError::Busy(message) => AppError::TooManyRequests {
                message,
                retry_after: Duration::from_secs(60),
            },
            CallerError::Internal(detail) => AppError::Internal(detail),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::Internal(format!("database: {error}"))
    }
}
