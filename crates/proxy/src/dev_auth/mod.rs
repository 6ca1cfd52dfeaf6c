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
mod signing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Form;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;
use sqlx::SqlitePool;
use url::Url;

use crate::auth::clock::Clock;
use crate::auth::crypto::{random_token, sha256};
use memory::{CodeGrant, Full, Memory, PendingRequest, Redemption};
pub use signing::SigningError;

/// Mount point, relative to the proxy's base URL.
pub const MOUNT: &str = "/sandbox/oauth";
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
    clock: Arc<dyn Clock>,
    memory: Mutex<Memory>,
    signing: signing::SigningKeys,
    /// SHA-256 of the operator token; `None` (operator endpoints closed) when the database is
    /// not a file, so there is no data directory to hand the token over in.
    operator_token_hash: Option<Vec<u8>>,
    /// Refresh grants served, per user (tests and the load benchmark read it).
    refreshes: Mutex<HashMap<String, u64>>,
}

/// Tables of `dev-auth.sqlite` (tokens, signing keys).
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/dev_auth");

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

impl DevAuthServer {
    pub async fn new(
        settings: DevAuthSettings,
        pool: SqlitePool,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<Self>, sqlx::Error> {
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        let operator_token_hash = admin::operator_token(&pool)?;
        let signing = signing::SigningKeys::open(pool.clone(), clock.now().timestamp())
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

    pub fn routes<S: Clone + Send + Sync + 'static>(self: &Arc<Self>) -> Router<S> {
        Router::new()
            .route(
                &format!("{MOUNT}/.well-known/openid-configuration"),
                get(discovery),
            )
            .route(&format!("{MOUNT}/authorize"), get(authorize))
            .route(&format!("{MOUNT}/signin"), post(sign_in))
            .route(&format!("{MOUNT}/consent"), post(consent))
            .route(&format!("{MOUNT}/token"), post(token))
            .route(&format!("{MOUNT}/userinfo"), get(userinfo).post(userinfo))
            .route(&format!("{MOUNT}/jwks"), get(jwks))
            .route(&format!("{MOUNT}/revoke"), post(revoke))
            .route(
                &format!("{MOUNT}/admin/revoke-user"),
                post(admin::revoke_user),
            )
            .with_state(self.clone())
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
        self.clock.now().timestamp()
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

/// Redirects back to the client with `params` (only once the redirect URI is known to be
/// registered: never to an unchecked URI).
fn redirect_back(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return pages::error_page(StatusCode::BAD_REQUEST, "The redirect URI is not valid.");
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            r.headers_mut().insert(header::LOCATION, location);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            r
        }
        Err(_) => pages::error_page(StatusCode::BAD_REQUEST, "The redirect URI is not valid."),
    }
}

async fn authorize(State(dev): Dev, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    // Client and redirect URI first: until both check out, errors are shown, never redirected.
    if get("client_id") != Some(dev.settings.client_id.as_str()) {
        return pages::error_page(StatusCode::BAD_REQUEST, "Unknown client_id.");
    }
    let Some(redirect_uri) =
        get("redirect_uri").filter(|r| dev.settings.redirect_uris.iter().any(|x| x == r))
    else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "The redirect_uri is missing or not registered for this client.",
        );
    };
    let state = get("state");
    let back = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description)];
        if let Some(s) = state {
            params.push(("state", s));
        }
        redirect_back(redirect_uri, &params)
    };
    if get("response_type") != Some("code") {
        return back(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    let Some(challenge) = get("code_challenge") else {
        return back(
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256",
        );
    };
    if get("code_challenge_method") != Some("S256") {
        return back(
            "invalid_request",
            "only code_challenge_method=S256 is supported",
        );
    }
    if challenge.len() != 43 || !challenge.bytes().all(is_unreserved) {
        return back(
            "invalid_request",
            "code_challenge is not a base64url SHA-256",
        );
    }
    let nonce = get("nonce");
    if nonce.is_some_and(|n| n.len() > MAX_NONCE_LEN) {
        return back("invalid_request", "nonce is too long");
    }
    let scope = get("scope").unwrap_or("openid").to_owned();
    let id = random_token(32);
    let now = dev.now();
    let added = dev.lock_memory().add_request(
        id.clone(),
        PendingRequest {
            redirect_uri: redirect_uri.to_owned(),
            state: state.map(str::to_owned),
            scope,
            code_challenge: challenge.to_owned(),
            nonce: nonce.map(str::to_owned),
            user: None,
            expires_at: now + REQUEST_TTL_SECS,
        },
        now,
    );
    if added.is_err() {
        tracing::warn!("too many pending authorization requests; refusing a new one");
        return back(TEMPORARILY_UNAVAILABLE, BUSY);
    }
    pages::sign_in_page(&id, &listed_users())
}

/// RFC 6749 4.1.2.1: the authorization endpoint's overload answer (a redirect cannot carry 503).
const TEMPORARILY_UNAVAILABLE: &str = "temporarily_unavailable";
const BUSY: &str = "too many sign-ins are in progress; try again in a few minutes";

#[derive(Deserialize)]
struct SignInForm {
    request: String,
    user: Option<String>,
}

async fn sign_in(State(dev): Dev, Form(form): Form<SignInForm>) -> Response {
    let chosen = form.user.as_deref().and_then(user_for);
    let mut memory = dev.lock_memory();
    let now = dev.now();
    let Some(request) = memory.request_mut(&form.request, now) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request has expired. Start again.",
        );
    };
    let Some(user) = chosen else {
        drop(memory);
        return pages::sign_in_page(&form.request, &listed_users());
    };
    request.user = Some(user.clone());
    let scope = request.scope.clone();
    drop(memory);
    pages::consent_page(&form.request, &user, &scope)
}

#[derive(Deserialize)]
struct ConsentForm {
    request: String,
    decision: Option<String>,
}

async fn consent(State(dev): Dev, Form(form): Form<ConsentForm>) -> Response {
    let now = dev.now();
    // Taken out: one decision per request.
    let request = dev.lock_memory().take_request(&form.request, now);
    let Some(request) = request else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request has expired. Start again.",
        );
    };
    let Some(user) = request.user else {
        return pages::error_page(StatusCode::BAD_REQUEST, "Pick a user first.");
    };
    let state = request.state.as_deref();
    let with_state = |mut params: Vec<(&'static str, String)>| {
        if let Some(s) = state {
            params.push(("state", s.to_owned()));
        }
        params
    };
    let params = if form.decision.as_deref() == Some("allow") {
        let code = random_token(32);
        let added = dev.lock_memory().add_code(
            sha256(&code),
            CodeGrant {
                redirect_uri: request.redirect_uri.clone(),
                scope: request.scope.clone(),
                code_challenge: request.code_challenge.clone(),
                nonce: request.nonce.clone(),
                sub: user.sub.clone(),
                expires_at: now + CODE_TTL_SECS,
                grant_id: random_token(16),
            },
            now,
        );
        match added {
            Ok(()) => with_state(vec![("code", code)]),
            Err(Full) => {
                tracing::warn!("too many unused authorization codes; refusing a new one");
                with_state(vec![
                    ("error", TEMPORARILY_UNAVAILABLE.to_owned()),
                    ("error_description", BUSY.to_owned()),
                ])
            }
        }
    } else {
        with_state(vec![
            ("error", "access_denied".to_owned()),
            (
                "error_description",
                "The user denied the request.".to_owned(),
            ),
        ])
    };
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect_back(&request.redirect_uri, &refs)
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 6749 form parameters. Parsed by hand so that a malformed request still gets an OAuth
/// JSON error (axum's `Form` would answer plain text); a repeated parameter is refused.
fn oauth_form(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthErr> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(OAuthErr::new(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut form = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if form
            .insert(k.clone().into_owned(), v.into_owned())
            .is_some()
        {
            return Err(OAuthErr::new(
                "invalid_request",
                format!("parameter {k} is repeated"),
            ));
        }
    }
    Ok(form)
}

async fn token(State(dev): Dev, headers: HeaderMap, body: Bytes) -> Response {
    let form = match oauth_form(&headers, &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    match token_inner(&dev, &headers, &form).await {
        Ok(body) => {
            let mut r = axum::Json(body).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => e.into_response(),
    }
}

async fn token_inner(
    dev: &DevAuthServer,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, OAuthErr> {
    dev.authenticate_client(headers, form)?;
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    match get("grant_type") {
        Some("authorization_code") => {
            let code =
                get("code").ok_or_else(|| OAuthErr::new("invalid_request", "code is required"))?;
            let hash = sha256(code);
            let now = dev.now();
            let redemption = dev.lock_memory().redeem_code(hash, now);
            let grant = match redemption {
                Redemption::Fresh(g) => g,
                Redemption::Replayed(replayed_grant) => {
                    // RFC 6749 4.1.2: a code used twice revokes what it produced.
                    tracing::warn!("authorization code replayed; revoking its tokens");
                    dev.revoke_grant(&replayed_grant)
                        .await
                        .map_err(server_error)?;
                    return Err(OAuthErr::new(
                        "invalid_grant",
                        "the authorization code was already used",
                    ));
                }
                Redemption::Unknown => {
                    return Err(OAuthErr::new("invalid_grant", "unknown authorization code"));
                }
            };
            if grant.expires_at <= now {
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "the authorization code expired",
                ));
            }
            if get("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "redirect_uri does not match the authorization request",
                ));
            }
            let verifier = get("code_verifier").ok_or_else(|| {
                OAuthErr::new("invalid_request", "code_verifier is required (PKCE)")
            })?;
            if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(is_unreserved) {
                return Err(OAuthErr::new("invalid_grant", "code_verifier is malformed"));
            }
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if computed != grant.code_challenge {
                return Err(OAuthErr::new("invalid_grant", "PKCE verification failed"));
            }
            let scopes: Vec<&str> = grant.scope.split_whitespace().collect();
            let mut body = dev
                .issue(
                    &grant.sub,
                    &grant.scope,
                    &grant.grant_id,
                    scopes.contains(&"offline_access"),
                )
                .await
                .map_err(server_error)?;
            if scopes.contains(&"openid") {
                body["id_token"] = json!(dev.id_token(&grant).map_err(server_error)?);
            }
            Ok(body)
        }
        Some("refresh_token") => {
            let presented = get("refresh_token")
                .ok_or_else(|| OAuthErr::new("invalid_request", "refresh_token is required"))?;
            let row = sqlx::query("SELECT sub, scope, grant_id, revoked FROM dev_tokens WHERE token_hash = ? AND kind = 'refresh'")
                .bind(sha256(presented))
                .fetch_optional(&dev.pool)
                .await
                .map_err(server_error)?;
            let Some(row) = row else {
                return Err(OAuthErr::new("invalid_grant", "unknown refresh token"));
            };
            let (sub, scope, grant_id, revoked): (String, String, String, i64) = (
                row.try_get("sub").map_err(server_error)?,
                row.try_get("scope").map_err(server_error)?,
                row.try_get("grant_id").map_err(server_error)?,
                row.try_get("revoked").map_err(server_error)?,
            );
            if revoked != 0 {
                // A rotated-away refresh token came back: someone holds a copy. Kill the grant.
                dev.revoke_grant(&grant_id).await.map_err(server_error)?;
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "the refresh token was revoked or already used",
                ));
            }
            // Rotation: the presented token dies as the new pair is issued (the conditional
            // update makes two concurrent uses of one token produce one winner).
            let used = sqlx::query(
                "UPDATE dev_tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0",
            )
            .bind(sha256(presented))
            .execute(&dev.pool)
            .await
            .map_err(server_error)?;
            if used.rows_affected() != 1 {
                dev.revoke_grant(&grant_id).await.map_err(server_error)?;
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "the refresh token was already used",
                ));
            }
            *dev.lock_refreshes().entry(sub.clone()).or_insert(0) += 1;
            dev.issue(&sub, &scope, &grant_id, true)
                .await
                .map_err(server_error)
        }
        Some(_) => Err(OAuthErr::new(
            "unsupported_grant_type",
            "authorization_code and refresh_token only",
        )),
        None => Err(OAuthErr::new("invalid_request", "grant_type is required")),
    }
}

async fn userinfo(State(dev): Dev, headers: HeaderMap) -> Response {
    let unauthorized = || {
        let mut r = (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_token"})),
        )
            .into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        r
    };
    let Some(token) = crate::extract::bearer_token(&headers) else {
        return unauthorized();
    };
    let row = sqlx::query(
        "SELECT sub FROM dev_tokens WHERE token_hash = ? AND kind = 'access' AND revoked = 0 AND expires_at > ?",
    )
    .bind(sha256(&token))
    .bind(dev.now())
    .fetch_optional(&dev.pool)
    .await;
    match row {
        Ok(Some(row)) => {
            let sub: String = row.try_get("sub").unwrap_or_default();
            match user_for(&sub) {
                Some(u) => axum::Json(
                    json!({"sub": u.sub, "email": u.email, "name": u.name, "email_verified": true}),
                )
                .into_response(),
                None => unauthorized(),
            }
        }
        Ok(None) => unauthorized(),
        Err(e) => server_error(e).into_response(),
    }
}

async fn revoke(State(dev): Dev, headers: HeaderMap, body: Bytes) -> Response {
    let form = match oauth_form(&headers, &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = dev.authenticate_client(&headers, &form) {
        return e.into_response();
    }
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return OAuthErr::new("invalid_request", "token is required").into_response();
    };
    let row = sqlx::query("SELECT kind, grant_id FROM dev_tokens WHERE token_hash = ?")
        .bind(sha256(token))
        .fetch_optional(&dev.pool)
        .await;
    let result = match row {
        // Revoking a refresh token ends the whole grant (its access tokens too).
        Ok(Some(row))
            if row
                .try_get::<String, _>("kind")
                .is_ok_and(|k| k == "refresh") =>
        {
            match row.try_get::<String, _>("grant_id") {
                Ok(grant) => dev.revoke_grant(&grant).await,
                Err(e) => Err(e),
            }
        }
        Ok(Some(_)) => sqlx::query("UPDATE dev_tokens SET revoked = 1 WHERE token_hash = ?")
            .bind(sha256(token))
            .execute(&dev.pool)
            .await
            .map(|_| ()),
        // RFC 7009: unknown tokens are not an error.
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => server_error(e).into_response(),
    }
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

    #[test]
    fn oauth_forms_need_the_form_type_and_no_repeats() {
        let mut h = HeaderMap::new();
        assert!(oauth_form(&h, b"a=1").is_err());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let form = oauth_form(&h, b"grant_type=refresh_token&refresh_token=a%2Bb").unwrap();
        assert_eq!(form["refresh_token"], "a+b");
        assert!(oauth_form(&h, b"code=1&code=2").is_err());
    }
}
