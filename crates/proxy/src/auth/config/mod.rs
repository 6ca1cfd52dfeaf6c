//! The `[auth]` section of the proxy configuration and its resolution into runtime settings.
//!
//! Layers (lowest first): built-in defaults (sandbox: the built-in development authorization
//! server) < preset (`microsoft_ews` / `microsoft_graph`) < OIDC discovery from `issuer` < the
//! explicit endpoint keys. The table arrives merged from the configuration's sources (file,
//! then `XF_AUTH_*` environment variables, see `crate::config`), the environment's values as
//! text.

mod discovery;
mod key_file;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use url::Url;

use super::crypto::TokenKey;
use super::id_token::{ExpectedIssuer, microsoft_keys_url};
use crate::insecure_http::InsecureHttpPolicy;
use crate::origins::{AllowedOrigins, origin_of};
use discovery::discover;
use key_file::{decode_key, load_or_create_key_file};

/// Scopes of the Microsoft presets. `openid profile email` make the token endpoint return an ID
/// token, which is how the proxy learns who signed in (Microsoft's userinfo endpoint only
/// accepts Graph tokens, and the EWS token is for Exchange).
pub const MICROSOFT_EWS_SCOPES: &str =
    "openid profile email offline_access https://outlook.office365.com/EWS.AccessAsUser.All";
pub const MICROSOFT_GRAPH_SCOPES: &str =
    "openid profile email offline_access Calendars.ReadWrite Tasks.ReadWrite Place.Read.All";
/// Scopes asked of the built-in development authorization server.
pub const SANDBOX_SCOPES: &str = "openid email profile offline_access ews";
/// Client id the built-in development authorization server knows the proxy by.
pub const SANDBOX_CLIENT_ID: &str = "exchange-forms-sandbox";
/// Where the development authorization server is mounted, relative to the public base URL.
pub const DEV_AUTH_MOUNT: &str = "sandbox/oauth";

/// A configured secret: never printed (Debug shows `[redacted]`).
#[derive(Clone)]
pub struct ConfigSecret(pub SecretString);

impl fmt::Debug for ConfigSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for ConfigSecret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| ConfigSecret(SecretString::from(s)))
    }
}

impl From<String> for ConfigSecret {
    fn from(s: String) -> Self {
        ConfigSecret(SecretString::from(s))
    }
}

/// Scopes may be written as one space-separated string or as a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(pub Vec<String>);

impl Scopes {
    pub fn parse(s: &str) -> Self {
        Scopes(s.split_whitespace().map(str::to_owned).collect())
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::One(s) => Scopes::parse(&s),
            Raw::Many(v) => Scopes(
                v.iter()
                    .flat_map(|s| s.split_whitespace())
                    .map(str::to_owned)
                    .collect(),
            ),
        })
    }
}

/// Named endpoint sets for well-known authorization servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Microsoft identity platform v2, delegated EWS access.
    MicrosoftEws,
    /// Microsoft identity platform v2, Microsoft Graph calendars and tasks.
    MicrosoftGraph,
}

/// Settings of the built-in development authorization server (sandbox mode only).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevServerConfig {
    /// Lifetime of the access tokens it issues. Tests lower it to exercise refresh.
    pub access_token_ttl_secs: u64,
}

impl Default for DevServerConfig {
    fn default() -> Self {
        DevServerConfig {
            access_token_ttl_secs: 3600,
        }
    }
}

/// `[auth.flow_limits]`: how many sign-in flows may start, so that nobody can fill the flow
/// table or hammer the authorization server through us.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct FlowLimitsConfig {
    /// Flows one client address may start per minute (0 = no limit). Behind a reverse proxy
    /// every client has the proxy's address: raise it or set 0 there.
    pub per_address_per_minute: u32,
    /// Flows one embedding origin may start per minute (0 = no limit).
    pub per_origin_per_minute: u32,
    /// Flows that may be open (not yet ended) at once.
    pub max_open: u32,
}

impl FlowLimitsConfig {
    /// The bound on open flows, at least one.
    pub fn max_open_flows(&self) -> i64 {
        i64::from(self.max_open.max(1))
    }
}

impl Default for FlowLimitsConfig {
    fn default() -> Self {
        FlowLimitsConfig {
            per_address_per_minute: 60,
            per_origin_per_minute: 600,
            max_open: 10_000,
        }
    }
}

/// `[auth]` in the TOML configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// `microsoft_ews` or `microsoft_graph`: fills the endpoints and scopes (needs `tenant`).
    pub preset: Option<Preset>,
    /// Microsoft tenant id or domain for the presets (`organizations`, `common`, a GUID…).
    pub tenant: Option<String>,
    /// OIDC issuer: endpoints not given explicitly come from `<issuer>/.well-known/openid-configuration`.
    pub issuer: Option<String>,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub revocation_url: Option<String>,
    /// The issuer's signing keys (JWKS) that ID tokens are verified with; default: discovery's
    /// `jwks_uri`, the presets' Microsoft keys, or the development server's.
    pub jwks_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<ConfigSecret>,
    pub scopes: Option<Scopes>,
    /// The OAuth redirect URI; default `<public base URL>/auth/callback`.
    pub redirect_uri: Option<String>,
    /// Extra query parameters of the authorization request, e.g. `prompt = "consent"`.
    pub authorize_params: BTreeMap<String, String>,
    /// Base64 of the 32-byte key that encrypts tokens at rest (prefer env `XF_TOKEN_KEY`).
    pub token_key: Option<ConfigSecret>,
    /// Flows expire after this long (default 600 s).
    pub flow_ttl_secs: Option<u64>,
    /// Refresh access tokens this long before they expire (default and minimum 60 s).
    pub refresh_margin_secs: Option<u64>,
    /// Sessions end this long after sign-in, used or not (default 90 days).
    pub session_max_age_days: Option<u64>,
    /// The built-in development authorization server (sandbox mode).
    pub dev_server: DevServerConfig,
    /// Rate limits and bound of sign-in flows.
    pub flow_limits: FlowLimitsConfig,
}

/// Why the `[auth]` configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("auth configuration: {0}")]
    Invalid(String),
    #[error("auth configuration: OIDC discovery at {url} failed: {message}")]
    Discovery { url: String, message: String },
    #[error("auth configuration: token key file {path}: {message}")]
    KeyFile { path: PathBuf, message: String },
}

fn invalid(msg: impl Into<String>) -> AuthConfigError {
    AuthConfigError::Invalid(msg.into())
}

/// What the rest of the proxy tells the auth module when resolving its configuration.
#[derive(Clone, Debug)]
pub struct AuthContext {
    /// Sandbox mode: the built-in development authorization server is the default.
    pub sandbox: bool,
    /// The proxy's public base URL (what browsers use), e.g. `http://127.0.0.1:8080/`.
    pub public_base_url: Url,
    /// Where SQLite files (and the sandbox token key) live.
    pub data_dir: PathBuf,
    /// The embedding origins (configured ones and the proxy's own), shared with CORS.
    pub allowed_origins: AllowedOrigins,
    /// Plain-http authorization servers accepted (sandbox mode, `allow_insecure_http`).
    pub insecure_http: InsecureHttpPolicy,
}

/// Fully resolved settings the OAuth client and the routes work with.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub authorize_url: Url,
    pub token_url: Url,
    pub userinfo_url: Option<Url>,
    pub revocation_url: Option<Url>,
    /// What an ID token's `iss` must be (`None`: ID tokens cannot be verified; sign-ins that
    /// receive one are refused with a message naming `issuer`).
    pub id_token_issuer: Option<ExpectedIssuer>,
    /// The issuer's signing keys (`None`: as above, naming `jwks_url`).
    pub jwks_url: Option<Url>,
    pub client_id: String,
    pub client_secret: Option<ConfigSecret>,
    pub scopes: Vec<String>,
    pub redirect_uri: Url,
    pub authorize_params: Vec<(String, String)>,
    pub allowed_origins: AllowedOrigins,
    /// Origin of the public base URL: same-origin requests without an `Origin` header count as it.
    pub public_origin: String,
    /// The proxy's public base URL (flow start pages live under it).
    pub public_base_url: Url,
    pub flow_ttl: Duration,
    pub flow_limits: FlowLimitsConfig,
    pub refresh_margin: Duration,
    pub session_max_age: Duration,
    /// Set when the built-in development authorization server is in use.
    pub dev_server: Option<DevServerSettings>,
}

/// The development server's half of the shared client registration.
#[derive(Clone, Debug)]
pub struct DevServerSettings {
    pub issuer: Url,
    pub access_token_ttl: Duration,
}

/// Minimum refresh margin the issue asks for.
const MIN_REFRESH_MARGIN_SECS: u64 = 60;

impl AuthConfig {
    /// Parses the `[auth]` table of the configuration file.
    pub fn from_table(table: &toml::Table) -> Result<Self, AuthConfigError> {
        // Numbers from environment variables arrive as text: figment reads them leniently.
        figment::Figment::from(figment::providers::Serialized::defaults(table))
            .extract_lossy()
            .map_err(|e: figment::Error| {
                invalid(format!("[auth] {}: {}", e.path.join("."), e.kind))
            })
    }

    /// Nothing names an authorization server or client.
    pub fn is_unconfigured(&self) -> bool {
        self.preset.is_none()
            && self.issuer.is_none()
            && self.authorize_url.is_none()
            && self.token_url.is_none()
            && self.client_id.is_none()
    }

    /// True when the built-in development authorization server is the authorization server:
    /// sandbox mode with no issuer, preset or explicit endpoints configured.
    pub fn uses_dev_server(&self, sandbox: bool) -> bool {
        sandbox
            && self.preset.is_none()
            && self.issuer.is_none()
            && self.authorize_url.is_none()
            && self.token_url.is_none()
    }

    /// Resolves endpoints (running OIDC discovery when `issuer` is set), defaults and the
    /// origin list. `http` must not follow redirects (discovery answers are taken as they come).
    pub async fn resolve(
        &self,
        ctx: &AuthContext,
        http: &reqwest::Client,
    ) -> Result<AuthSettings, AuthConfigError> {
        let base = ensure_trailing_slash(ctx.public_base_url.clone());
        let public_origin = origin_of(&base)
            .ok_or_else(|| invalid(format!("public base URL {base} has no origin")))?;
        let dev = self.uses_dev_server(ctx.sandbox);

        let mut authorize_url = None;
        let mut token_url = None;
        let mut userinfo_url = None;
        let mut revocation_url = None;
        let mut id_token_issuer = None;
        let mut jwks_url = None;
        let mut scopes = None;
        let mut client_id = None;
        let mut dev_server = None;

        if dev {
            let issuer = join(&base, &format!("{DEV_AUTH_MOUNT}/"))?;
            authorize_url = Some(join(&issuer, "authorize")?);
            token_url = Some(join(&issuer, "token")?);
            userinfo_url = Some(join(&issuer, "userinfo")?);
            revocation_url = Some(join(&issuer, "revoke")?);
            jwks_url = Some(join(&issuer, "jwks")?);
            scopes = Some(Scopes::parse(SANDBOX_SCOPES).0);
            client_id = Some(SANDBOX_CLIENT_ID.to_owned());
            let issuer = trim_trailing_slash(issuer);
            id_token_issuer = Some(ExpectedIssuer::Exact(issuer.as_str().to_owned()));
            dev_server = Some(DevServerSettings {
                issuer,
                access_token_ttl: Duration::from_secs(self.dev_server.access_token_ttl_secs.max(1)),
            });
        }

        if let Some(preset) = self.preset {
            let tenant = self
                .tenant
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| invalid("the Microsoft presets need `tenant` (a tenant id, domain, or `organizations`)"))?;
            if !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            {
                return Err(invalid(format!(
                    "tenant '{tenant}' is not a tenant id or domain"
                )));
            }
            let root = format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/");
            authorize_url = Some(parse_url(
                "preset authorize URL",
                &format!("{root}authorize"),
            )?);
            token_url = Some(parse_url("preset token URL", &format!("{root}token"))?);
            id_token_issuer = Some(ExpectedIssuer::microsoft(tenant));
            jwks_url = Some(parse_url("preset keys URL", &microsoft_keys_url(tenant))?);
            scopes = Some(
                Scopes::parse(match preset {
                    Preset::MicrosoftEws => MICROSOFT_EWS_SCOPES,
                    Preset::MicrosoftGraph => MICROSOFT_GRAPH_SCOPES,
                })
                .0,
            );
        }

        if let Some(issuer) = self.issuer.as_deref().map(str::trim) {
            // Refused before discovery: the document itself must not travel in plain text.
            ctx.insecure_http
                .check(&parse_url("issuer", issuer)?)
                .map_err(|p| invalid(format!("auth.issuer (XF_AUTH_ISSUER): {p}")))?;
            let needs_discovery =
                self.authorize_url.is_none() || self.token_url.is_none() || self.jwks_url.is_none();
            if needs_discovery {
                let doc = discover(issuer, http).await?;
                authorize_url = Some(doc.authorization_endpoint);
                token_url = Some(doc.token_endpoint);
                userinfo_url = doc.userinfo_endpoint.or(userinfo_url);
                revocation_url = doc.revocation_endpoint.or(revocation_url);
                jwks_url = doc.jwks_uri.or(jwks_url);
                id_token_issuer = Some(ExpectedIssuer::from_published(&doc.issuer));
            } else {
                id_token_issuer = Some(ExpectedIssuer::Exact(issuer.to_owned()));
            }
        }

        let explicit =
            |name: &str, v: &Option<String>| v.as_deref().map(|s| parse_url(name, s)).transpose();
        if let Some(u) = explicit("authorize_url", &self.authorize_url)? {
            authorize_url = Some(u);
        }
        if let Some(u) = explicit("token_url", &self.token_url)? {
            token_url = Some(u);
        }
        if let Some(u) = explicit("userinfo_url", &self.userinfo_url)? {
            userinfo_url = Some(u);
        }
        if let Some(u) = explicit("revocation_url", &self.revocation_url)? {
            revocation_url = Some(u);
        }
        if let Some(u) = explicit("jwks_url", &self.jwks_url)? {
            jwks_url = Some(u);
        }
        if let Some(s) = &self.scopes {
            scopes = Some(s.0.clone());
        }
        if let Some(id) = &self.client_id {
            client_id = Some(id.clone());
        }

        let authorize_url = authorize_url.ok_or_else(|| {
            invalid("no authorization server: set `issuer`, a `preset`, or `authorize_url` + `token_url` (or run in sandbox mode)")
        })?;
        let token_url = token_url.ok_or_else(|| invalid("no `token_url` (and none discovered)"))?;
        for (name, u) in [("authorize_url", &authorize_url), ("token_url", &token_url)] {
            check_endpoint_scheme(name, u)?;
        }
        let endpoints = [
            ("authorize_url", Some(&authorize_url)),
            ("token_url", Some(&token_url)),
            ("userinfo_url", userinfo_url.as_ref()),
            ("revocation_url", revocation_url.as_ref()),
            ("jwks_url", jwks_url.as_ref()),
        ];
        for (name, u) in endpoints {
            if let Some(u) = u {
                ctx.insecure_http
                    .check(u)
                    .map_err(|p| invalid(format!("auth.{name}: {p}")))?;
            }
        }
        let client_id = client_id
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| invalid("`client_id` is required"))?;
        let scopes = scopes.unwrap_or_default();
        if scopes.is_empty() {
            return Err(invalid("`scopes` is empty"));
        }
        let redirect_uri = match &self.redirect_uri {
            Some(u) => parse_url("redirect_uri", u)?,
            None => join(&base, "auth/callback")?,
        };

        for key in self.authorize_params.keys() {
            const OURS: [&str; 8] = [
                "nonce",
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state",
                "code_challenge",
                "code_challenge_method",
            ];
            if OURS.contains(&key.as_str()) {
                return Err(invalid(format!(
                    "authorize_params: `{key}` is set by the proxy itself"
                )));
            }
        }

        let flow_ttl = Duration::from_secs(self.flow_ttl_secs.unwrap_or(600).max(1));
        let refresh_margin = Duration::from_secs(
            self.refresh_margin_secs
                .unwrap_or(60)
                .max(MIN_REFRESH_MARGIN_SECS),
        );

        Ok(AuthSettings {
            authorize_url,
            token_url,
            userinfo_url,
            revocation_url,
            id_token_issuer,
            jwks_url,
            client_id,
            client_secret: self.client_secret.clone(),
            scopes,
            redirect_uri,
            authorize_params: self
                .authorize_params
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            allowed_origins: ctx.allowed_origins.clone(),
            public_origin,
            public_base_url: base.clone(),
            flow_ttl,
            flow_limits: self.flow_limits.clone(),
            refresh_margin,
            session_max_age: Duration::from_secs(
                self.session_max_age_days
                    .unwrap_or(90)
                    .max(1)
                    .saturating_mul(24 * 3600),
            ),
            dev_server,
        })
    }

    /// The token encryption key: `token_key` / `XF_TOKEN_KEY`; in sandbox mode without one, a
    /// key generated once into `<data_dir>/token.key` (mode 0600) so restarts keep working.
    pub fn token_key(&self, ctx: &AuthContext) -> Result<TokenKey, AuthConfigError> {
        if let Some(k) = &self.token_key {
            return decode_key(k.0.expose_secret())
                .map_err(|m| invalid(format!("token_key / XF_TOKEN_KEY: {m}")));
        }
        if !ctx.sandbox {
            return Err(invalid(
                "no token encryption key: set XF_TOKEN_KEY to base64 of 32 random bytes (e.g. `openssl rand -base64 32`)",
            ));
        }
        load_or_create_key_file(&ctx.data_dir.join("token.key"))
    }
}

fn parse_url(name: &str, s: &str) -> Result<Url, AuthConfigError> {
    let u =
        Url::parse(s.trim()).map_err(|e| invalid(format!("{name}: '{s}' is not a URL ({e})")))?;
    check_endpoint_scheme(name, &u)?;
    Ok(u)
}

fn check_endpoint_scheme(name: &str, u: &Url) -> Result<(), AuthConfigError> {
    match u.scheme() {
        "https" | "http" => Ok(()),
        other => Err(invalid(format!("{name}: scheme '{other}' is not http(s)"))),
    }
}

fn ensure_trailing_slash(mut u: Url) -> Url {
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    u
}

fn trim_trailing_slash(mut u: Url) -> Url {
    let p = u.path().trim_end_matches('/').to_owned();
    u.set_path(&p);
    u
}

fn join(base: &Url, rel: &str) -> Result<Url, AuthConfigError> {
    base.join(rel)
        .map_err(|e| invalid(format!("cannot build URL {base} + {rel}: {e}")))
}

#[cfg(test)]
mod tests;
