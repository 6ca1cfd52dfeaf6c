//! [`Config::resolve`]: the merged layers checked once, every problem named with its origin.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::{
    AuthTable, Backend, Config, ConfigError, ConfigLayer, EwsAuth, EwsConfig, LogConfig, LogFormat,
    MetricsConfig, SandboxConfig, ServerConfig, ServerVersion, autodiscover, backend,
    service_account, sources,
};
use crate::insecure_http::InsecureHttpPolicy;
use crate::origins::OriginPattern;

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
