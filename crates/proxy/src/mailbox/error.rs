//! What can go wrong with a mailbox, in terms the API can answer with, whatever the protocol.

use std::time::Duration;

use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    /// The server no longer accepts the caller's token (HTTP 401).
    #[error("the mailbox server rejected the access token")]
    Unauthorized,
    /// Still throttled when the retry budget ran out.
    #[error("the mailbox server is busy, retry in {} s", retry_after.as_secs())]
    Throttled { retry_after: Duration },
    /// No answer at all (connection refused, timeouts, lost connections), retries exhausted:
    /// whether a write happened is unknown, and the caller may try again with the same
    /// idempotency key.
    #[error("Exchange could not be reached: {0}")]
    Unavailable(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The item changed since the caller read it (change key / ETag mismatch).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request cannot be sent as it is (e.g. text the protocol cannot carry).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The server answered with an error of its own; the text names it for the user.
    #[error("{0}")]
    Rejected(String),
    /// Fields the backend cannot store as given, each with the reason: answered as a
    /// validation error on those fields, never dropped silently.
    #[error("fields the mailbox cannot store: {0:?}")]
    NotStorable(model::FieldErrors),
    /// The configured backend cannot do this (yet); the text says what and which backend can.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The proxy's own setup is wrong (service account refused, impersonation right missing,
    /// TLS certificate not trusted): nothing the user can fix. The text says what an
    /// administrator should check; it never holds a secret.
    #[error("{0}")]
    Misconfigured(String),
    /// The answer was not what the protocol promises.
    #[error("unexpected answer from Exchange: {0}")]
    Unreadable(String),
}

impl MailboxError {
    /// The item changed since the user opened it (stale change key or ETag).
    pub fn changed_meanwhile() -> Self {
        MailboxError::Conflict(
            "This item was changed since you opened it: reload it to see the change, or save again to overwrite it."
                .into(),
        )
    }
}

impl From<MailboxError> for AppError {
    fn from(error: MailboxError) -> Self {
        match error {
            MailboxError::Unauthorized => {
                AppError::AuthorizationRequired("Exchange rejected the access token".into())
            }
            MailboxError::Throttled { retry_after } => AppError::ExchangeBusy { retry_after },
            MailboxError::NotFound(message) => AppError::NotFound(message),
            MailboxError::Conflict(message) => AppError::Conflict(message),
            MailboxError::Forbidden(message) => AppError::Forbidden(message),
            MailboxError::Invalid(message) => AppError::MalformedRequest(message),
            MailboxError::Rejected(message) | MailboxError::Misconfigured(message) => {
                AppError::Exchange(message)
            }
            MailboxError::Unsupported(message) => AppError::NotSupported(message),
            MailboxError::NotStorable(fields) => AppError::Validation(fields),
            MailboxError::Unavailable(detail) => AppError::ExchangeUnavailable {
                message: "Exchange could not be reached. Try again in a moment.",
                detail,
            },
            MailboxError::Unreadable(detail) => AppError::ExchangeUnavailable {
                message: "Exchange sent an answer the proxy could not read.",
                detail,
            },
        }
    }
}
