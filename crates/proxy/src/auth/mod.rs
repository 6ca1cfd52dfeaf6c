//! Per-user authorization: OAuth 2.0 authorization code + PKCE as a confidential client,
//! tokens held (encrypted) by the proxy, and opaque session handles bound to the embedding
//! origin that the widget sends as `Authorization: Bearer`.
//!
//! [`AuthService`] implements [`crate::session::Authorizer`] for the JSON API and backs the
//! flow endpoints in [`routes`]. Tokens never leave this module except as the Exchange bearer
//! token handed to the EWS client; they are never logged and never sent to the browser.

pub mod clock;
pub mod config;
pub mod crypto;
pub mod oauth;
pub mod origin;
pub mod routes;
pub mod store;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use self::clock::Clock;
use self::config::{AuthConfig, AuthConfigError, AuthContext, AuthSettings};
use self::crypto::{Cipher, Purpose, TokenKey, random_token, sha256};
use self::oauth::{OAuthClient, OAuthError, TokenSet};
use self::origin::request_origin;
use self::store::{
    CompletedFlow, FlowRecord, FlowStatus, NewFlow, StoredTokens, TokenStore, UserRecord,
};
use crate::dev_auth::{DevAuthServer, DevAuthSettings};
use crate::session::{Authorizer, Caller, CallerError};

/// Access tokens without `expires_in` are assumed to live this long (the common default).
const DEFAULT_TOKEN_LIFETIME_SECS: i64 = 3600;
/// Longest long-poll the flow status endpoint holds a request for.
pub const MAX_WAIT: Duration = Duration::from_secs(25);
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
    Invalid(&'static str, String),
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

/// `POST /api/auth/flows` answer.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowStarted {
    pub flow_id: String,
    pub authorize_url: String,
    pub expires_at: DateTime<Utc>,
}

/// `GET /api/auth/flows/{id}` answer. No `Debug`: it can carry a session handle.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowView {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Query of the OAuth redirect (`/auth/callback`). No `Debug`: the code is a credential.
#[derive(Default, serde::Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// What the callback page shows and whom it tells.
#[derive(Debug)]
pub struct CallbackOutcome {
    /// `None` when the response matched no flow (bad or reused state): nobody to notify.
    pub flow: Option<FlowTarget>,
    pub status: FlowStatus,
    /// Sentence for the page.
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct FlowTarget {
    pub id: String,
    /// The exact embedding origin (postMessage target).
    pub origin: String,
    pub return_to: Option<String>,
}

/// A session presented by a request, after the origin check.
struct Authenticated {
    caller: Caller,
    handle_hash: Vec<u8>,
}

pub struct AuthService {
    settings: AuthSettings,
    oauth: OAuthClient,
    store: Arc<dyn TokenStore>,
    cipher: Cipher,
    clock: Arc<dyn Clock>,
    /// Bumped whenever a flow ends: long-polls wake up and re-read their flow.
    flow_events: tokio::sync::watch::Sender<u64>,
    /// One async mutex per user with a refresh in progress (single-flight refresh).
    refresh_locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
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
        let (flow_events, _) = tokio::sync::watch::channel(0);
        Ok(Arc::new(AuthService {
            settings,
            oauth,
            store,
            cipher: Cipher::new(key),
            clock,
            flow_events,
            refresh_locks: Mutex::new(HashMap::new()),
            refreshes: AtomicU64::new(0),
        }))
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// How many refresh requests this process sent to the authorization server.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    fn notify_flows(&self) {
        self.flow_events.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The origin of a request (see [`request_origin`]).
    pub fn origin_of(&self, headers: &HeaderMap) -> Option<String> {
        request_origin(headers, &self.settings.public_origin)
    }

    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.settings.allowed_origins.allows(origin)
    }

    // ---- sessions -------------------------------------------------------------------------

    async fn authenticate(&self, headers: &HeaderMap) -> Result<Authenticated, CallerError> {
        let handle = crate::extract::bearer_token(headers)
            .ok_or_else(|| authorize_again("no session: sign in first"))?;
        // Handles are 32 random bytes in base64url; anything else is not worth a lookup.
        if handle.len() != 43
            || !handle
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(authorize_again("the session handle is not valid"));
        }
        let handle_hash = sha256(&handle);
        let session = self
            .store
            .session(&handle_hash)
            .await
            .map_err(internal)?
            .ok_or_else(|| authorize_again("the session has ended or is unknown"))?;
        let max_age = i64::try_from(self.settings.session_max_age.as_secs()).unwrap_or(i64::MAX);
        if session.created_at.saturating_add(max_age) <= self.now() {
            self.store
                .revoke_session(&handle_hash, self.now())
                .await
                .map_err(internal)?;
            return Err(authorize_again("the session has expired; sign in again"));
        }
        match self.origin_of(headers) {
            Some(origin) if origin == session.origin => {}
            _ => {
                // A handle is only good from the page it was issued to: copied elsewhere, refuse.
                tracing::warn!(user = %session.user.id, "session handle presented from another origin");
                return Err(CallerError::Forbidden(
                    "this session belongs to another site; it cannot be used from this origin"
                        .to_owned(),
                ));
            }
        }
        Ok(Authenticated {
            caller: Caller {
                display_name: session.user.display_name(),
                user_id: session.user.id,
            },
            handle_hash,
        })
    }

    /// `GET /api/auth/status`.
    pub async fn status(&self, headers: &HeaderMap) -> Result<model::AuthStatus, CallerError> {
        let auth = match self.authenticate(headers).await {
            Ok(a) => a,
            Err(CallerError::AuthorizationRequired { .. }) => {
                return Ok(model::AuthStatus::default());
            }
            Err(e) => return Err(e),
        };
        // Ask for a usable token, so "authorized" means the next action will not need a popup
        // (a revoked grant shows up here, before the click, not after it).
        match self.exchange_token(&auth.caller).await {
            Ok(_) => {}
            Err(CallerError::AuthorizationRequired { .. }) => {
                return Ok(model::AuthStatus::default());
            }
            // The authorization server is unreachable right now: the grant may well be fine.
            Err(CallerError::Internal(detail)) => {
                tracing::warn!(%detail, "status: token check failed")
            }
            Err(e) => return Err(e),
        }
        Ok(model::AuthStatus {
            authorized: true,
            user: Some(auth.caller.display_name),
        })
    }

    /// `POST /api/auth/signout`: revokes the presented session. The user's tokens go too (and
    /// the refresh token is revoked at the server, best effort) once no other session of theirs
    /// is left. Unknown or ended sessions are fine: signing out twice is not an error.
    pub async fn sign_out(&self, headers: &HeaderMap) -> Result<(), CallerError> {
        let auth = match self.authenticate(headers).await {
            Ok(a) => a,
            Err(CallerError::AuthorizationRequired { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        self.store
            .revoke_session(&auth.handle_hash, self.now())
            .await
            .map_err(internal)?;
        let user_id = &auth.caller.user_id;
        if self
            .store
            .count_live_sessions(user_id)
            .await
            .map_err(internal)?
            > 0
        {
            return Ok(());
        }
        let lock = self.user_lock(user_id);
        let _guard = lock.lock().await;
        if let Some(tokens) = self.store.tokens(user_id).await.map_err(internal)? {
            self.store.delete_tokens(user_id).await.map_err(internal)?;
            if let Some(ct) = &tokens.refresh_ct {
                match self.cipher.open(Purpose::RefreshToken, user_id, ct) {
                    Ok(refresh) => {
                        if let Err(e) = self.oauth.revoke_refresh_token(&refresh).await {
                            tracing::warn!(error = %e, "sign-out: revoking the refresh token failed");
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "sign-out: stored refresh token unreadable")
                    }
                }
            }
        }
        Ok(())
    }

    // ---- tokens ---------------------------------------------------------------------------

    fn is_fresh(&self, tokens: &StoredTokens, now: i64) -> bool {
        let margin = i64::try_from(self.settings.refresh_margin.as_secs()).unwrap_or(i64::MAX);
        tokens.expires_at.saturating_sub(margin) > now
    }

    fn user_lock(&self, user_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        // A poisoned map only means another thread panicked mid-insert; the map is still valid.
        let mut locks = self.refresh_locks.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(lock) = locks.get(user_id).and_then(Weak::upgrade) {
            return lock;
        }
        if locks.len() > 1024 {
            locks.retain(|_, w| w.strong_count() > 0);
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(user_id.to_owned(), Arc::downgrade(&lock));
        lock
    }

    /// Decrypts the stored access token. A row that cannot be decrypted (the key changed, or
    /// the row was tampered with) will never work again: forget it and authorize again, rather
    /// than failing every action with a server error.
    async fn open_access(&self, tokens: &StoredTokens) -> Result<SecretString, CallerError> {
        match self
            .cipher
            .open(Purpose::AccessToken, &tokens.user_id, &tokens.access_ct)
        {
            Ok(access) => Ok(access),
            Err(e) => {
                tracing::error!(user = %tokens.user_id, error = %e, "stored access token cannot be decrypted");
                self.store
                    .delete_tokens(&tokens.user_id)
                    .await
                    .map_err(internal)?;
                Err(authorize_again(
                    "the stored authorization is unreadable; sign in again",
                ))
            }
        }
    }

    /// A usable access token, refreshed ahead of expiry; concurrent callers for one user share
    /// one refresh (they wait for the first, then read what it saved).
    pub async fn access_token(&self, user_id: &str) -> Result<SecretString, CallerError> {
        let tokens = self
            .store
            .tokens(user_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| authorize_again("not authorized with Exchange yet"))?;
        if self.is_fresh(&tokens, self.now()) {
            return self.open_access(&tokens).await;
        }
        let lock = self.user_lock(user_id);
        let _guard = lock.lock().await;
        // Whoever held the lock before us may have refreshed already.
        let tokens = self
            .store
            .tokens(user_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| authorize_again("the authorization was withdrawn; sign in again"))?;
        let now = self.now();
        if self.is_fresh(&tokens, now) {
            return self.open_access(&tokens).await;
        }
        self.refresh_locked(tokens, now).await
    }

    /// Refreshes while holding the user's lock.
    async fn refresh_locked(
        &self,
        tokens: StoredTokens,
        now: i64,
    ) -> Result<SecretString, CallerError> {
        let user_id = tokens.user_id.clone();
        let Some(refresh_ct) = &tokens.refresh_ct else {
            if tokens.expires_at > now {
                return self.open_access(&tokens).await;
            }
            self.store.delete_tokens(&user_id).await.map_err(internal)?;
            return Err(authorize_again(
                "the authorization expired and cannot be renewed; sign in again",
            ));
        };
        let refresh = match self
            .cipher
            .open(Purpose::RefreshToken, &user_id, refresh_ct)
        {
            Ok(r) => r,
            Err(e) => {
                // Wrong key or tampered row: unusable forever, so start over cleanly.
                tracing::error!(user = %user_id, error = %e, "stored refresh token cannot be decrypted");
                self.store.delete_tokens(&user_id).await.map_err(internal)?;
                return Err(authorize_again(
                    "the stored authorization is unreadable; sign in again",
                ));
            }
        };
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        match self.oauth.refresh(&refresh).await {
            Ok(set) => {
                let now = self.now();
                let expires_at = expiry(now, &set);
                let access = set.access_token;
                // Servers that do not rotate send no new refresh token: keep the old one.
                let refresh = set.refresh_token.unwrap_or(refresh);
                let new = StoredTokens {
                    user_id: user_id.clone(),
                    access_ct: self
                        .cipher
                        .seal(Purpose::AccessToken, &user_id, &access)
                        .map_err(internal)?,
                    refresh_ct: Some(
                        self.cipher
                            .seal(Purpose::RefreshToken, &user_id, &refresh)
                            .map_err(internal)?,
                    ),
                    expires_at,
                    scope: set.scope.unwrap_or(tokens.scope),
                    version: tokens.version,
                };
                if self
                    .store
                    .rotate_tokens(&new, tokens.version)
                    .await
                    .map_err(internal)?
                {
                    tracing::debug!(user = %user_id, "access token refreshed");
                    Ok(access)
                } else {
                    // Another process replaced the tokens meanwhile (a new sign-in): theirs win.
                    tracing::warn!(user = %user_id, "tokens changed during refresh; using the newer ones");
                    let current = self
                        .store
                        .tokens(&user_id)
                        .await
                        .map_err(internal)?
                        .ok_or_else(|| {
                            authorize_again("the authorization was withdrawn; sign in again")
                        })?;
                    self.open_access(&current).await
                }
            }
            Err(OAuthError::AuthorizationRequired(why)) => {
                tracing::info!(user = %user_id, reason = %why, "refresh refused: the user must authorize again");
                self.store.delete_tokens(&user_id).await.map_err(internal)?;
                Err(authorize_again(
                    "the authorization expired or was revoked; sign in again",
                ))
            }
            Err(e) => {
                // Temporary trouble: a token that has not actually expired yet still works.
                tracing::warn!(user = %user_id, error = %e, "token refresh failed");
                if tokens.expires_at > self.now() {
                    self.open_access(&tokens).await
                } else {
                    Err(internal(format!("could not renew the authorization: {e}")))
                }
            }
        }
    }

    // ---- flows ----------------------------------------------------------------------------

    /// `POST /api/auth/flows`.
    pub async fn start_flow(
        &self,
        origin: Option<String>,
        return_to: Option<&str>,
    ) -> Result<FlowStarted, FlowError> {
        let origin = origin.filter(|o| self.origin_allowed(o)).ok_or_else(|| {
            FlowError::Forbidden("this origin may not start a sign-in with this proxy".to_owned())
        })?;
        let return_to = return_to
            .map(|raw| check_return_to(raw, &origin))
            .transpose()?;
        let now = self.clock.now();
        let ttl = chrono::Duration::from_std(self.settings.flow_ttl)
            .unwrap_or(chrono::Duration::minutes(10));
        let expires_at = now + ttl;
        // Housekeeping rides along with flow creation (flows are rare; no background task).
        self.store
            .sweep_flows(now.timestamp(), now.timestamp() - FORGET_FLOWS_AFTER_SECS)
            .await?;

        let start = self.oauth.start();
        let id = random_token(16);
        let verifier_ct = self
            .cipher
            .seal(Purpose::PkceVerifier, &id, &start.pkce_verifier)
            .map_err(|e| FlowError::Internal(e.to_string()))?;
        self.store
            .insert_flow(&NewFlow {
                id: id.clone(),
                state_hash: sha256(start.state.expose_secret()),
                verifier_ct,
                origin,
                return_to,
                created_at: now.timestamp(),
                expires_at: expires_at.timestamp(),
            })
            .await?;
        Ok(FlowStarted {
            flow_id: id,
            authorize_url: start.url.to_string(),
            expires_at,
        })
    }

    /// `GET /api/auth/flows/{id}?wait=N`: waits up to `wait` for the flow to end.
    pub async fn poll_flow(
        &self,
        id: &str,
        origin: Option<String>,
        wait: Duration,
    ) -> Result<FlowView, FlowError> {
        let deadline = tokio::time::Instant::now() + wait.min(MAX_WAIT);
        // Subscribe before reading, so an end between the read and the wait is not missed.
        let mut events = self.flow_events.subscribe();
        loop {
            let flow = self
                .store
                .flow(id)
                .await?
                .ok_or_else(|| FlowError::NotFound("no such flow".to_owned()))?;
            if origin.as_deref() != Some(flow.origin.as_str()) {
                return Err(FlowError::Forbidden(
                    "this flow was started by another origin".to_owned(),
                ));
            }
            if flow.status.is_final() {
                return self.flow_view(&flow).await;
            }
            let now = self.now();
            if flow.expires_at <= now {
                if self
                    .store
                    .end_flow(&flow.id, FlowStatus::Expired, Some(EXPIRED_REASON), now)
                    .await?
                {
                    self.notify_flows();
                }
                continue;
            }
            let until_expiry =
                Duration::from_secs(u64::try_from(flow.expires_at - now).unwrap_or(0));
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            if remaining.is_zero() {
                return Ok(FlowView {
                    status: "pending",
                    session_handle: None,
                    user: None,
                    reason: None,
                });
            }
            // Woken by any flow ending, at the poll deadline, or when this flow expires.
            let _ = tokio::time::timeout(
                remaining.min(until_expiry + Duration::from_millis(50)),
                events.changed(),
            )
            .await;
        }
    }

    async fn flow_view(&self, flow: &FlowRecord) -> Result<FlowView, FlowError> {
        let mut view = FlowView {
            status: flow.status.as_str(),
            session_handle: None,
            user: None,
            reason: flow.reason.clone(),
        };
        if flow.status == FlowStatus::Done {
            if let Some(ct) = self.store.take_flow_handle(&flow.id).await? {
                let handle = self
                    .cipher
                    .open(Purpose::FlowSessionHandle, &flow.id, &ct)
                    .map_err(|e| FlowError::Internal(e.to_string()))?;
                view.session_handle = Some(handle.expose_secret().to_owned());
            } else {
                view.reason = Some("the session handle was already delivered".to_owned());
            }
            if let Some(user_id) = &flow.user_id {
                view.user = self.store.user(user_id).await?.map(|u| u.display_name());
            }
        }
        Ok(view)
    }

    /// `GET /auth/callback`: finishes the flow the `state` belongs to.
    pub async fn callback(&self, q: &CallbackQuery) -> CallbackOutcome {
        let invalid = |message: &str| CallbackOutcome {
            flow: None,
            status: FlowStatus::Failed,
            message: message.to_owned(),
        };
        let Some(state) = q
            .state
            .as_deref()
            .filter(|s| !s.is_empty() && s.len() <= 512)
        else {
            return invalid(
                "This sign-in response is incomplete (no state). Start again from the form.",
            );
        };
        let flow = match self.store.claim_flow(&sha256(state)).await {
            Ok(Some(flow)) => flow,
            Ok(None) => {
                tracing::warn!("callback with an unknown or already used state");
                return invalid(
                    "This sign-in response is not valid or was already used. Start again from the form.",
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "callback: store failure");
                return invalid(
                    "The sign-in could not be completed because of a server problem. Try again.",
                );
            }
        };
        let target = FlowTarget {
            id: flow.id.clone(),
            origin: flow.origin.clone(),
            return_to: flow.return_to.clone(),
        };
        let (status, reason) = self.finish_flow(&flow, q).await;
        let message = match status {
            FlowStatus::Done => "You're signed in — you can close this window.".to_owned(),
            FlowStatus::Denied => "Authorization was denied. You can close this window.".to_owned(),
            FlowStatus::Expired => {
                "This sign-in took too long and expired. Close this window and try again."
                    .to_owned()
            }
            _ => format!(
                "Signing in failed: {}. Close this window and try again.",
                reason.as_deref().unwrap_or("unknown error")
            ),
        };
        self.notify_flows();
        CallbackOutcome {
            flow: Some(target),
            status,
            message,
        }
    }

    /// Completes a claimed flow; returns its final status and reason.
    async fn finish_flow(
        &self,
        flow: &FlowRecord,
        q: &CallbackQuery,
    ) -> (FlowStatus, Option<String>) {
        let now = self.now();
        let end = |status: FlowStatus, reason: Option<String>| async move {
            if let Err(e) = self
                .store
                .end_flow(&flow.id, status, reason.as_deref(), now)
                .await
            {
                tracing::error!(error = %e, "callback: cannot record the flow's end");
            }
            (status, reason)
        };
        if flow.expires_at <= now {
            return end(FlowStatus::Expired, Some(EXPIRED_REASON.to_owned())).await;
        }
        if let Some(error) = q.error.as_deref() {
            let code = sanitize_code(error);
            if code == "access_denied" {
                return end(FlowStatus::Denied, Some("access_denied".to_owned())).await;
            }
            tracing::info!(error = %code, "authorization server returned an error");
            return end(
                FlowStatus::Failed,
                Some(format!("the authorization server answered {code}")),
            )
            .await;
        }
        let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
            return end(
                FlowStatus::Failed,
                Some("the authorization server sent no code".to_owned()),
            )
            .await;
        };
        match self.complete(flow, code).await {
            Ok(()) => (FlowStatus::Done, None),
            Err(reason) => end(FlowStatus::Failed, Some(reason)).await,
        }
    }

    async fn complete(&self, flow: &FlowRecord, code: &str) -> Result<(), String> {
        let verifier = self
            .cipher
            .open(Purpose::PkceVerifier, &flow.id, &flow.verifier_ct)
            .map_err(|e| log_reason("PKCE verifier unreadable", e))?;
        let tokens = self
            .oauth
            .exchange_code(code, &verifier)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "code exchange failed");
                match e {
                    OAuthError::Transport(_) => {
                        "the authorization server could not be reached".to_owned()
                    }
                    _ => "the authorization server refused the code".to_owned(),
                }
            })?;
        let identity = self
            .oauth
            .identify(&tokens, self.now())
            .await
            .map_err(|e| log_reason("identifying the user failed", e))?;
        let now = self.now();
        let user_id = identity.subject.clone();
        let seal = |p: Purpose, s: &SecretString| {
            self.cipher
                .seal(p, &user_id, s)
                .map_err(|e| log_reason("encryption failed", e))
        };
        let stored = StoredTokens {
            user_id: user_id.clone(),
            access_ct: seal(Purpose::AccessToken, &tokens.access_token)?,
            refresh_ct: tokens
                .refresh_token
                .as_ref()
                .map(|r| seal(Purpose::RefreshToken, r))
                .transpose()?,
            expires_at: expiry(now, &tokens),
            scope: tokens
                .scope
                .clone()
                .unwrap_or_else(|| self.settings.scopes.join(" ")),
            version: 0,
        };
        let handle = SecretString::from(random_token(32));
        let handle_ct = self
            .cipher
            .seal(Purpose::FlowSessionHandle, &flow.id, &handle)
            .map_err(|e| log_reason("encryption failed", e))?;
        let done = CompletedFlow {
            flow_id: flow.id.clone(),
            user: UserRecord {
                id: user_id,
                email: identity.email,
                name: identity.name,
            },
            tokens: stored,
            session_hash: sha256(handle.expose_secret()),
            session_origin: flow.origin.clone(),
            handle_ct,
            now,
        };
        // A new grant replaces the old tokens; the single-flight lock keeps a concurrent
        // refresh from overwriting them with its older grant's result.
        let lock = self.user_lock(&done.user.id);
        let _guard = lock.lock().await;
        self.store
            .complete_flow(&done)
            .await
            .map_err(|e| log_reason("saving the sign-in failed", e))?;
        tracing::info!(user = %done.user.id, origin = %flow.origin, "user authorized");
        Ok(())
    }
}

/// The authorization module as the proxy runs it: the service, plus the development
/// authorization server when sandbox mode uses it.
pub struct AuthRuntime {
    pub service: Arc<AuthService>,
    pub dev_server: Option<Arc<DevAuthServer>>,
}

impl AuthRuntime {
    /// From the configuration file's `[auth]` table plus `XF_*` environment overrides.
    /// `Ok(None)` outside sandbox mode when no authorization server is configured at all (the
    /// proxy then answers every API call with 401 and says so in the log).
    pub async fn start(
        auth_table: &toml::Table,
        ctx: &AuthContext,
        pool: sqlx::SqlitePool,
        clock: Arc<dyn Clock>,
    ) -> Result<Option<Self>, AuthConfigError> {
        let mut config = AuthConfig::from_table(auth_table)?;
        config.apply_env(|k| std::env::var(k).ok())?;
        if !ctx.sandbox && config.is_unconfigured() {
            tracing::warn!(
                "no authorization server configured ([auth] issuer / preset / endpoints): every API call will answer 401"
            );
            return Ok(None);
        }
        Self::start_with(&config, ctx, pool, clock).await.map(Some)
    }

    /// Resolves `config` (discovery, key), opens the token store on `pool` (the proxy's
    /// database) and, in sandbox mode without another authorization server, starts the
    /// development one (`<data_dir>/dev-auth.sqlite`) with a fresh shared client secret.
    pub async fn start_with(
        config: &AuthConfig,
        ctx: &AuthContext,
        pool: sqlx::SqlitePool,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, AuthConfigError> {
        let http = oauth::http_client().map_err(AuthConfigError::Invalid)?;
        let mut settings = config.resolve(ctx, &http).await?;
        let key = config.token_key(ctx)?;
        let dev_server = match settings.dev_server.clone() {
            Some(dev) => {
                let secret = match &settings.client_secret {
                    Some(s) => s.0.clone(),
                    None => SecretString::from(random_token(32)),
                };
                settings.client_secret = Some(config::ConfigSecret(secret.clone()));
                let path = ctx.data_dir.join("dev-auth.sqlite");
                let dev_pool = crate::db::open(&path).await.map_err(|e| {
                    AuthConfigError::Invalid(format!("cannot open {}: {e}", path.display()))
                })?;
                let dev_settings = DevAuthSettings {
                    issuer: dev.issuer,
                    client_id: settings.client_id.clone(),
                    client_secret: secret,
                    redirect_uris: vec![settings.redirect_uri.to_string()],
                    access_token_ttl: dev.access_token_ttl,
                };
                let server = DevAuthServer::new(dev_settings, dev_pool, clock.clone())
                    .await
                    .map_err(|e| {
                        AuthConfigError::Invalid(format!("cannot prepare {}: {e}", path.display()))
                    })?;
                Some(server)
            }
            None => None,
        };
        let store = store::SqliteStore::new(pool).await.map_err(|e| {
            AuthConfigError::Invalid(format!("cannot prepare the token store: {e}"))
        })?;
        check_key(&store, &key, ctx.sandbox).await?;
        let service = AuthService::new(settings, &key, Arc::new(store), clock, http)?;
        Ok(AuthRuntime {
            service,
            dev_server,
        })
    }

    /// The flow endpoints (`/api/auth/*`, `/auth/callback`): put them behind the CORS layer.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        routes::routes(self.service.clone())
    }

    /// The development authorization server's endpoints under `/sandbox/oauth/` (empty unless
    /// it runs). Not for CORS: browsers reach them by navigation, the proxy server-to-server.
    pub fn dev_routes<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        match &self.dev_server {
            Some(dev) => dev.routes(),
            None => axum::Router::new(),
        }
    }

    /// The OIDC userinfo endpoint in use (the sandbox mailbox resolves bearer tokens there).
    pub fn userinfo_url(&self) -> Option<&Url> {
        self.service.settings.userinfo_url.as_ref()
    }
}

/// Refuses to start with a token key other than the one the stored tokens were sealed with: a
/// wrong `XF_TOKEN_KEY` would otherwise make every user's tokens unreadable at once. In sandbox
/// mode (key file deleted, say) the old tokens are dropped instead, so one command still works.
async fn check_key(
    store: &dyn TokenStore,
    key: &TokenKey,
    sandbox: bool,
) -> Result<(), AuthConfigError> {
    const CHECK: &str = "exchange-forms token key check";
    let cipher = Cipher::new(key);
    let fail =
        |e: &dyn std::fmt::Display| AuthConfigError::Invalid(format!("token key check: {e}"));
    let existing = store.key_check().await.map_err(|e| fail(&e))?;
    let matches = existing.as_deref().map(|ct| {
        cipher
            .open(Purpose::KeyCheck, "proxy", ct)
            .is_ok_and(|p| p.expose_secret() == CHECK)
    });
    match matches {
        Some(true) => return Ok(()),
        Some(false) if !sandbox => {
            return Err(AuthConfigError::Invalid(
                "the token key (XF_TOKEN_KEY / auth.token_key) is not the key the stored tokens were encrypted with: \
                 restore the previous key, or delete the rows of table auth_tokens so that every user signs in again"
                    .to_owned(),
            ));
        }
        Some(false) => tracing::warn!(
            "sandbox: the token key changed; stored tokens are dropped (users sign in again)"
        ),
        None => {}
    }
    let sealed = cipher
        .seal(Purpose::KeyCheck, "proxy", &SecretString::from(CHECK))
        .map_err(|e| fail(&e))?;
    store
        .reset_key_check(&sealed, matches == Some(false))
        .await
        .map_err(|e| fail(&e))
}

const EXPIRED_REASON: &str = "the sign-in was not completed in time";

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

/// `returnTo` must be an http(s) URL on the very origin that started the flow: the callback
/// redirects there, so anything else would be an open redirect.
fn check_return_to(raw: &str, origin: &str) -> Result<String, FlowError> {
    let refuse = |why: &str| FlowError::Invalid("returnTo", format!("returnTo {why}"));
    if raw.len() > 2048 {
        return Err(refuse("is too long"));
    }
    let url = Url::parse(raw).map_err(|_| refuse("is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(refuse("must be a plain http(s) URL"));
    }
    if origin::origin_of(&url).as_deref() != Some(origin) {
        return Err(refuse("must be on the page's own origin"));
    }
    let mut url = url;
    // The callback appends `#xf_flow=<id>`; an existing fragment would be replaced anyway.
    url.set_fragment(None);
    Ok(url.to_string())
}

#[async_trait::async_trait]
impl Authorizer for AuthService {
    async fn caller(&self, parts: &Parts) -> Result<Caller, CallerError> {
        self.authenticate(&parts.headers).await.map(|a| a.caller)
    }

    async fn exchange_token(&self, caller: &Caller) -> Result<SecretString, CallerError> {
        self.access_token(&caller.user_id).await
    }

    async fn token_rejected(&self, caller: &Caller) {
        // Exchange refused a token we believed valid: the grant is no good; authorize again.
        let lock = self.user_lock(&caller.user_id);
        let _guard = lock.lock().await;
        if let Err(e) = self.store.delete_tokens(&caller.user_id).await {
            tracing::error!(error = %e, "cannot forget rejected tokens");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_must_stay_on_the_flow_origin() {
        let o = "https://host.example";
        assert_eq!(
            check_return_to("https://host.example/page?x=1#old", o).unwrap(),
            "https://host.example/page?x=1"
        );
        for bad in [
            "https://evil.example/",
            "https://host.example.evil.example/",
            "https://host.example@evil.example/",
            "//evil.example/",
            "/relative",
            "javascript:alert(1)",
            "http://host.example/",
            "https://host.example:8443/",
        ] {
            assert!(check_return_to(bad, o).is_err(), "{bad}");
        }
    }

    #[test]
    fn oauth_error_codes_are_sanitized() {
        assert_eq!(sanitize_code("access_denied"), "access_denied");
        assert_eq!(sanitize_code("<script>"), "script");
        assert_eq!(sanitize_code("<>"), "an unknown error");
    }
}
