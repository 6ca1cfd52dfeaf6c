//! The `[auth]` section of the proxy configuration (its types here, its resolution into runtime
//! settings in `resolve.rs`).
//!
//! Layers (lowest first): built-in defaults (sandbox: the built-in development authorization
//! server) < preset (`microsoft_ews` / `microsoft_graph`) < OIDC discovery from `issuer` < the
//! explicit endpoint keys. The table arrives merged from the configuration's sources (file,
//! then `XF_AUTH_*` environment variables, see `crate::config`), the environment's values as
//! text.

mod discovery;
mod key_file;
mod resolve;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use url::Url;

use super::id_token::ExpectedIssuer;
use crate::insecure_http::InsecureHttpPolicy;
use crate::origins::AllowedOrigins;

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

#[cfg(test)]
mod tests;
