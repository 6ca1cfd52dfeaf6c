//! Sign-in flows that can only ever serve the browser that started them (docs/design.md,
//! "Sign-in flows").
//!
//! 1. The widget keeps a random secret and starts a flow with its SHA-256 only
//!    (`POST /api/auth/flows`). The answer's `authorizeUrl` is a page of the proxy, not of the
//!    authorization server.
//! 2. That page proceeds only when it receives the secret by `postMessage` from its opener on
//!    the flow's embedding origin (popup), or when the embedding page posts the secret itself
//!    (full-page sign-in). The proxy then sets an `HttpOnly`, `SameSite=Lax` binding cookie for
//!    this flow and only now makes the OAuth state, PKCE verifier and nonce.
//! 3. `/auth/callback` refuses a flow whose binding cookie is missing or different, so a link
//!    completed in another person's browser goes nowhere.
//! 4. The handle reaches only the starter: popup flows hand it to a poller that presents the
//!    secret; full-page flows put it in the fragment of the final redirect, never in a poll.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq as _;
use tokio::sync::Notify;
use url::Url;

use super::crypto::{Purpose, random_token, sha256};
use super::origin;
use super::store::{FlowBinding, FlowRecord, FlowStatus, NewFlow};
use super::{AuthService, FlowError};

/// Longest long-poll the flow status endpoint holds a request for.
pub const MAX_WAIT: Duration = Duration::from_secs(25);
/// Path of the proxy page a flow's `authorizeUrl` opens (`/auth/start/{flowId}`).
pub const START_PATH: &str = "/auth/start";
/// Name prefix of the per-flow binding cookie (`xf_bind_<flowId>`).
pub const BINDING_COOKIE_PREFIX: &str = "xf_bind_";
/// Secrets and their hashes are 32 bytes in unpadded base64url.
const TOKEN_CHARS: usize = 43;

pub const EXPIRED_REASON: &str = "the sign-in was not completed in time";

/// What `POST /api/auth/flows` asks for.
pub struct FlowRequest<'a> {
    pub origin: Option<String>,
    /// The connecting client's address (rate limits); `None` when unknown.
    pub peer: Option<IpAddr>,
    /// base64url SHA-256 of the secret the widget keeps.
    pub secret_hash: &'a str,
    /// Full-page sign-in: come back to this URL (on the flow's origin).
    pub return_to: Option<&'a str>,
    /// Thumbprint of the proof-of-possession key the request proved, if any.
    pub dpop_jkt: Option<String>,
}

/// `POST /api/auth/flows` answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowStarted {
    pub flow_id: String,
    /// The proxy's start page for this flow (never the authorization server itself).
    pub authorize_url: String,
    pub expires_at: DateTime<Utc>,
}

/// `GET /api/auth/flows/{id}` answer. No `Debug`: it can carry a session handle.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowView {
    /// `pending`, `exchanging`, `done`, `denied`, `expired` or `failed`.
    #[schema(value_type = String)]
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the start page is for a flow id.
pub enum StartPage {
    /// A pending popup flow: the page waits for the secret from its opener on `origin`.
    AwaitProof { flow_id: String, origin: String },
    /// Unknown, ended, expired, already bound, or a full-page flow opened as a link.
    Refused(&'static str),
}

/// A flow just bound to this browser: set the cookie, then go to the authorization server.
pub struct Bound {
    pub cookie_name: String,
    pub cookie_value: String,
    pub max_age_secs: i64,
    pub authorize_url: Url,
}

/// Why `/auth/start/{id}` refused to bind (the page says it; nothing else happens).
#[derive(Debug, thiserror::Error)]
pub enum BindRefusal {
    #[error("This sign-in link is not valid or has expired. Start again from the form.")]
    NoSuchFlow,
    #[error("This sign-in was already started. Start again from the form if it did not finish.")]
    AlreadyBound,
    #[error("Open this sign-in from the form you were using.")]
    NotFromTheForm,
    #[error("The sign-in could not be started because of a server problem. Try again.")]
    Internal,
}

fn decode_token(raw: &str) -> Option<Vec<u8>> {
    if raw.len() != TOKEN_CHARS {
        return None;
    }
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .filter(|bytes| bytes.len() == 32)
}

/// Whether `secret` is the one whose hash the flow keeps (constant time).
fn secret_matches(flow: &FlowRecord, secret: &str) -> bool {
    secret.len() == TOKEN_CHARS
        && bool::from(sha256(secret).as_slice().ct_eq(flow.secret_hash.as_slice()))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    use headers::HeaderMapExt as _;
    let cookies: headers::Cookie = headers.typed_get()?;
    cookies.get(name).map(str::to_owned)
}

impl AuthService {
    pub(super) fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// The waiters of one flow (long-polls), created on first use.
    fn flow_signal(&self, id: &str) -> Arc<Notify> {
        self.flow_signals.get_or_make(id, Notify::new)
    }

    /// Wakes the long-polls of this flow only.
    pub(super) fn flow_ended(&self, id: &str) {
        if let Some(signal) = self.flow_signals.get(id) {
            signal.notify_waiters();
        }
    }

    /// `POST /api/auth/flows`.
    pub async fn start_flow(&self, request: FlowRequest<'_>) -> Result<FlowStarted, FlowError> {
        let origin = request
            .origin
            .filter(|o| self.origin_allowed(o))
            .ok_or_else(|| {
                FlowError::Forbidden(
                    "this origin may not start a sign-in with this proxy".to_owned(),
                )
            })?;
        self.flow_limits.check(request.peer, &origin)?;
        let secret_hash = decode_token(request.secret_hash).ok_or_else(|| {
            FlowError::Invalid(
                model::Field::SecretHash,
                "secretHash must be the base64url SHA-256 of the flow's secret (43 characters)"
                    .to_owned(),
            )
        })?;
        let return_to = request
            .return_to
            .map(|raw| check_return_to(raw, &origin))
            .transpose()?;
        if self.store.count_open_flows().await? >= self.settings.flow_limits.max_open_flows() {
            tracing::warn!("the sign-in flow table is full");
            return Err(FlowError::TooMany {
                retry_after_secs: 60,
            });
        }
        let now = self.clock.now();
        let ttl = chrono::Duration::from_std(self.settings.flow_ttl)
            .unwrap_or(chrono::Duration::minutes(10));
        let expires_at = now + ttl;
        let id = random_token(16);
        self.store
            .insert_flow(&NewFlow {
                id: id.clone(),
                secret_hash,
                origin,
                return_to,
                dpop_jkt: request.dpop_jkt,
                created_at: now.timestamp(),
                expires_at: expires_at.timestamp(),
            })
            .await?;
        let mut authorize_url = self.settings.public_base_url.clone();
        authorize_url.set_path(&format!("{START_PATH}/{id}"));
        Ok(FlowStarted {
            flow_id: id,
            authorize_url: authorize_url.to_string(),
            expires_at,
        })
    }

    /// A flow that is still waiting for its browser to prove the secret, if `id` names one.
    async fn bindable_flow(&self, id: &str) -> Result<FlowRecord, BindRefusal> {
        if id.len() > 64 {
            return Err(BindRefusal::NoSuchFlow);
        }
        let flow = self
            .store
            .flow(id)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "start page: store failure");
                BindRefusal::Internal
            })?
            .ok_or(BindRefusal::NoSuchFlow)?;
        if flow.status != FlowStatus::Pending || flow.expires_at <= self.now() {
            return Err(BindRefusal::NoSuchFlow);
        }
        if flow.binding_hash.is_some() {
            return Err(BindRefusal::AlreadyBound);
        }
        Ok(flow)
    }

    /// `GET /auth/start/{id}`: what the start page does for this flow.
    pub async fn start_page(&self, id: &str) -> StartPage {
        match self.bindable_flow(id).await {
            // A full-page flow is bound by the embedding page's own POST, never from a link.
            Ok(flow) if flow.is_redirect() => {
                StartPage::Refused("Open this sign-in from the form you were using.")
            }
            Ok(flow) => StartPage::AwaitProof {
                flow_id: flow.id,
                origin: flow.origin,
            },
            Err(BindRefusal::NoSuchFlow) => StartPage::Refused(
                "This sign-in link is not valid or has expired. Start again from the form.",
            ),
            Err(BindRefusal::AlreadyBound) => StartPage::Refused(
                "This sign-in was already started. Start again from the form if it did not finish.",
            ),
            Err(_) => StartPage::Refused(
                "The sign-in could not be started because of a server problem. Try again.",
            ),
        }
    }

    /// `POST /auth/start/{id}` with the flow's secret: binds the flow to this browser.
    ///
    /// Who may post: for a popup flow only the proxy's own start page (its `Origin` is ours;
    /// the page forwards the secret only from its opener on the flow's origin); for a
    /// full-page flow only the embedding page itself (`Origin` = the flow's origin). Browsers
    /// set `Origin` on every POST and pages cannot forge it, so knowing the secret is not
    /// enough to make *another* person's browser carry the binding cookie.
    pub async fn bind(
        &self,
        id: &str,
        secret: &str,
        headers: &HeaderMap,
    ) -> Result<Bound, BindRefusal> {
        let flow = self.bindable_flow(id).await?;
        if !secret_matches(&flow, secret) {
            tracing::warn!("start: a wrong flow secret was presented");
            return Err(BindRefusal::NotFromTheForm);
        }
        let origin = headers
            .get(axum::http::header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::origins::normalize_origin);
        let expected = if flow.is_redirect() {
            Some(flow.origin.as_str())
        } else {
            Some(self.settings.public_origin.as_str())
        };
        if origin.as_deref() != expected {
            tracing::warn!(origin = ?origin, "start: the secret came from the wrong page");
            return Err(BindRefusal::NotFromTheForm);
        }
        let start = self.oauth.start();
        let verifier_ct = self
            .cipher
            .seal(Purpose::PkceVerifier, &flow.id, &start.pkce_verifier)
            .map_err(|e| {
                tracing::error!(error = %e, "start: sealing the verifier failed");
                BindRefusal::Internal
            })?;
        let cookie_value = random_token(32);
        let binding = FlowBinding {
            binding_hash: sha256(&cookie_value),
            state_hash: sha256(start.state.expose_secret()),
            verifier_ct,
            nonce_hash: sha256(start.nonce.expose_secret()),
        };
        let now = self.now();
        let bound = self
            .store
            .bind_flow(&flow.id, &binding, now)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "start: store failure");
                BindRefusal::Internal
            })?;
        if !bound {
            return Err(BindRefusal::AlreadyBound);
        }
        Ok(Bound {
            cookie_name: format!("{BINDING_COOKIE_PREFIX}{}", flow.id),
            cookie_value,
            max_age_secs: (flow.expires_at - now).max(1),
            authorize_url: start.url,
        })
    }

    /// `GET /api/auth/flows/{id}?wait=N` with the flow's secret: waits up to `wait` for the
    /// flow to end. Unknown flows and wrong secrets look the same (no oracle for flow ids).
    pub async fn poll_flow(
        &self,
        id: &str,
        secret: Option<&str>,
        origin: Option<String>,
        wait: Duration,
    ) -> Result<FlowView, FlowError> {
        let not_found = || FlowError::NotFound("no such flow".to_owned());
        let secret = secret.ok_or_else(not_found)?;
        let deadline = tokio::time::Instant::now() + wait.min(MAX_WAIT);
        let signal = self.flow_signal(id);
        loop {
            // Registered before reading, so an end between the read and the wait is not missed.
            let ended = signal.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            let flow = self.store.flow(id).await?.ok_or_else(not_found)?;
            if !secret_matches(&flow, secret) {
                return Err(not_found());
            }
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
                self.store
                    .end_flow(&flow.id, FlowStatus::Expired, Some(EXPIRED_REASON), now)
                    .await?;
                self.flow_ended(&flow.id);
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
            // Woken when this flow ends, at the poll deadline, or when this flow expires.
            if tokio::time::timeout(
                remaining.min(until_expiry + Duration::from_millis(50)),
                ended,
            )
            .await
            .is_ok()
            {
                self.poll_wakeups
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
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
            if flow.is_redirect() {
                // The handle went back in the final redirect; polling never carries it.
            } else if let Some(ct) = self.store.take_flow_handle(&flow.id).await? {
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

    /// Marks expired flows and forgets ended ones; run on a schedule, not per request.
    pub async fn sweep_flows(&self) -> Result<(), FlowError> {
        let now = self.now();
        self.store
            .sweep_flows(now, now - super::FORGET_FLOWS_AFTER_SECS)
            .await?;
        self.store.forget_proofs(now).await?;
        self.flow_limits.forget_idle();
        Ok(())
    }
}

/// `returnTo` must be an http(s) URL on the very origin that started the flow: the callback
/// redirects there, so anything else would be an open redirect.
pub(super) fn check_return_to(raw: &str, origin: &str) -> Result<String, FlowError> {
    let refuse = |why: &str| FlowError::Invalid(model::Field::ReturnTo, format!("returnTo {why}"));
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
    // The callback puts the outcome in the fragment; an existing one would be replaced anyway.
    url.set_fragment(None);
    Ok(url.to_string())
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
    fn cookies_are_found_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "a=1; xf_bind_abc=secret; xf_bind_abcd=other"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie(&h, "xf_bind_abc").as_deref(), Some("secret"));
        assert_eq!(cookie(&h, "xf_bind_abcd").as_deref(), Some("other"));
        assert_eq!(cookie(&h, "xf_bind_ab"), None);
    }

    #[test]
    fn secret_hashes_are_43_base64url_characters_of_32_bytes() {
        let secret = random_token(32);
        let hash = URL_SAFE_NO_PAD.encode(sha256(&secret));
        assert_eq!(decode_token(&hash).map(|b| b.len()), Some(32));
        assert!(decode_token("short").is_none());
        assert!(decode_token(&"!".repeat(43)).is_none());
    }
}
