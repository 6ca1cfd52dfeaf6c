//! Sessions: which user a request acts for, proven by the opaque handle the widget holds and
//! (see [`super::dpop`]) by a proof made with the widget's non-exportable key.

use axum::http::request::Parts;

use super::crypto::{Purpose, sha256};
use super::{AuthService, authorize_again, bearer, internal};
use crate::session::{Authorizer as _, Caller, CallerError};

/// A session presented by a request, after the origin check.
pub(super) struct Authenticated {
    pub(super) caller: Caller,
    pub(super) handle_hash: Vec<u8>,
}

impl AuthService {
    pub(super) async fn authenticate(&self, parts: &Parts) -> Result<Authenticated, CallerError> {
        let headers = &parts.headers;
        let handle = bearer(headers).ok_or_else(|| authorize_again("no session: sign in first"))?;
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
}

impl AuthService {
    /// The proof-of-possession key a flow-starting request proved, if any.
    pub async fn flow_key(&self, _parts: &Parts) -> Result<Option<String>, CallerError> {
        Ok(None)
    }
}
