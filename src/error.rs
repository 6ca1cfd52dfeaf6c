//! The typed error of every call to the proxy.
//!
//! `ApiError` is `Clone + PartialEq` so that it can travel in the reducer state and in
//! component props. What the user reads is produced by [`crate::i18n`], in their language.

use model::FieldErrors;

/// What can go wrong when the widget talks to the proxy.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 422 `validation_failed`: per-field messages, shown next to their inputs.
    #[error("some fields need attention: {0}")]
    Validation(FieldErrors),
    /// 401 `authorization_required`: no usable session; the widget starts a flow.
    #[error("authorization required")]
    AuthorizationRequired,
    /// 403, e.g. a session handle presented from an origin the proxy does not allow.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 400 `malformed_request`: a bug in the widget or a proxy of another version.
    #[error("request refused: {0}")]
    BadRequest(String),
    /// 404
    #[error("not found: {0}")]
    NotFound(String),
    /// 409
    #[error("conflict: {0}")]
    Conflict(String),
    /// The proxy could not be reached (offline, DNS, CORS refusal, connection reset).
    #[error("network error: {0}")]
    Network(String),
    /// 503 `exchange_busy` (Exchange throttling); retry after that many seconds if known.
    #[error("Exchange is busy (retry after {retry_after:?} s)")]
    Busy { retry_after: Option<u32> },
    /// 5xx or any other unexpected status: the message from the proxy, if any.
    #[error("server error: {0}")]
    Server(String),
    /// A 2xx answer whose body is not what the API documents.
    #[error("unexpected answer from the proxy: {0}")]
    Decode(String),
    /// The request was aborted on purpose (cancel, unmount).
    #[error("cancelled")]
    Aborted,
}

impl ApiError {
    /// The API's error code (`model::ErrorCode`) for the host page's `exchange-form:error`;
    /// failures that never reached the API have codes of their own.
    pub fn code(&self) -> &'static str {
        use model::ErrorCode;
        match self {
            ApiError::Validation(_) => ErrorCode::ValidationFailed.as_str(),
            ApiError::AuthorizationRequired => ErrorCode::AuthorizationRequired.as_str(),
            ApiError::Forbidden(_) => ErrorCode::Forbidden.as_str(),
            ApiError::BadRequest(_) => ErrorCode::MalformedRequest.as_str(),
            ApiError::NotFound(_) => ErrorCode::NotFound.as_str(),
            ApiError::Conflict(_) => ErrorCode::Conflict.as_str(),
            ApiError::Busy { .. } => ErrorCode::ExchangeBusy.as_str(),
            ApiError::Server(_) => "server_error",
            ApiError::Network(_) => "network_error",
            ApiError::Decode(_) => "unexpected_answer",
            ApiError::Aborted => "aborted",
        }
    }

    /// Errors after which sending the same action again can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::Network(_) | ApiError::Busy { .. } | ApiError::Server(_)
        )
    }
}
