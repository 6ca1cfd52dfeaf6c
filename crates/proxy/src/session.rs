//! Who is calling, and with which Exchange token.
//!
//! The routes only see this interface; the authorization module (`auth/`) implements it with
//! OAuth sessions, and tests use a fixed caller. Keeping it a trait lets the JSON API be built
//! and tested without any OAuth machinery.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use secrecy::SecretString;

use crate::error::AppError;
use crate::state::AppState;

/// The user behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Stable id (e.g. the OIDC `sub` or e-mail); keys idempotency records.
    pub user_id: String,
    pub display_name: String,
    /// The user's mailbox address as the sign-in verified it (the ID token's or userinfo's
    /// `email`, else `upn`), stored with the session when it was created; `None` when the
    /// sign-in named no address. Never taken from the request: a service account acts for
    /// exactly this mailbox.
    pub mailbox: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CallerError {
    /// 401 authorization_required with details `{"flowsUrl":"/api/auth/flows"}`.
    #[error("authorization required: {reason}")]
    AuthorizationRequired { reason: String },
    /// 403, e.g. a session handle presented from another origin.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 429: too much at once right now (e.g. the proof replay memory is full).
    #[error("busy: {0}")]
    Busy(String),
    /// 500.
    #[error("internal: {0}")]
    Internal(String),
}

#[async_trait::async_trait]
pub trait Authorizer: Send + Sync + 'static {
    /// Who is calling: from `Authorization: Bearer <session handle>` and the `Origin` header.
    async fn caller(&self, parts: &Parts) -> Result<Caller, CallerError>;
    /// A usable access token for Exchange for this caller (refreshed ahead of expiry, single-flight).
    async fn exchange_token(&self, caller: &Caller) -> Result<SecretString, CallerError>;
    /// Exchange rejected the token (HTTP 401): forget it so the next action re-authorizes.
    async fn token_rejected(&self, caller: &Caller);
}

pub type SharedAuthorizer = Arc<dyn Authorizer>;

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(state.authorizer.caller(parts).await?)
    }
}

/// The authorizer used until an authorization server is configured: every API call answers
/// 401 so the widget knows it cannot act yet (never a silent anonymous mailbox).
pub struct NoAuthorizationServer;

#[async_trait::async_trait]
impl Authorizer for NoAuthorizationServer {
    async fn caller(&self, _parts: &Parts) -> Result<Caller, CallerError> {
        Err(CallerError::AuthorizationRequired {
            reason: "no authorization server is configured".into(),
        })
    }

    async fn exchange_token(&self, _caller: &Caller) -> Result<SecretString, CallerError> {
        Err(CallerError::AuthorizationRequired {
            reason: "no authorization server is configured".into(),
        })
    }

    async fn token_rejected(&self, _caller: &Caller) {}
}
