//! Which mailbox a sandbox request belongs to: the bearer access token is exchanged for the
//! user's address at the authorization server's OIDC userinfo endpoint, as a resource server
//! would. Works with the built-in dev authorization server and with oidc-provider alike.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use url::Url;

/// How long a token -> mailbox answer is reused at most. Opaque tokens do not say when they
/// expire and a revoked token must stop working soon, so the answer is re-checked every minute;
/// a JWT access token is never trusted past its own `exp`.
const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX_ENTRIES: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// No bearer token, or the authorization server does not accept it (HTTP 401, like Exchange).
    #[error("{0}")]
    Unauthorized(String),
    /// The authorization server could not be asked (HTTP 500 fault).
    #[error("{0}")]
    Unavailable(String),
}

pub struct MailboxIdentity {
    http: reqwest::Client,
    userinfo_url: Url,
    /// Keyed by the token's SHA-256 so that no token is kept in memory longer than needed.
    /// Value: the mailbox and until when it may be reused.
    cache: Mutex<HashMap<[u8; 32], (String, Instant)>>,
}

impl MailboxIdentity {
    pub fn new(userinfo_url: Url) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            http,
            userinfo_url,
            cache: Mutex::default(),
        })
    }

    pub fn userinfo_url(&self) -> &Url {
        &self.userinfo_url
    }

    /// The mailbox address (lower-cased e-mail claim, else `sub`) of the request's bearer token.
    pub async fn mailbox(&self, headers: &HeaderMap) -> Result<String, IdentityError> {
        let token = crate::support::bearer_token(headers)
            .ok_or_else(|| IdentityError::Unauthorized("missing bearer token".into()))?;
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(mailbox) = self.cached(&key) {
            return Ok(mailbox);
        }
        let response = self
            .http
            .get(self.userinfo_url.clone())
            .bearer_auth(&token)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| {
                IdentityError::Unavailable(format!("userinfo endpoint unreachable: {e}"))
            })?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(IdentityError::Unauthorized(
                "the access token was not accepted".into(),
            ));
        }
        if !status.is_success() {
            return Err(IdentityError::Unavailable(format!(
                "userinfo endpoint answered HTTP {status}"
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| IdentityError::Unavailable(format!("userinfo answer unreadable: {e}")))?;
        let claims: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| IdentityError::Unavailable(format!("userinfo answer is not JSON: {e}")))?;
        let mailbox = ["email", "sub"]
            .into_iter()
            .find_map(|claim| {
                claims
                    .get(claim)
                    .and_then(|v| v.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            })
            .map(str::to_lowercase)
            .ok_or_else(|| {
                IdentityError::Unavailable("userinfo answer has neither email nor sub".into())
            })?;
        let valid_for = jwt_lifetime(&token).map_or(CACHE_TTL, |left| left.min(CACHE_TTL));
        self.remember(key, &mailbox, valid_for);
        Ok(mailbox)
    }

    fn cached(&self, key: &[u8; 32]) -> Option<String> {
        let cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .get(key)
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(mailbox, _)| mailbox.clone())
    }

    fn remember(&self, key: [u8; 32], mailbox: &str, valid_for: Duration) {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() >= CACHE_MAX_ENTRIES {
            let now = Instant::now();
            cache.retain(|_, (_, until)| now < *until);
            if cache.len() >= CACHE_MAX_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(key, (mailbox.to_owned(), Instant::now() + valid_for));
    }
}

/// Time left before a JWT access token's `exp`; `None` for opaque tokens. The signature is
/// not checked here: the userinfo endpoint has just accepted the token, this only bounds how
/// long that answer is reused.
fn jwt_lifetime(token: &str) -> Option<Duration> {
    use base64::Engine as _;
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_i64()?;
    let left = exp - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(u64::try_from(left).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn jwt(claims: serde_json::Value) -> String {
        let encode = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.sig",
            encode(br#"{"alg":"RS256"}"#),
            encode(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn jwt_expiry_bounds_the_cache_and_opaque_tokens_have_none() {
        let soon = chrono::Utc::now().timestamp() + 20;
        let left = jwt_lifetime(&jwt(serde_json::json!({"sub": "a", "exp": soon}))).unwrap();
        assert!(
            left <= Duration::from_secs(20) && left >= Duration::from_secs(18),
            "{left:?}"
        );
        let past = chrono::Utc::now().timestamp() - 5;
        assert_eq!(
            jwt_lifetime(&jwt(serde_json::json!({"exp": past}))),
            Some(Duration::ZERO)
        );
        assert_eq!(jwt_lifetime("opaque-token"), None);
        assert_eq!(jwt_lifetime("a.b.c"), None);
    }
}
