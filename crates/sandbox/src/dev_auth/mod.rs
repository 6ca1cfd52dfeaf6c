//! The sandbox's built-in development authorization server (mounted under `/sandbox/oauth/`).
//!
//! It speaks the same OAuth 2.0 protocol as a real server, so the proxy's client code runs
//! unchanged against it: authorization code with PKCE S256 only, a confidential client
//! (`client_secret_basic` or `client_secret_post`), single-use codes, refresh token rotation
//! with reuse detection, OIDC userinfo, signed ID tokens (ES256, keys published at `jwks`,
//! see `signing`) and RFC 7009 revocation. "Signing in" is picking one of a few sandbox users;
//! then a consent page with Allow / Deny.
//!
//! Access and refresh tokens are random strings; only their SHA-256 is stored
//! (`<data_dir>/dev-auth.sqlite`, with the signing keys), so they survive a proxy restart like
//! a real server's would. Authorization requests and codes
//! live in memory, bounded (`memory`); operator endpoints need the operator token (`admin`).

mod admin;
mod memory;
mod pages;
mod sign_in;
mod signing;
mod token;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use sqlx::SqlitePool;
use url::Url;

use crate::support::{random_token, sha256};
use memory::{CodeGrant, Memory};
pub use signing::SigningError;

/// Mount point, relative to the proxy's base URL.
pub const MOUNT: &str = "/sandbox/oauth";
/// Its OIDC userinfo endpoint (the sandbox mailbox resolves bearer tokens there).
pub const USERINFO_PATH: &str = "/sandbox/oauth/userinfo";
/// How long an authorization code may be exchanged.
pub const CODE_TTL_SECS: i64 = 60;
/// How long a sign-in may take from `/authorize` to the consent decision.
pub const REQUEST_TTL_SECS: i64 = 600;
/// Lifetime of the ID tokens it issues.
pub const ID_TOKEN_TTL_SECS: i64 = 600;
/// Longest `nonce` accepted at `/authorize` (it is kept in memory until the code is used).
const MAX_NONCE_LEN: usize = 512;
pub use memory::{MAX_PENDING_REQUESTS, MAX_UNUSED_CODES};

/// A user one can "sign in" as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevUser {
    pub sub: String,
    pub email: String,
    pub name: String,
}

/// The domain of sandbox users' addresses.
pub const DOMAIN: &str = "sandbox.test";
/// Users listed on the sign-in page (sub, display name).
const LISTED: [(&str, &str); 3] = [
    ("alice", "Alice Sandbox"),
    ("bob", "Bob Sandbox"),
    ("carol", "Carol Sandbox"),
];

/// The users the sign-in page offers.
pub fn listed_users() -> Vec<DevUser> {
    LISTED.iter().filter_map(|(sub, _)| user_for(sub)).collect()
}

/// `alice`, `alice@sandbox.test`, or any other `name@sandbox.test` (load tests simulate many
/// users): the local part is the subject.
pub fn user_for(input: &str) -> Option<DevUser> {
    let input = input.trim().to_ascii_lowercase();
    let sub = match input.split_once('@') {
        Some((local, domain)) if domain == DOMAIN => local.to_owned(),
        Some(_) => return None,
        None => input,
    };
    let valid = !sub.is_empty()
        && sub.len() <= 64
        && sub.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if !valid {
        return None;
    }
    let name = LISTED
        .iter()
        .find(|(s, _)| *s == sub)
        .map(|(_, n)| (*n).to_owned())
        .unwrap_or_else(|| format!("{sub} (sandbox)"));
    Some(DevUser {
        email: format!("{sub}@{DOMAIN}"),
        sub,
        name,
    })
}

/// Registration of the one client (the proxy) and token lifetimes.
#[derive(Clone)]
pub struct DevAuthSettings {
    /// `http://host:port/sandbox/oauth` (no trailing slash).
    pub issuer: Url,
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uris: Vec<String>,
    pub access_token_ttl: Duration,
}

pub struct DevAuthServer {
    settings: DevAuthSettings,
    pool: SqlitePool,
    clock: Clock,
    memory: Mutex<Memory>,
    signing: signing::SigningKeys,
    /// SHA-256 of the operator token; `None` (operator endpoints closed) when the database is
    /// not a file, so there is no data directory to hand the token over in.
    operator_token_hash: Option<Vec<u8>>,
    /// Refresh grants served, per user (tests and the load benchmark read it).
    refreshes: Mutex<HashMap<String, u64>>,
}

/// The server's tables (`<data_dir>/dev-auth.sqlite`), compiled into the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/dev_auth");

/// Where the server reads the time: the wall clock, or a test's clock moved forward.
pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(chrono::Utc::now)
}

/// RFC 6749 section 5.2 error answer.
#[derive(Debug)]
struct OAuthErr {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthErr {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthErr {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }
}

impl IntoResponse for OAuthErr {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            axum::Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"sandbox\""),
            );
        }
        r
    }
}

fn server_error(e: impl std::fmt::Display) -> OAuthErr {
    tracing::error!(error = %e, "dev authorization server failure");
    OAuthErr {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "server_error",
        description: "internal error".into(),
    }
}

/// The sign-in server's HTTP surface under [`MOUNT`]: discovery, authorize, sign-in and consent
/// pages, token, userinfo, jwks, revocation and the operator's revoke-user.
pub fn router<S: Clone + Send + Sync + 'static>(server: Arc<DevAuthServer>) -> Router<S> {
    Router::new()
        .route(
            &format!("{MOUNT}/.well-known/openid-configuration"),
            get(discovery),
        )
        .route(&format!("{MOUNT}/authorize"), get(sign_in::authorize))
        .route(&format!("{MOUNT}/signin"), post(sign_in::sign_in))
        .route(&format!("{MOUNT}/consent"), post(sign_in::consent))
        .route(&format!("{MOUNT}/token"), post(token::token))
        .route(USERINFO_PATH, get(token::userinfo).post(token::userinfo))
        .route(&format!("{MOUNT}/jwks"), get(jwks))
        .route(&format!("{MOUNT}/revoke"), post(token::revoke))
        .route(
            &format!("{MOUNT}/admin/revoke-user"),
            post(admin::revoke_user),
        )
        .with_state(server)
}

impl DevAuthServer {
    pub async fn new(
        settings: DevAuthSettings,
        pool: SqlitePool,
        clock: Clock,
    ) -> Result<Arc<Self>, sqlx::Error> {
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        let operator_token_hash = admin::operator_token(&pool)?;
        let signing = signing::SigningKeys::open(pool.clone(), clock().timestamp())
            .await
            .map_err(|e| sqlx::Error::Configuration(e.to_string().into()))?;
        Ok(Arc::new(DevAuthServer {
            settings,
            pool,
            clock,
            memory: Mutex::new(Memory::default()),
            signing,
            operator_token_hash,
            refreshes: Mutex::new(HashMap::new()),
        }))
    }

    /// The server's HTTP surface under [`MOUNT`] (`router(server)` as a method).
    pub fn routes<S: Clone + Send + Sync + 'static>(self: &Arc<Self>) -> Router<S> {
        router(self.clone())
    }
    /// Refresh grants served for `sub` so far.
    pub fn refresh_count(&self, sub: &str) -> u64 {
        self.lock_refreshes().get(sub).copied().unwrap_or(0)
    }

    /// Refresh grants served per user.
    pub fn refresh_counts(&self) -> HashMap<String, u64> {
        self.lock_refreshes().clone()
    }

    /// Entries held in memory: (pending authorization requests, unused codes, used codes).
    pub fn memory_sizes(&self) -> (usize, usize, usize) {
        self.lock_memory().sizes()
    }

    fn lock_refreshes(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.refreshes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> i64 {
        (self.clock)().timestamp()
    }

    fn endpoint(&self, path: &str) -> String {
        format!(
            "{}/{path}",
            self.settings.issuer.as_str().trim_end_matches('/')
        )
    }

    /// Starts signing ID tokens with a new key (the previous one stays published).
    pub async fn rotate_signing_key(&self) -> Result<String, SigningError> {
        self.signing.rotate(self.now()).await
    }

    /// Signs `claims` as an ID token with the current key, as the token endpoint does (tests
    /// forge tokens that are validly signed but wrong in one claim).
    pub fn sign_id_token(&self, claims: &serde_json::Value) -> Result<String, SigningError> {
        self.signing.sign(claims)
    }

    /// The ID token for a code grant: who, for whom, when, and the authorization request's
    /// nonce; email and name as the scopes allow.
    fn id_token(&self, grant: &CodeGrant) -> Result<String, SigningError> {
        let now = self.now();
        let mut claims = json!({
            "iss": self.settings.issuer.as_str().trim_end_matches('/'),
            "sub": grant.sub,
            "aud": self.settings.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + ID_TOKEN_TTL_SECS,
        });
        if let Some(nonce) = &grant.nonce {
            claims["nonce"] = json!(nonce);
        }
        let scopes: Vec<&str> = grant.scope.split_whitespace().collect();
        if let Some(user) = user_for(&grant.sub) {
            if scopes.contains(&"email") {
                claims["email"] = json!(user.email);
                claims["email_verified"] = json!(true);
            }
            if scopes.contains(&"profile") {
                claims["name"] = json!(user.name);
            }
        }
        self.sign_id_token(&claims)
    }

    /// Revokes every token of a user (what "the admin revoked the app's access" looks like).
    pub async fn revoke_user(&self, sub: &str) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("UPDATE dev_tokens SET revoked = 1 WHERE sub = ? AND revoked = 0")
            .bind(sub)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn issue(
        &self,
        sub: &str,
        scope: &str,
        grant_id: &str,
        with_refresh: bool,
    ) -> Result<serde_json::Value, sqlx::Error> {
        let now = self.now();
        let ttl = i64::try_from(self.settings.access_token_ttl.as_secs()).unwrap_or(3600);
        let access = random_token(32);
        let refresh = with_refresh.then(|| random_token(32));
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO dev_tokens (token_hash, kind, sub, scope, grant_id, expires_at) VALUES (?, 'access', ?, ?, ?, ?)")
            .bind(sha256(&access))
            .bind(sub)
            .bind(scope)
            .bind(grant_id)
            .bind(now + ttl)
            .execute(&mut *tx)
            .await?;
        if let Some(r) = &refresh {
            sqlx::query("INSERT INTO dev_tokens (token_hash, kind, sub, scope, grant_id) VALUES (?, 'refresh', ?, ?, ?)")
                .bind(sha256(r))
                .bind(sub)
                .bind(scope)
                .bind(grant_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let mut body = json!({"access_token": access, "token_type": "Bearer", "expires_in": ttl, "scope": scope});
        if let Some(r) = refresh {
            body["refresh_token"] = json!(r);
        }
        Ok(body)
    }

    async fn revoke_grant(&self, grant_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE dev_tokens SET revoked = 1 WHERE grant_id = ?")
            .bind(grant_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Client authentication (RFC 6749 2.3.1): HTTP Basic with form-urlencoded id and secret,
    /// or `client_id` + `client_secret` in the body; never both.
    fn authenticate_client(
        &self,
        headers: &HeaderMap,
        form: &HashMap<String, String>,
    ) -> Result<(), OAuthErr> {
        let invalid_client = || OAuthErr {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "client authentication failed".into(),
        };
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Basic ")
                    .or_else(|| v.strip_prefix("basic "))
            });
        let (id, secret) = match (basic, form.get("client_secret")) {
            (Some(_), Some(_)) => {
                return Err(OAuthErr::new(
                    "invalid_request",
                    "use one client authentication method",
                ));
            }
            (Some(b64), None) => {
                let raw = STANDARD.decode(b64.trim()).map_err(|_| invalid_client())?;
                let text = String::from_utf8(raw).map_err(|_| invalid_client())?;
                let (id, secret) = text.split_once(':').ok_or_else(invalid_client)?;
                let decode = |s: &str| {
                    url::form_urlencoded::parse(format!("x={s}").as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default()
                };
                (decode(id), decode(secret))
            }
            (None, Some(secret)) => (
                form.get("client_id").cloned().unwrap_or_default(),
                secret.clone(),
            ),
            (None, None) => return Err(invalid_client()),
        };
        // Compare digests: equal length, and timing reveals nothing about the secret.
        let ok_id = id == self.settings.client_id;
        let ok_secret = Sha256::digest(secret.as_bytes())
            == Sha256::digest(self.settings.client_secret.expose_secret().as_bytes());
        if ok_id && ok_secret {
            Ok(())
        } else {
            Err(invalid_client())
        }
    }
}

type Dev = State<Arc<DevAuthServer>>;

async fn discovery(State(dev): Dev) -> Response {
    axum::Json(json!({
        "issuer": dev.settings.issuer.as_str().trim_end_matches('/'),
        "authorization_endpoint": dev.endpoint("authorize"),
        "token_endpoint": dev.endpoint("token"),
        "userinfo_endpoint": dev.endpoint("userinfo"),
        "revocation_endpoint": dev.endpoint("revoke"),
        "jwks_uri": dev.endpoint("jwks"),
        "id_token_signing_alg_values_supported": ["ES256"],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "email", "profile", "offline_access", "ews"],
        "subject_types_supported": ["public"],
    }))
    .into_response()
}

async fn jwks(State(dev): Dev) -> Response {
    axum::Json(dev.signing.jwks()).into_response()
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_users_are_listed_or_any_sandbox_address() {
        assert_eq!(listed_users().len(), 3);
        let alice = user_for("Alice@Sandbox.test").unwrap();
        assert_eq!(
            (alice.sub.as_str(), alice.name.as_str()),
            ("alice", "Alice Sandbox")
        );
        assert_eq!(
            user_for("load017@sandbox.test").unwrap().email,
            "load017@sandbox.test"
        );
        for bad in [
            "",
            "@sandbox.test",
            "alice@example.com",
            "a b@sandbox.test",
            "<x>@sandbox.test",
        ] {
            assert!(user_for(bad).is_none(), "{bad}");
        }
    }
}
