//! The user's Exchange tokens: decrypted on use, refreshed ahead of expiry with one refresh per
//! user at a time (single-flight), rotation saved atomically.

use std::sync::atomic::Ordering;

use secrecy::SecretString;

use super::crypto::Purpose;
use super::oauth::OAuthError;
use super::store::{StoreError, StoredTokens, UserLock};
use super::{AuthService, authorize_again, expiry, internal};
use crate::session::CallerError;

/// A user's lock, held; the store's part is released first (fields drop in order).
pub(super) struct UserGuard {
    _shared: UserLock,
    _local: tokio::sync::OwnedMutexGuard<()>,
}

impl AuthService {
    pub(super) fn is_fresh(&self, tokens: &StoredTokens, now: i64) -> bool {
        let margin = i64::try_from(self.settings.refresh_margin.as_secs()).unwrap_or(i64::MAX);
        tokens.expires_at.saturating_sub(margin) > now
    }

    /// Holds `user_id`'s lock: first this process's (so that one waiter per user at most asks
    /// the store), then the store's, which other processes sharing the database respect.
    pub(super) async fn lock_user(&self, user_id: &str) -> Result<UserGuard, StoreError> {
        let local = self
            .refresh_locks
            .get_or_make(user_id, || tokio::sync::Mutex::new(()))
            .lock_owned()
            .await;
        let shared = self.store.lock_user(user_id).await?;
        Ok(UserGuard {
            _shared: shared,
            _local: local,
        })
    }

    /// Decrypts the stored access token. A row that cannot be decrypted (the key changed, or
    /// the row was tampered with) will never work again: forget it and authorize again, rather
    /// than failing every action with a server error.
    pub(super) async fn open_access(
        &self,
        tokens: &StoredTokens,
    ) -> Result<SecretString, CallerError> {
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
        let _guard = self.lock_user(user_id).await.map_err(internal)?;
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
}
