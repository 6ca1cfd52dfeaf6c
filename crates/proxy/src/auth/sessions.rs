//! Sessions: which user a request acts for, proven by the opaque handle the widget holds and
//! by a DPoP proof (RFC 9449, see [`super::dpop`]) made with the widget's non-exportable key,
//! whose thumbprint the session was bound to when its sign-in flow started.

use axum::http::HeaderMap;
use axum::http::request::Parts;
use url::Url;

use super::crypto::{Purpose, sha256};
use super::dpop::{self, DpopError, Expect, Proof};
use super::{AuthService, authorize_again, internal};
use crate::session::{Authorizer as _, Caller, CallerError};

/// The request header carrying the proof.
pub const DPOP_HEADER: &str = "dpop";

/// The session handle of `Authorization: DPoP <handle>` (RFC 9449 §7.1); a `Bearer` handle is
/// read too (by the proxy's one bearer reader), the proof being required either way.
fn presented_handle(headers: &HeaderMap) -> Option<String> {
    let dpop = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("dpop"))
        .map(|(_, handle)| handle.trim().to_owned());
    dpop.or_else(|| crate::extract::bearer_token(headers))
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// A session presented by a request, after the origin check.
pub(super) struct Authenticated {
    pub(super) caller: Caller,
    pub(super) handle_hash: Vec<u8>,
}

impl AuthService {
    pub(super) async fn authenticate(&self, parts: &Parts) -> Result<Authenticated, CallerError> {
        let headers = &parts.headers;
        let handle = presented_handle(headers)
            .ok_or_else(|| authorize_again("no session: sign in first"))?;
        let handle = handle.as_str();
        // Handles are 32 random bytes in base64url; anything else is not worth a lookup.
        if handle.len() != 43
            || !handle
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(authorize_again("the session handle is not valid"));
        }
        let handle_hash = sha256(handle);
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
        let Some(jkt) = session.dpop_jkt.as_deref() else {
            return Err(authorize_again(
                "this session is not bound to a key; sign in again",
            ));
        };
        // The handle alone is not enough: the request must be signed with the session's key.
        self.check_proof(
            parts,
            Expect {
                jkt: Some(jkt),
                access_token: Some(handle),
                ..Expect::default()
            },
        )
        .await?;
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
                mailbox: session.user.email.clone(),
                user_id: session.user.id,
            },
            handle_hash,
        })
    }

    /// `GET /api/auth/status`.
    pub async fn status(&self, parts: &Parts) -> Result<model::AuthStatus, CallerError> {
        let auth = match self.authenticate(parts).await {
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
    pub async fn sign_out(&self, parts: &Parts) -> Result<(), CallerError> {
        let auth = match self.authenticate(parts).await {
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
        let _guard = self.lock_user(user_id).await.map_err(internal)?;
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
}

impl AuthService {
    /// The key a flow-starting request proves possession of: the session it leads to will be
    /// bound to it.
    pub async fn flow_key(&self, parts: &Parts) -> Result<Option<String>, CallerError> {
        let proof = self.check_proof(parts, Expect::default()).await?;
        Ok(Some(proof.jkt))
    }

    /// The URL the client addressed: the public base URL with this request's path.
    fn addressed_url(&self, parts: &Parts) -> Url {
        let mut url = self.settings.public_base_url.clone();
        url.set_path(parts.uri.path());
        url
    }

    /// The same URL under the loopback name the request came to (`localhost` for `127.0.0.1`),
    /// when the proxy's public URL is itself on loopback: it is the same proxy.
    fn loopback_alias(&self, parts: &Parts, addressed: &Url) -> Option<Url> {
        if !addressed.host_str().is_some_and(is_loopback) {
            return None;
        }
        let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
        let named = Url::parse(&format!("{}://{host}/", addressed.scheme())).ok()?;
        let name = named.host_str().filter(|h| is_loopback(h))?;
        if Some(name) == addressed.host_str() {
            return None;
        }
        let mut alias = addressed.clone();
        alias.set_host(Some(name)).ok()?;
        Some(alias)
    }

    /// Verifies the request's DPoP proof and remembers it (each proof is accepted once): in
    /// this process's memory, and in the store when other processes share it.
    async fn check_proof(&self, parts: &Parts, expect: Expect<'_>) -> Result<Proof, CallerError> {
        let proof = parts
            .headers
            .get(DPOP_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                authorize_again("the request carries no proof of possession (DPoP header)")
            })?;
        let now = self.now();
        let url = self.addressed_url(parts);
        let refused = |e: DpopError| match e {
            DpopError::TooManyProofs => CallerError::Busy(e.to_string()),
            other => authorize_again(other.to_string()),
        };
        let verified = match dpop::verify(proof, &parts.method, &url, now, expect) {
            Err(DpopError::UrlMismatch) => match self.loopback_alias(parts, &url) {
                Some(alias) => dpop::verify(proof, &parts.method, &alias, now, expect),
                None => Err(DpopError::UrlMismatch),
            },
            other => other,
        };
        let proof = verified.map_err(refused)?;
        self.replay_guard.check(&proof, now).map_err(refused)?;
        let seen = sha256(&format!("{} {}", proof.jkt, proof.jti));
        if !self
            .store
            .remember_proof(&seen, proof.usable_until)
            .await
            .map_err(internal)?
        {
            return Err(refused(DpopError::Replayed));
        }
        Ok(proof)
    }
}
