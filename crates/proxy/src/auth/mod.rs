//! Per-user authorization: OAuth 2.0 authorization code + PKCE as a confidential client,
//! tokens held (encrypted) by the proxy, and opaque session handles bound to the embedding
//! origin and to the widget's key, sent as `Authorization: DPoP` with a proof (see [`sessions`]).
//!
//! [`AuthService`] implements [`crate::session::Authorizer`] for the JSON API and backs the
//! flow endpoints in [`routes`]. Tokens never leave this module except as the Exchange bearer
//! token handed to the EWS client; they are never logged and never sent to the browser.

pub mod backend_fit;
pub mod callback;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod dpop;
pub mod flows;
pub mod id_token;
mod jwks;
mod keyed;
mod limits;
pub mod oauth;
pub mod origin;
mod pages;
pub mod routes;
mod runtime;
pub mod sessions;
pub mod store;
mod tokens;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::http::HeaderMap;
use axum::http::request::Parts;
use secrecy::SecretString;

use self::clock::Clock;
use self::config::{AuthConfigError, AuthSettings};
use self::crypto::{Cipher, TokenKey};
use self::keyed::Keyed;
use self::limits::FlowLimits;
use self::oauth::{OAuthClient, TokenSet};
use self::origin::request_origin;
use self::store::TokenStore;
use crate::session::{Authorizer, Caller, CallerError};

pub use self::callback::{CallbackOutcome, CallbackQuery, FlowTarget};
pub use self::flows::{FlowRequest, FlowStarted, FlowView, MAX_WAIT};
pub use self::runtime::AuthRuntime;

/// Access tokens without `expires_in` are assumed to live this long (the common default).
const DEFAULT_TOKEN_LIFETIME_SECS: i64 = 3600;
/// Ended flows are kept this long (so a late poll still learns the outcome), then deleted.
const FORGET_FLOWS_AFTER_SECS: i64 = 24 * 3600;

/// Why a request cannot act, before mapping onto the API's error bodies.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A request field is unacceptable (`field`, message).
    #[error("{1}")]
    Invalid(model::Field, String),
    /// Too many flows from this client or origin, or too many open at once.
    #[error("too many sign-ins were started; try again in {retry_after_secs} s")]
    TooMany { retry_after_secs: u64 },
    #[error("{0}")]
    Internal(String),
}

impl From<store::StoreError> for FlowError {
    fn from(e: store::StoreError) -> Self {
        FlowError::Internal(e.to_string())
    }
}

fn internal(e: impl std::fmt::Display) -> CallerError {
    CallerError::Internal(e.to_string())
}

fn authorize_again(reason: impl Into<String>) -> CallerError {
    CallerError::AuthorizationRequired {
        reason: reason.into(),
    }
}

pub struct AuthService {
    settings: AuthSettings,
    oauth: OAuthClient,
    store: Arc<dyn TokenStore>,
    cipher: Cipher,
    clock: Arc<dyn Clock>,
    /// Per flow, the long-polls waiting for it to end (only its own polls wake).
    flow_signals: Keyed<tokio::sync::Notify>,
    flow_limits: FlowLimits,
    /// DPoP proofs seen recently (each is accepted once).
    replay_guard: dpop::ReplayGuard,
    /// Long-polls woken by their flow ending (not by their deadline).
    poll_wakeups: AtomicU64,
    /// One async mutex per user with a refresh in progress (single-flight refresh).
    refresh_locks: Keyed<tokio::sync::Mutex<()>>,
    refreshes: AtomicU64,
}

impl std::fmt::Debug for AuthService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService")
            .field("client_id", &self.settings.client_id)
            .finish_non_exhaustive()
    }
}

impl AuthService {
    pub fn new(
        settings: AuthSettings,
        key: &TokenKey,
        store: Arc<dyn TokenStore>,
        clock: Arc<dyn Clock>,
        http: reqwest::Client,
    ) -> Result<Arc<Self>, AuthConfigError> {
        let oauth = OAuthClient::new(&settings, http).map_err(AuthConfigError::Invalid)?;
        Ok(Arc::new(AuthService {
            flow_limits: FlowLimits::new(&settings.flow_limits),
            settings,
            oauth,
            store,
            cipher: Cipher::new(key),
            clock,
            flow_signals: Keyed::default(),
            poll_wakeups: AtomicU64::new(0),
            replay_guard: dpop::ReplayGuard::default(),
            refresh_locks: Keyed::default(),
            refreshes: AtomicU64::new(0),
        }))
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// Sign-in flows under way and live sessions, across every proxy on this database.
    pub async fn counts(&self) -> Result<(i64, i64), store::StoreError> {
        let flows = self.store.count_unexpired_flows(self.now()).await?;
        let sessions = self.store.count_all_live_sessions().await?;
        Ok((flows, sessions))
    }

    /// How many waiting long-polls were woken because their flow ended.
    pub fn poll_wakeups(&self) -> u64 {
        self.poll_wakeups.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many refresh requests this process sent to the authorization server.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The origin of a request (see [`request_origin`]).
    pub fn origin_of(&self, headers: &HeaderMap) -> Option<String> {
        request_origin(headers, &self.settings.public_origin)
    }

    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.settings.allowed_origins.allows(origin)
    }
}

fn log_reason(what: &str, e: impl std::fmt::Display) -> String {
    tracing::error!(error = %e, "{what}");
    what.to_owned()
}

fn expiry(now: i64, tokens: &TokenSet) -> i64 {
    let lifetime = tokens
        .expires_in
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECS);
    now.saturating_add(lifetime)
}

/// OAuth error codes are `[a-z_]`; anything else is not echoed onto our page.
fn sanitize_code(raw: &str) -> String {
    let code: String = raw
        .chars()
        .filter(|c| c.is_ascii_lowercase() || *c == '_')
        .take(64)
        .collect();
    if code.is_empty() {
        "an unknown error".to_owned()
    } else {
        code
    }
}

#[async_trait::async_trait]
impl Authorizer for AuthService {
    async fn caller(&self, parts: &Parts) -> Result<Caller, CallerError> {
        self.authenticate(parts).await.map(|a| a.caller)
    }

    async fn exchange_token(&self, caller: &Caller) -> Result<SecretString, CallerError> {
        self.access_token(&caller.user_id).await
    }

    async fn token_rejected(&self, caller: &Caller) {
        // Exchange refused a token we believed valid: the grant is no good; authorize again.
        let _guard = match self.lock_user(&caller.user_id).await {
            Ok(guard) => guard,
            Err(e) => {
                tracing::error!(error = %e, "cannot forget rejected tokens");
                return;
            }
        };
        if let Err(e) = self.store.delete_tokens(&caller.user_id).await {
            tracing::error!(error = %e, "cannot forget rejected tokens");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_error_codes_are_sanitised() {
        assert_eq!(sanitize_code("access_denied"), "access_denied");
        assert_eq!(sanitize_code("<script>"), "script");
        assert_eq!(sanitize_code("<>"), "an unknown error");
    }
}
