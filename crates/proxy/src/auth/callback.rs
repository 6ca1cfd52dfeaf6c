//! The OAuth redirect back to the proxy (`/auth/callback`): it finishes a flow only in the
//! browser that carries the flow's binding cookie, redeems the code and delivers the session
//! handle to the flow's starter (see `flows` for how a flow is started and bound).

use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq as _;

use super::crypto::{Purpose, random_token, sha256};
use super::flows::{BINDING_COOKIE_PREFIX, EXPIRED_REASON, cookie};
use super::oauth::OAuthError;
use super::store::UserRecord;
use super::store::{CompletedFlow, FlowRecord, FlowStatus, StoredTokens};
use super::{AuthService, expiry, log_reason, sanitize_code};

/// Query of the OAuth redirect (`/auth/callback`). No `Debug`: the code is a credential.
#[derive(Default, serde::Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// What the callback page shows and whom it tells. No `Debug`: it can carry a handle.
pub struct CallbackOutcome {
    /// `None` when the response matched no flow of this browser: nobody to notify.
    pub flow: Option<FlowTarget>,
    pub status: FlowStatus,
    /// Sentence for the page.
    pub message: String,
    /// Full-page sign-ins only: the new handle, for the fragment of the final redirect.
    pub handle: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct FlowTarget {
    pub id: String,
    /// The exact embedding origin (postMessage target).
    pub origin: String,
    pub return_to: Option<String>,
}

impl AuthService {
    /// `GET /auth/callback`: finishes the flow the `state` belongs to, if this browser carries
    /// its binding cookie.
    pub async fn callback(&self, q: &CallbackQuery, headers: &HeaderMap) -> CallbackOutcome {
        let invalid = |message: &str| CallbackOutcome {
            flow: None,
            status: FlowStatus::Failed,
            message: message.to_owned(),
            handle: None,
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
        let state_hash = sha256(state);
        // What the page says when the state names no usable flow, or the store fails.
        let unusable = |found: Result<Option<FlowRecord>, super::store::StoreError>| match found {
            Ok(Some(flow)) => Ok(flow),
            Ok(None) => {
                tracing::warn!("callback with an unknown or already used state");
                Err(invalid(
                    "This sign-in response is not valid or was already used. Start again from the form.",
                ))
            }
            Err(e) => {
                tracing::error!(error = %e, "callback: store failure");
                Err(invalid(
                    "The sign-in could not be completed because of a server problem. Try again.",
                ))
            }
        };
        let flow = match unusable(self.store.flow_by_state(&state_hash).await) {
            Ok(flow) => flow,
            Err(page) => return page,
        };
        let presented = cookie(headers, &format!("{BINDING_COOKIE_PREFIX}{}", flow.id));
        let same_browser = match (presented.as_deref(), &flow.binding_hash) {
            (Some(value), Some(expected)) => {
                bool::from(sha256(value).as_slice().ct_eq(expected.as_slice()))
            }
            _ => false,
        };
        if !same_browser {
            // Someone else's sign-in link finished in this browser: end it, use nothing.
            tracing::warn!(flow = %flow.id, "callback without the flow's binding cookie");
            if let Ok(true) = self
                .store
                .end_flow(
                    &flow.id,
                    FlowStatus::Failed,
                    Some("the sign-in was completed in another browser"),
                    self.now(),
                )
                .await
            {
                self.flow_ended(&flow.id);
            }
            return invalid(
                "This sign-in was started in another browser, so it cannot finish here. \
                 Start again from the form you are using.",
            );
        }
        let flow = match unusable(self.store.claim_flow(&state_hash).await) {
            Ok(flow) => flow,
            Err(page) => return page,
        };
        let target = FlowTarget {
            id: flow.id.clone(),
            origin: flow.origin.clone(),
            return_to: flow.return_to.clone(),
        };
        let (status, reason, handle) = self.finish_flow(&flow, q).await;
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
        self.flow_ended(&flow.id);
        CallbackOutcome {
            flow: Some(target),
            status,
            message,
            handle,
        }
    }

    /// Completes a claimed flow; returns its final status, reason and (full-page sign-ins) handle.
    async fn finish_flow(
        &self,
        flow: &FlowRecord,
        q: &CallbackQuery,
    ) -> (FlowStatus, Option<String>, Option<SecretString>) {
        let now = self.now();
        let end = |status: FlowStatus, reason: Option<String>| async move {
            if let Err(e) = self
                .store
                .end_flow(&flow.id, status, reason.as_deref(), now)
                .await
            {
                tracing::error!(error = %e, "callback: cannot record the flow's end");
            }
            (status, reason, None)
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
            Ok(handle) => (FlowStatus::Done, None, flow.is_redirect().then_some(handle)),
            Err(reason) => end(FlowStatus::Failed, Some(reason)).await,
        }
    }

    async fn complete(&self, flow: &FlowRecord, code: &str) -> Result<SecretString, String> {
        let verifier_ct = flow
            .verifier_ct
            .as_deref()
            .ok_or_else(|| log_reason("flow has no PKCE verifier", "not bound"))?;
        let verifier = self
            .cipher
            .open(Purpose::PkceVerifier, &flow.id, verifier_ct)
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
            .identify(&tokens, flow.nonce_hash.as_deref(), self.now())
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "identifying the user failed");
                e.sign_in_reason()
            })?;
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
        let handle_ct = if flow.is_redirect() {
            None
        } else {
            Some(
                self.cipher
                    .seal(Purpose::FlowSessionHandle, &flow.id, &handle)
                    .map_err(|e| log_reason("encryption failed", e))?,
            )
        };
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
            session_jkt: flow.dpop_jkt.clone(),
            handle_ct,
            now,
        };
        // A new grant replaces the old tokens; the single-flight lock keeps a concurrent
        // refresh from overwriting them with its older grant's result.
        let _guard = self
            .lock_user(&done.user.id)
            .await
            .map_err(|e| log_reason("saving the sign-in failed", e))?;
        self.store
            .complete_flow(&done)
            .await
            .map_err(|e| log_reason("saving the sign-in failed", e))?;
        tracing::info!(user = %done.user.id, origin = %flow.origin, "user authorized");
        Ok(handle)
    }
}
