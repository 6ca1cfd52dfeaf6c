//! Layered configuration: built-in defaults < TOML file < `XF_*` environment < command-line flags.
//!
//! The keys are listed once, as the serde structs of [`Settings`]; each source is a
//! [`ConfigLayer`] (a figment provider that names its values the way they were written:
//! file and key, environment variable, or flag). [`Config::resolve`] merges the layers with
//! figment and validates the result once, so every problem is reported with where it came
//! from instead of as a panic deep inside the server.
//!
//! Sandbox mode needs no file at all, but runs only when asked (`--sandbox`, `XF_SANDBOX=1`,
//! `sandbox.enabled = true`): it runs the built-in EWS sandbox mailbox and points the EWS
//! client at it. Without it an Exchange endpoint is required.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

mod autodiscover;
mod backend;
mod layer;
mod resolve;
mod service_account;
mod sources;

pub use autodiscover::AutodiscoverConfig;
pub use backend::{Backend, DEFAULT_GRAPH_ENDPOINT, GraphConfig};
pub use layer::{
    EwsLayer, GraphLayer, LogLayer, MetricsLayer, SandboxAccountLayer, SandboxLayer, ServerLayer,
    ServiceAccountLayer, Settings,
};
pub use service_account::{EwsAuth, Kdc, ServiceAccount};
pub use sources::ConfigLayer;

use crate::insecure_http::InsecureHttpPolicy;
use crate::origins::OriginPattern;

/// The validated configuration the server runs with.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: IpAddr,
    /// 0 = let the OS pick a free port (tests); the real port is printed once bound.
    pub port: u16,
    /// Where SQLite databases live (`proxy.sqlite`, `sandbox.sqlite`).
    pub data_dir: PathBuf,
    /// `postgres://…`: the proxy's own state (sessions, flows, tokens, idempotency keys) in
    /// PostgreSQL, shared by every proxy pointed at it; `None` = SQLite in `data_dir`. Secret:
    /// the URL may carry a password.
    pub database_url: Option<secrecy::SecretString>,
    /// Directory holding `index.html`, `www/` and `pkg/` (the repository root by default).
    pub static_dir: PathBuf,
    /// The URL browsers reach this proxy at; defaults to `http://BIND:PORT` once bound.
    pub public_url: Option<Url>,
    /// Embedding origins allowed to call the API (CORS and session binding). An entry may end
    /// in `:*` to allow any port of that host (`http://127.0.0.1:*`). The proxy's own origin
    /// joins them once it is known (see [`crate::origins::AllowedOrigins`]).
    pub allowed_origins: Vec<OriginPattern>,
    /// Plain-http upstreams: sandbox mode, or the origins of `allow_insecure_http`.
    pub insecure_http: InsecureHttpPolicy,
    pub server: ServerConfig,
    /// The protocol that reaches the mailbox (`backend`).
    pub backend: Backend,
    pub ews: EwsConfig,
    pub graph: GraphConfig,
    pub sandbox: SandboxConfig,
    pub metrics: MetricsConfig,
    pub log: LogConfig,
    /// The raw `[auth]` table, parsed by the authorization module (it owns those keys).
    pub auth: AuthTable,
}

/// The `[auth]` table as written. It may hold `client_secret` and `token_key`, so its `Debug`
/// shows the key names only: a logged `Config` never carries a secret.
#[derive(Clone, Default, PartialEq)]
pub struct AuthTable(pub toml::Table);

impl std::ops::Deref for AuthTable {
    type Target = toml::Table;

    fn deref(&self) -> &toml::Table {
        &self.0
    }
}

impl fmt::Debug for AuthTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// How long clients may take to send a request (slow clients hold connections and tasks).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// From the moment a connection waits for a request to the end of its headers.
    pub header_timeout: Duration,
    /// From the first read of a request body to its end.
    pub body_timeout: Duration,
}

impl ServerConfig {
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
}

/// How the EWS client reaches Exchange.
#[derive(Clone, Debug)]
pub struct EwsConfig {
    /// `https://mail.example.com/EWS/Exchange.asmx`; `None` in sandbox mode means the proxy's
    /// own `/sandbox/ews/Exchange.asmx` (known only once the port is bound), and with
    /// `autodiscover` that each user's URL is discovered.
    pub endpoint: Option<Url>,
    /// `ews.autodiscover = true`: no fixed endpoint, each user's EWS URL comes from POX
    /// Autodiscover (see [`AutodiscoverConfig`]).
    pub autodiscover: Option<AutodiscoverConfig>,
    pub server_version: ServerVersion,
    /// How the proxy signs in to EWS: each user's token, or a service account that
    /// impersonates each signed-in user (ExchangeImpersonation + X-AnchorMailbox).
    pub auth: EwsAuth,
    /// PEM certificates trusted for the EWS endpoint besides the public roots (an on-premises
    /// server's internal certificate authority).
    pub ca_file: Option<PathBuf>,
    /// Per-request timeout towards Exchange.
    pub timeout: Duration,
    /// Retries of one operation after throttling or an unknown outcome.
    pub max_retries: u32,
    /// Total time one API call may spend waiting for Exchange to stop throttling.
    pub retry_budget: Duration,
}

/// The embedded EWS sandbox mailbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub enabled: bool,
    /// OIDC userinfo endpoint that turns a bearer access token into the mailbox address.
    /// `None` = the built-in dev authorization server at `<public_url>/sandbox/oauth/userinfo`.
    pub userinfo_url: Option<Url>,
    /// Mailboxes allowed to act as others with ExchangeImpersonation (what the
    /// ApplicationImpersonation role grants on Exchange), lower-cased. Empty = nobody.
    pub impersonators: Vec<String>,
    /// Accounts the sandbox accepts with NTLM, Negotiate or Basic (names lower-cased).
    pub service_accounts: Vec<ServiceAccount>,
    /// Keytab holding the sandbox's `HTTP/<host>` key: Kerberos sign-ins are accepted with it.
    pub kerberos_keytab: Option<PathBuf>,
}

/// `GET /metrics` (Prometheus text format).
#[derive(Clone, Debug)]
pub struct MetricsConfig {
    /// Off: `/metrics` answers 404 like any unknown path.
    pub enabled: bool,
    /// Set: scrapers must send `Authorization: Bearer <token>` (the endpoint is otherwise open
    /// to anyone who reaches the proxy).
    pub token: Option<secrecy::SecretString>,
}

/// How log lines are written (to stderr).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Clone, Debug, Default)]
pub struct LogConfig {
    pub format: LogFormat,
}

/// `t:RequestServerVersion/@Version` values we support (Exchange 2013 and later).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServerVersion {
    Exchange2013,
    Exchange2013Sp1,
    #[default]
    Exchange2016,
}

impl ServerVersion {
    pub const ALL: [ServerVersion; 3] = [
        ServerVersion::Exchange2013,
        ServerVersion::Exchange2013Sp1,
        ServerVersion::Exchange2016,
    ];

    /// The schema's spelling, as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerVersion::Exchange2013 => "Exchange2013",
            ServerVersion::Exchange2013Sp1 => "Exchange2013_SP1",
            ServerVersion::Exchange2016 => "Exchange2016",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(raw.trim())).ok_or_else(
            || format!("'{raw}' is not a supported Exchange version (Exchange2013, Exchange2013_SP1 or Exchange2016)"),
        )
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A configuration problem, naming where the bad value came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `origin` is e.g. "config file ./proxy.toml, key ews.timeout_seconds" or
    /// "environment variable XF_PORT"; a file that is not TOML is named alone, and toml's
    /// message holds line and column.
    #[error("{origin}: {problem}")]
    Invalid { origin: String, problem: String },
    /// A setting is missing; the message says which and how to fix it.
    #[error("{0}")]
    Incomplete(String),
}

#[cfg(test)]
mod tests;
