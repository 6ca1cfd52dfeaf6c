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

impl Config {
    pub const DEFAULT_PORT: u16 = 8080;
    /// Exchange throttling back-offs can be minutes long; a form submit should not hang that
    /// long, so by default we wait at most this much in total and then tell the user.
    pub const DEFAULT_RETRY_BUDGET: Duration = Duration::from_secs(30);

    /// Stacks `layers` (lowest first) over the built-in defaults and validates the result.
    pub fn resolve(layers: impl IntoIterator<Item = ConfigLayer>) -> Result<Config, ConfigError> {
        let figment = layers
            .into_iter()
            .fold(figment::Figment::new(), |lower, upper| {
                lower.merge(upper.into_figment())
            });
        let merged = sources::extract(&figment)?;
        let origin = |key: &str| sources::origin(&figment, key);
        let invalid = |key: &str, problem: String| ConfigError::Invalid {
            origin: origin(key),
            problem,
        };

        let bind = match &merged.bind {
            None => IpAddr::from([127, 0, 0, 1]),
            Some(raw) => raw.trim().parse().map_err(|_| {
                invalid(
                    "bind",
                    format!("'{raw}' is not an IP address such as 127.0.0.1"),
                )
            })?,
        };
        let public_url = merged
            .public_url
            .as_deref()
            .map(|raw| parse_http_url(raw).map_err(|p| invalid("public_url", p)))
            .transpose()?;
        let endpoint = merged
            .ews
            .endpoint
            .as_deref()
            .map(|raw| parse_http_url(raw).map_err(|p| invalid("ews.endpoint", p)))
            .transpose()?;
        let server_version = merged
            .ews
            .server_version
            .as_deref()
            .map(|raw| ServerVersion::parse(raw).map_err(|p| invalid("ews.server_version", p)))
            .transpose()?
            .unwrap_or_default();
        let ews_auth = service_account::resolve(&merged.ews).map_err(|(k, p)| invalid(k, p))?;
        let seconds_in_range = |key: &str, value: Option<u64>, default: Duration| {
            let seconds = value.unwrap_or(default.as_secs());
            if (1..=600).contains(&seconds) {
                Ok(Duration::from_secs(seconds))
            } else {
                Err(invalid(
                    key,
                    format!("{seconds} is out of range (1 to 600 seconds)"),
                ))
            }
        };
        let server = ServerConfig {
            header_timeout: seconds_in_range(
                "server.header_timeout_secs",
                merged.server.header_timeout_secs,
                ServerConfig::DEFAULT_HEADER_TIMEOUT,
            )?,
            body_timeout: seconds_in_range(
                "server.body_timeout_secs",
                merged.server.body_timeout_secs,
                ServerConfig::DEFAULT_BODY_TIMEOUT,
            )?,
        };
        let timeout = seconds_in_range(
            "ews.timeout_seconds",
            merged.ews.timeout_seconds,
            Duration::from_secs(30),
        )?;
        let max_retries = merged.ews.max_retries.unwrap_or(4);
        if max_retries > 20 {
            return Err(invalid(
                "ews.max_retries",
                format!("{max_retries} is more than 20"),
            ));
        }
        let retry_budget_seconds = merged
            .ews
            .retry_budget_seconds
            .unwrap_or(Self::DEFAULT_RETRY_BUDGET.as_secs());
        if retry_budget_seconds > 600 {
            return Err(invalid(
                "ews.retry_budget_seconds",
                format!("{retry_budget_seconds} is more than 600 seconds"),
            ));
        }
        let userinfo_url = merged
            .sandbox
            .userinfo_url
            .as_deref()
            .map(|raw| parse_http_url(raw).map_err(|p| invalid("sandbox.userinfo_url", p)))
            .transpose()?;
        let mut impersonators = Vec::new();
        for raw in merged.sandbox.impersonators.clone().unwrap_or_default() {
            let address = raw.trim().to_lowercase();
            // A mailbox, or a service account written DOMAIN\user.
            if !is_plausible_smtp(&address) && service_account::check_username(&address).is_err() {
                return Err(invalid(
                    "sandbox.impersonators",
                    format!("'{raw}' is not an SMTP address or DOMAIN\\user"),
                ));
            }
            impersonators.push(address);
        }
        let sandbox_accounts = service_account::resolve_sandbox(
            merged
                .sandbox
                .service_accounts
                .as_deref()
                .unwrap_or_default(),
        )
        .map_err(|p| invalid("sandbox.service_accounts", p))?;
        // Never guessed from a missing endpoint: someone who configured a Microsoft sign-in
        // but forgot the endpoint would sign in to Microsoft and have their items stored in a
        // local SQLite file.
        let sandbox = merged.sandbox.enabled.unwrap_or(false);
        if sandbox && !crate::sandbox_mode::BUILT_IN {
            return Err(invalid(
                "sandbox.enabled",
                "this proxy was built without the sandbox (cargo feature `sandbox`), so it cannot \
                 run the sandbox mailbox and sign-in server: build it with default features, or \
                 configure ews.endpoint and [auth] for a real Exchange"
                    .into(),
            ));
        }
        let backend = merged
            .backend
            .as_deref()
            .map(|raw| Backend::parse(raw).map_err(|p| invalid("backend", p)))
            .transpose()?
            .unwrap_or_default();
        let graph = backend::GraphKeys::parse(&merged.graph, parse_http_url)
            .map_err(|(key, problem)| invalid(key, problem))?;
        if backend == Backend::Graph && ews_auth != EwsAuth::OAuth {
            return Err(invalid(
                "ews.auth",
                "service-account mode (ExchangeImpersonation) is EWS only: remove ews.auth, or \
                 set backend = \"ews\""
                    .into(),
            ));
        }
        let autodiscover = autodiscover::resolve(
            &merged.ews,
            endpoint.as_ref(),
            &ews_auth,
            backend,
            sandbox,
            parse_http_url,
        )
        .map_err(|(key, problem)| invalid(key, problem))?;
        // In sandbox mode without an endpoint, Graph goes to the sandbox's own Graph front end.
        let graph_in_sandbox = sandbox && graph.endpoint.is_none();
        if backend == Backend::Ews && !sandbox && endpoint.is_none() && autodiscover.is_none() {
            return Err(ConfigError::Incomplete(
                "no Exchange endpoint is configured: set ews.endpoint (XF_EWS_ENDPOINT) to your \
                 Exchange server's EWS URL (or ews.autodiscover = true to find each user's URL \
                 with Autodiscover), reach Exchange Online through Microsoft Graph with \
                 backend = \"graph\" (XF_BACKEND=graph, --backend graph), or run the local \
                 sandbox mailbox with --sandbox (XF_SANDBOX=1, sandbox.enabled = true)"
                    .into(),
            ));
        }
        let insecure_http = InsecureHttpPolicy::new(
            sandbox,
            merged.allow_insecure_http.as_deref().unwrap_or_default(),
        )
        .map_err(|p| invalid("allow_insecure_http", p))?;
        if let Some(endpoint) = &endpoint {
            insecure_http
                .check(endpoint)
                .map_err(|p| invalid("ews.endpoint", p))?;
        }
        if let Some(url) = autodiscover.as_ref().and_then(|a| a.url.as_ref()) {
            insecure_http
                .check(url)
                .map_err(|p| invalid("ews.autodiscover_url", p))?;
        }
        if let Some(endpoint) = &graph.endpoint {
            insecure_http
                .check(endpoint)
                .map_err(|p| invalid("graph.endpoint", p))?;
        }
        let mut allowed_origins = Vec::new();
        for raw in merged.allowed_origins.clone().unwrap_or_else(|| {
            if sandbox {
                vec![
                    "http://127.0.0.1:*".to_owned(),
                    "http://localhost:*".to_owned(),
                ]
            } else {
                Vec::new()
            }
        }) {
            allowed_origins
                .push(OriginPattern::parse(&raw).map_err(|p| invalid("allowed_origins", p))?);
        }

        let log_format = match merged.log.format.as_deref().map(str::trim) {
            None => LogFormat::default(),
            Some(raw) if raw.eq_ignore_ascii_case("text") => LogFormat::Text,
            Some(raw) if raw.eq_ignore_ascii_case("json") => LogFormat::Json,
            Some(raw) => {
                return Err(invalid(
                    "log.format",
                    format!("'{raw}' is not a log format (text or json)"),
                ));
            }
        };
        let metrics_token = match merged.metrics.token.as_deref().map(str::trim) {
            None | Some("") => None,
            // It travels in a header: visible ASCII only, and long enough not to be guessed.
            Some(token) if token.len() >= 16 && token.bytes().all(|b| b.is_ascii_graphic()) => {
                Some(secrecy::SecretString::from(token.to_owned()))
            }
            Some(_) => {
                return Err(invalid(
                    "metrics.token",
                    "the token must be at least 16 visible ASCII characters".into(),
                ));
            }
        };

        let database_url = match merged.database_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) if crate::store::is_postgres_url(url) => {
                Some(secrecy::SecretString::from(url.to_owned()))
            }
            Some(_) => {
                return Err(invalid(
                    "database_url",
                    "expected a PostgreSQL URL (postgres://user:password@host/database); leave it out to use SQLite in data_dir".into(),
                ));
            }
        };

        Ok(Config {
            bind,
            database_url,
            port: merged.port.unwrap_or(Self::DEFAULT_PORT),
            data_dir: merged
                .data_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("./data")),
            static_dir: merged
                .static_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from(".")),
            public_url,
            allowed_origins,
            insecure_http,
            server,
            backend,
            ews: EwsConfig {
                endpoint,
                autodiscover,
                server_version,
                auth: ews_auth,
                ca_file: merged.ews.ca_file.clone(),
                timeout,
                max_retries,
                retry_budget: Duration::from_secs(retry_budget_seconds),
            },
            graph: graph
                .into_config(
                    timeout,
                    max_retries,
                    Duration::from_secs(retry_budget_seconds),
                    graph_in_sandbox,
                )
                .map_err(|p| invalid("graph.endpoint", p))?,
            sandbox: SandboxConfig {
                enabled: sandbox,
                userinfo_url,
                impersonators,
                service_accounts: sandbox_accounts,
                kerberos_keytab: merged.sandbox.kerberos_keytab.clone(),
            },
            metrics: MetricsConfig {
                enabled: merged.metrics.enabled.unwrap_or(true),
                token: metrics_token,
            },
            log: LogConfig { format: log_format },
            auth: AuthTable(merged.auth.clone().unwrap_or_default()),
        })
    }
}

fn parse_http_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("'{raw}' is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("'{raw}' must be an http:// or https:// URL"));
    }
    if url.host_str().is_none() {
        return Err(format!("'{raw}' has no host"));
    }
    Ok(url)
}

fn is_plausible_smtp(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;

    pub(super) fn file(text: &str) -> Result<ConfigLayer, ConfigError> {
        ConfigLayer::from_toml(text, Path::new("proxy.toml"))
    }

    pub(super) fn env(pairs: &[(&str, &str)]) -> ConfigLayer {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ConfigLayer::from_env(|k| map.get(k).cloned()).unwrap()
    }

    #[test]
    fn sandbox_flag_alone_means_sandbox_on_localhost_8080() {
        let config = Config::resolve([env(&[("XF_SANDBOX", "1")])]).unwrap();
        assert!(config.sandbox.enabled);
        assert_eq!(config.bind.to_string(), "127.0.0.1");
        assert_eq!(config.port, 8080);
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert_eq!(config.ews.server_version, ServerVersion::Exchange2016);
        assert_eq!(config.ews.retry_budget, Duration::from_secs(30));
        assert_eq!(
            config.allowed_origins,
            [
                OriginPattern::parse("http://127.0.0.1:*").unwrap(),
                OriginPattern::parse("http://localhost:*").unwrap()
            ]
        );
    }

    #[test]
    fn later_layers_win() {
        let from_file = file("port = 9000\n[ews]\nendpoint = \"https://mail.example.com/EWS/Exchange.asmx\"\nmax_retries = 2\n").unwrap();
        let from_env = env(&[
            ("XF_PORT", "9100"),
            ("XF_EWS_SERVER_VERSION", "Exchange2013"),
        ]);
        let flags =
            ConfigLayer::from_flags(&[("port", "0".into())], |k| format!("flag --{k}")).unwrap();
        let config = Config::resolve([from_file, from_env, flags]).unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.ews.max_retries, 2);
        assert_eq!(config.ews.server_version, ServerVersion::Exchange2013);
        assert!(!config.sandbox.enabled, "an endpoint means real Exchange");
    }

    #[test]
    fn file_errors_name_the_file_and_key() {
        let err = file("[ews]\ntimeout_seconds = \"soon\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("proxy.toml") && err.contains("timeout_seconds"),
            "{err}"
        );
        let err = file("colour = 1\n").unwrap_err().to_string();
        assert!(err.contains("unknown field `colour`"), "{err}");
        let err = file("port = \n").unwrap_err().to_string();
        assert!(
            err.contains("proxy.toml") && err.contains("line 1"),
            "{err}"
        );
    }

    #[test]
    fn database_url_chooses_postgres_and_the_environment_wins() {
        use secrecy::ExposeSecret as _;
        let sandbox = || env(&[("XF_SANDBOX", "1")]);
        let sqlite = Config::resolve([sandbox()]).unwrap();
        assert!(sqlite.database_url.is_none(), "absent = SQLite in data_dir");
        let from_file = file("database_url = \"postgres://a@db/forms\"\n").unwrap();
        let from_env = env(&[("XF_DATABASE_URL", "postgresql://b@db/forms")]);
        let config = Config::resolve([sandbox(), from_file, from_env]).unwrap();
        assert_eq!(
            config.database_url.as_ref().map(|u| u.expose_secret()),
            Some("postgresql://b@db/forms")
        );
        let mysql = file("database_url = \"mysql://db/forms\"\n").unwrap();
        let err = Config::resolve([sandbox(), mysql]).unwrap_err().to_string();
        assert!(
            err.starts_with("config file proxy.toml, key database_url:")
                && err.contains("PostgreSQL URL"),
            "{err}"
        );
    }

    #[test]
    fn invalid_values_name_their_origin() {
        let layer = file("[ews]\nendpoint = \"ftp://x\"\n").unwrap();
        let err = Config::resolve([layer]).unwrap_err().to_string();
        assert!(
            err.starts_with("config file proxy.toml, key ews.endpoint:"),
            "{err}"
        );

        let err = ConfigLayer::from_env(|k| (k == "XF_PORT").then(|| "eighty".to_owned()))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("environment variable XF_PORT: ")
                && err.contains("\"eighty\"")
                && err.contains("u16"),
            "{err}"
        );

        let err = Config::resolve([env(&[("XF_EWS_SERVER_VERSION", "Exchange2010")])])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("XF_EWS_SERVER_VERSION") && err.contains("Exchange2010"),
            "{err}"
        );
    }

    #[test]
    fn debug_output_shows_auth_keys_but_not_their_secrets() {
        let config = Config::resolve([
            env(&[("XF_SANDBOX", "1")]),
            file("[auth]\nclient_id = \"forms\"\nclient_secret = \"s3cr3t-value\"\n").unwrap(),
        ])
        .unwrap();
        let shown = format!("{config:?}");
        assert!(shown.contains("client_secret"), "{shown}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert_eq!(config.auth["client_id"].as_str(), Some("forms"));
    }

    #[test]
    fn the_sandbox_runs_only_when_asked() {
        // Nothing set, or a sign-in configured without an endpoint: no silent sandbox.
        let preset =
            file("[auth]\npreset = \"microsoft_ews\"\ntenant = \"contoso.onmicrosoft.com\"\n")
                .unwrap();
        for layers in [vec![], vec![env(&[("XF_SANDBOX", "false")])], vec![preset]] {
            let err = Config::resolve(layers).unwrap_err().to_string();
            assert!(
                err.starts_with("no Exchange endpoint is configured")
                    && err.contains("ews.endpoint")
                    && err.contains("--sandbox"),
                "{err}"
            );
        }
        let asked = file("[sandbox]\nenabled = true\n").unwrap();
        assert!(Config::resolve([asked]).unwrap().sandbox.enabled);
    }

    #[test]
    fn origins_are_parsed_once_and_bad_ones_named() {
        let layer = file("allowed_origins = [\"https://Intranet.example.com/\", \"http://localhost:*\"]\n[sandbox]\nenabled = true\n").unwrap();
        let config = Config::resolve([layer]).unwrap();
        assert_eq!(
            config.allowed_origins,
            [
                OriginPattern::Exact("https://intranet.example.com".into()),
                OriginPattern::AnyPort {
                    scheme: "http".into(),
                    host: "localhost".into()
                }
            ]
        );
        for bad in ["https://x.example/path", "https://*.example", "null"] {
            let layer = file(&format!(
                "allowed_origins = [\"{bad}\"]\n[sandbox]\nenabled = true\n"
            ))
            .unwrap();
            let err = Config::resolve([layer]).unwrap_err().to_string();
            assert!(
                err.starts_with("config file proxy.toml, key allowed_origins:")
                    && err.contains(bad),
                "{err}"
            );
        }
    }

    #[test]
    fn slow_client_timeouts_default_and_are_bounded() {
        let config = Config::resolve([env(&[("XF_SANDBOX", "1")])]).unwrap();
        assert_eq!(config.server.header_timeout, Duration::from_secs(10));
        assert_eq!(config.server.body_timeout, Duration::from_secs(30));
        let layer = file("[server]\nheader_timeout_secs = 5\n[sandbox]\nenabled = true\n").unwrap();
        let config =
            Config::resolve([layer, env(&[("XF_SERVER_BODY_TIMEOUT_SECS", "7")])]).unwrap();
        assert_eq!(config.server.header_timeout, Duration::from_secs(5));
        assert_eq!(config.server.body_timeout, Duration::from_secs(7));
        let err = Config::resolve([file("[server]\nbody_timeout_secs = 0\n").unwrap()])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("config file proxy.toml, key server.body_timeout_secs:"),
            "{err}"
        );
    }

    #[test]
    fn metrics_and_log_format_settings() {
        let config = Config::resolve([env(&[("XF_SANDBOX", "1")])]).unwrap();
        assert!(config.metrics.enabled && config.metrics.token.is_none());
        assert_eq!(config.log.format, LogFormat::Text);
        let layer = file("[metrics]\nenabled = false\ntoken = \"0123456789abcdef\"\n[log]\nformat = \"json\"\n[sandbox]\nenabled = true\n").unwrap();
        let config = Config::resolve([layer]).unwrap();
        assert!(!config.metrics.enabled);
        assert!(config.metrics.token.is_some());
        assert_eq!(config.log.format, LogFormat::Json);
        let config = Config::resolve([env(&[
            ("XF_SANDBOX", "1"),
            ("XF_LOG_FORMAT", "JSON"),
            ("XF_METRICS_ENABLED", "0"),
        ])])
        .unwrap();
        assert_eq!(config.log.format, LogFormat::Json);
        assert!(!config.metrics.enabled);
        let err = Config::resolve([env(&[("XF_SANDBOX", "1"), ("XF_LOG_FORMAT", "xml")])])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("environment variable XF_LOG_FORMAT:"),
            "{err}"
        );
        let err = Config::resolve([env(&[("XF_SANDBOX", "1"), ("XF_METRICS_TOKEN", "short")])])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("environment variable XF_METRICS_TOKEN:"),
            "{err}"
        );
    }

    #[test]
    fn a_fixed_impersonated_mailbox_is_refused_with_the_new_mode_named() {
        let old = env(&[
            ("XF_EWS_IMPERSONATION", "svc-room@example.com"),
            ("XF_SANDBOX", "1"),
        ]);
        let err = Config::resolve([old]).unwrap_err().to_string();
        assert!(
            err.starts_with("environment variable XF_EWS_IMPERSONATION:")
                && err.contains("ews.auth = \"ntlm\""),
            "{err}"
        );
    }

    #[test]
    fn service_account_from_file_and_password_from_the_environment() {
        let layer = file(
            "[sandbox]\nenabled = true\n[ews]\nauth = \"ntlm\"\n[ews.service_account]\nusername = \"CONTOSO\\\\svc-forms\"\n",
        )
        .unwrap();
        let password = env(&[("XF_EWS_SERVICE_ACCOUNT_PASSWORD", "from-env-secret")]);
        let config = Config::resolve([layer, password]).unwrap();
        let EwsAuth::Ntlm(account) = &config.ews.auth else {
            panic!("{:?}", config.ews.auth);
        };
        assert_eq!(account.username, "CONTOSO\\svc-forms");
        use secrecy::ExposeSecret as _;
        assert_eq!(account.password.expose_secret(), "from-env-secret");
        assert!(!format!("{config:?}").contains("from-env-secret"));
        let accounts = env(&[
            ("XF_SANDBOX", "1"),
            (
                "XF_SANDBOX_SERVICE_ACCOUNTS",
                "svc@sandbox.test:pw1,SANDBOX\\svc2:p:w2",
            ),
        ]);
        let config = Config::resolve([accounts]).unwrap();
        let names: Vec<_> = config
            .sandbox
            .service_accounts
            .iter()
            .map(|a| (a.username.as_str(), a.password.expose_secret()))
            .collect();
        assert_eq!(
            names,
            [("svc@sandbox.test", "pw1"), ("sandbox\\svc2", "p:w2")]
        );
        let err = ConfigLayer::from_env(|k| {
            (k == "XF_SANDBOX_SERVICE_ACCOUNTS").then(|| "svc:secret-one,nopassword".to_owned())
        })
        .unwrap_err()
        .to_string();
        assert!(!err.contains("secret-one"), "{err}");
        assert!(err.contains("username:password"), "{err}");
    }
}
