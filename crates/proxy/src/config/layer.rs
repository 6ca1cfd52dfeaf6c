//! One layer of settings (built-in defaults < TOML file < `XF_*` environment < flags): read
//! from a file or the environment, stacked with [`ConfigLayer::overlay`], each value
//! remembering where it was set so that [`super::Config::resolve`] can name it in errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

use super::ConfigError;

/// One layer of settings; `None` = not set by this layer.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    pub bind: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub static_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub allow_insecure_http: Option<Vec<String>>,
    /// `ews` or `graph`: the protocol that reaches the mailbox.
    pub backend: Option<String>,
    #[serde(default)]
    pub server: ServerLayer,
    #[serde(default)]
    pub ews: EwsLayer,
    #[serde(default)]
    pub graph: GraphLayer,
    #[serde(default)]
    pub sandbox: SandboxLayer,
    #[serde(default)]
    pub metrics: MetricsLayer,
    #[serde(default)]
    pub log: LogLayer,
    pub auth: Option<toml::Table>,
    /// Where each value was set, for error messages (key -> origin); not part of the file.
    #[serde(skip)]
    pub origins: BTreeMap<&'static str, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerLayer {
    pub header_timeout_secs: Option<u64>,
    pub body_timeout_secs: Option<u64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwsLayer {
    pub endpoint: Option<String>,
    pub server_version: Option<String>,
    /// Refused at start-up (it made every user act as one mailbox); kept so the refusal can
    /// point to `auth` + `service_account` instead of a bare "unknown key".
    pub impersonation: Option<String>,
    pub auth: Option<String>,
    #[serde(default)]
    pub service_account: ServiceAccountLayer,
    pub ca_file: Option<PathBuf>,
    /// `host[:port]` of the KDC for `negotiate` / `kerberos`.
    pub kdc: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub max_retries: Option<u32>,
    pub retry_budget_seconds: Option<u64>,
}

/// `[ews.service_account]`: the account EWS is signed in to in `ntlm` / `basic` mode. The
/// password is a [`SecretString`], so a layer printed with `{:?}` never shows it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountLayer {
    pub username: Option<String>,
    pub password: Option<SecretString>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphLayer {
    pub endpoint: Option<String>,
    pub todo_list_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxLayer {
    pub enabled: Option<bool>,
    pub userinfo_url: Option<String>,
    pub impersonators: Option<Vec<String>>,
    /// Accounts the sandbox mailbox accepts with NTLM or Basic (`[[sandbox.service_accounts]]`).
    pub service_accounts: Option<Vec<SandboxAccountLayer>>,
    /// A keytab with the sandbox's `HTTP/<host>` key: Kerberos sign-ins are then accepted.
    pub kerberos_keytab: Option<PathBuf>,
}

/// One `[[sandbox.service_accounts]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxAccountLayer {
    pub username: String,
    pub password: SecretString,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsLayer {
    pub enabled: Option<bool>,
    pub token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogLayer {
    pub format: Option<String>,
}

/// Every key a layer can set, in dotted form (used to record where a value came from).
const KEYS: [&str; 33] = [
    "bind",
    "port",
    "data_dir",
    "database_url",
    "static_dir",
    "public_url",
    "allowed_origins",
    "allow_insecure_http",
    "backend",
    "server.header_timeout_secs",
    "server.body_timeout_secs",
    "ews.endpoint",
    "ews.server_version",
    "ews.impersonation",
    "ews.auth",
    "ews.service_account.username",
    "ews.service_account.password",
    "ews.ca_file",
    "ews.kdc",
    "ews.timeout_seconds",
    "ews.max_retries",
    "ews.retry_budget_seconds",
    "graph.endpoint",
    "graph.todo_list_id",
    "sandbox.enabled",
    "sandbox.userinfo_url",
    "sandbox.impersonators",
    "sandbox.service_accounts",
    "sandbox.kerberos_keytab",
    "metrics.enabled",
    "metrics.token",
    "log.format",
    "auth",
];

impl ConfigLayer {
    /// Reads a TOML file. Unknown keys are errors: a misspelt key silently ignored would
    /// leave the server running with a default the operator did not want.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    pub fn from_toml(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let mut layer: ConfigLayer = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().replace('\n', " | "),
        })?;
        let origin = |key: &str| format!("config file {}, key {key}", path.display());
        for key in KEYS {
            if layer.is_set(key) {
                layer.origins.insert(key, origin(key));
            }
        }
        Ok(layer)
    }

    /// Reads `XF_*` variables through `get` (a closure so tests need not touch the process env).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        const SECONDS: &str = "a whole number of seconds";
        let mut env = EnvReader {
            get,
            origins: BTreeMap::new(),
        };
        let mut layer = ConfigLayer {
            bind: env.text("XF_BIND", "bind"),
            port: env.number("XF_PORT", "port", "a port number 0-65535")?,
            data_dir: env.text("XF_DATA_DIR", "data_dir").map(PathBuf::from),
            database_url: env.text("XF_DATABASE_URL", "database_url"),
            static_dir: env.text("XF_STATIC_DIR", "static_dir").map(PathBuf::from),
            public_url: env.text("XF_PUBLIC_URL", "public_url"),
            allowed_origins: env.list("XF_ALLOWED_ORIGINS", "allowed_origins"),
            allow_insecure_http: env.list("XF_ALLOW_INSECURE_HTTP", "allow_insecure_http"),
            backend: env.text("XF_BACKEND", "backend"),
            ..ConfigLayer::default()
        };
        layer.server = ServerLayer {
            header_timeout_secs: env.number(
                "XF_SERVER_HEADER_TIMEOUT_SECS",
                "server.header_timeout_secs",
                SECONDS,
            )?,
            body_timeout_secs: env.number(
                "XF_SERVER_BODY_TIMEOUT_SECS",
                "server.body_timeout_secs",
                SECONDS,
            )?,
        };
        layer.ews = EwsLayer {
            endpoint: env.text("XF_EWS_ENDPOINT", "ews.endpoint"),
            server_version: env.text("XF_EWS_SERVER_VERSION", "ews.server_version"),
            impersonation: env.text("XF_EWS_IMPERSONATION", "ews.impersonation"),
            auth: env.text("XF_EWS_AUTH", "ews.auth"),
            service_account: ServiceAccountLayer {
                username: env.text(
                    "XF_EWS_SERVICE_ACCOUNT_USERNAME",
                    "ews.service_account.username",
                ),
                password: env
                    .text(
                        "XF_EWS_SERVICE_ACCOUNT_PASSWORD",
                        "ews.service_account.password",
                    )
                    .map(SecretString::from),
            },
            ca_file: env.text("XF_EWS_CA_FILE", "ews.ca_file").map(PathBuf::from),
            kdc: env.text("XF_EWS_KDC", "ews.kdc"),
            timeout_seconds: env.number(
                "XF_EWS_TIMEOUT_SECONDS",
                "ews.timeout_seconds",
                SECONDS,
            )?,
            max_retries: env.number("XF_EWS_MAX_RETRIES", "ews.max_retries", "a whole number")?,
            retry_budget_seconds: env.number(
                "XF_EWS_RETRY_BUDGET_SECONDS",
                "ews.retry_budget_seconds",
                SECONDS,
            )?,
        };
        layer.graph = GraphLayer {
            endpoint: env.text("XF_GRAPH_ENDPOINT", "graph.endpoint"),
            todo_list_id: env.text("XF_GRAPH_TODO_LIST_ID", "graph.todo_list_id"),
        };
        layer.sandbox = SandboxLayer {
            enabled: env.boolean("XF_SANDBOX", "sandbox.enabled")?,
            userinfo_url: env.text("XF_SANDBOX_USERINFO_URL", "sandbox.userinfo_url"),
            impersonators: env.list("XF_SANDBOX_IMPERSONATORS", "sandbox.impersonators"),
            service_accounts: env
                .accounts("XF_SANDBOX_SERVICE_ACCOUNTS", "sandbox.service_accounts")?,
            kerberos_keytab: env
                .text("XF_SANDBOX_KERBEROS_KEYTAB", "sandbox.kerberos_keytab")
                .map(PathBuf::from),
        };
        layer.metrics = MetricsLayer {
            enabled: env.boolean("XF_METRICS_ENABLED", "metrics.enabled")?,
            token: env.text("XF_METRICS_TOKEN", "metrics.token"),
        };
        layer.log = LogLayer {
            format: env.text("XF_LOG_FORMAT", "log.format"),
        };
        layer.origins = env.origins;
        Ok(layer)
    }

    fn is_set(&self, key: &str) -> bool {
        match key {
            "bind" => self.bind.is_some(),
            "port" => self.port.is_some(),
            "data_dir" => self.data_dir.is_some(),
            "database_url" => self.database_url.is_some(),
            "static_dir" => self.static_dir.is_some(),
            "public_url" => self.public_url.is_some(),
            "allowed_origins" => self.allowed_origins.is_some(),
            "allow_insecure_http" => self.allow_insecure_http.is_some(),
            "backend" => self.backend.is_some(),
            "server.header_timeout_secs" => self.server.header_timeout_secs.is_some(),
            "server.body_timeout_secs" => self.server.body_timeout_secs.is_some(),
            "ews.endpoint" => self.ews.endpoint.is_some(),
            "ews.server_version" => self.ews.server_version.is_some(),
            "ews.impersonation" => self.ews.impersonation.is_some(),
            "ews.auth" => self.ews.auth.is_some(),
            "ews.service_account.username" => self.ews.service_account.username.is_some(),
            "ews.service_account.password" => self.ews.service_account.password.is_some(),
            "ews.ca_file" => self.ews.ca_file.is_some(),
            "ews.kdc" => self.ews.kdc.is_some(),
            "ews.timeout_seconds" => self.ews.timeout_seconds.is_some(),
            "ews.max_retries" => self.ews.max_retries.is_some(),
            "ews.retry_budget_seconds" => self.ews.retry_budget_seconds.is_some(),
            "graph.endpoint" => self.graph.endpoint.is_some(),
            "graph.todo_list_id" => self.graph.todo_list_id.is_some(),
            "sandbox.enabled" => self.sandbox.enabled.is_some(),
            "sandbox.userinfo_url" => self.sandbox.userinfo_url.is_some(),
            "sandbox.impersonators" => self.sandbox.impersonators.is_some(),
            "sandbox.service_accounts" => self.sandbox.service_accounts.is_some(),
            "sandbox.kerberos_keytab" => self.sandbox.kerberos_keytab.is_some(),
            "metrics.enabled" => self.metrics.enabled.is_some(),
            "metrics.token" => self.metrics.token.is_some(),
            "log.format" => self.log.format.is_some(),
            "auth" => self.auth.is_some(),
            _ => false,
        }
    }

    /// Values set in `upper` win over ours.
    pub fn overlay(mut self, upper: ConfigLayer) -> ConfigLayer {
        fn pick<T>(lower: &mut Option<T>, upper: Option<T>) {
            if upper.is_some() {
                *lower = upper;
            }
        }
        pick(&mut self.bind, upper.bind);
        pick(&mut self.port, upper.port);
        pick(&mut self.data_dir, upper.data_dir);
        pick(&mut self.database_url, upper.database_url);
        pick(&mut self.static_dir, upper.static_dir);
        pick(&mut self.public_url, upper.public_url);
        pick(&mut self.allowed_origins, upper.allowed_origins);
        pick(&mut self.allow_insecure_http, upper.allow_insecure_http);
        pick(&mut self.backend, upper.backend);
        pick(
            &mut self.server.header_timeout_secs,
            upper.server.header_timeout_secs,
        );
        pick(
            &mut self.server.body_timeout_secs,
            upper.server.body_timeout_secs,
        );
        pick(&mut self.ews.endpoint, upper.ews.endpoint);
        pick(&mut self.ews.server_version, upper.ews.server_version);
        pick(&mut self.ews.impersonation, upper.ews.impersonation);
        pick(&mut self.ews.auth, upper.ews.auth);
        pick(
            &mut self.ews.service_account.username,
            upper.ews.service_account.username,
        );
        pick(
            &mut self.ews.service_account.password,
            upper.ews.service_account.password,
        );
        pick(&mut self.ews.ca_file, upper.ews.ca_file);
        pick(&mut self.ews.kdc, upper.ews.kdc);
        pick(&mut self.ews.timeout_seconds, upper.ews.timeout_seconds);
        pick(&mut self.ews.max_retries, upper.ews.max_retries);
        pick(
            &mut self.ews.retry_budget_seconds,
            upper.ews.retry_budget_seconds,
        );
        pick(&mut self.graph.endpoint, upper.graph.endpoint);
        pick(&mut self.graph.todo_list_id, upper.graph.todo_list_id);
        pick(&mut self.sandbox.enabled, upper.sandbox.enabled);
        pick(&mut self.sandbox.userinfo_url, upper.sandbox.userinfo_url);
        pick(&mut self.sandbox.impersonators, upper.sandbox.impersonators);
        pick(
            &mut self.sandbox.service_accounts,
            upper.sandbox.service_accounts,
        );
        pick(
            &mut self.sandbox.kerberos_keytab,
            upper.sandbox.kerberos_keytab,
        );
        pick(&mut self.metrics.enabled, upper.metrics.enabled);
        pick(&mut self.metrics.token, upper.metrics.token);
        pick(&mut self.log.format, upper.log.format);
        pick(&mut self.auth, upper.auth);
        self.origins.extend(upper.origins);
        self
    }

    /// Marks every value this layer sets as coming from `origin` (used for flags).
    pub fn with_origin(mut self, describe: impl Fn(&str) -> String) -> Self {
        for key in KEYS {
            if self.is_set(key) {
                self.origins.insert(key, describe(key));
            }
        }
        self
    }
}

fn parse_env<T: std::str::FromStr>(raw: &str, var: &str, expected: &str) -> Result<T, ConfigError> {
    raw.trim().parse().map_err(|_| ConfigError::Invalid {
        origin: format!("environment variable {var}"),
        problem: format!("'{raw}' is not {expected}"),
    })
}

/// Reads `XF_*` variables, remembering which setting each one set (for error messages).
struct EnvReader<F> {
    get: F,
    origins: BTreeMap<&'static str, String>,
}

impl<F: Fn(&str) -> Option<String>> EnvReader<F> {
    /// The variable's value; empty counts as unset.
    fn text(&mut self, var: &'static str, key: &'static str) -> Option<String> {
        let value = (self.get)(var).filter(|v| !v.trim().is_empty());
        if value.is_some() {
            self.origins
                .insert(key, format!("environment variable {var}"));
        }
        value
    }

    fn number<T: std::str::FromStr>(
        &mut self,
        var: &'static str,
        key: &'static str,
        expected: &str,
    ) -> Result<Option<T>, ConfigError> {
        self.text(var, key)
            .map(|raw| parse_env(&raw, var, expected))
            .transpose()
    }

    fn boolean(
        &mut self,
        var: &'static str,
        key: &'static str,
    ) -> Result<Option<bool>, ConfigError> {
        match self.text(var, key) {
            None => Ok(None),
            Some(v) => parse_bool(&v)
                .map(Some)
                .ok_or_else(|| ConfigError::Invalid {
                    origin: format!("environment variable {var}"),
                    problem: format!("'{v}' is not a boolean (true/false/1/0)"),
                }),
        }
    }

    /// A comma-separated list.
    fn list(&mut self, var: &'static str, key: &'static str) -> Option<Vec<String>> {
        self.text(var, key).map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }
}

impl<F: Fn(&str) -> Option<String>> EnvReader<F> {
    /// Comma-separated `username:password` pairs (the password is everything after the first
    /// colon; neither may be empty).
    fn accounts(
        &mut self,
        var: &'static str,
        key: &'static str,
    ) -> Result<Option<Vec<SandboxAccountLayer>>, ConfigError> {
        let Some(list) = self.text(var, key) else {
            return Ok(None);
        };
        let mut accounts = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match entry.split_once(':') {
                Some((username, password)) if !username.is_empty() && !password.is_empty() => {
                    accounts.push(SandboxAccountLayer {
                        username: username.to_owned(),
                        password: SecretString::from(password.to_owned()),
                    });
                }
                // The entry may hold a password: name the variable, never echo the value.
                _ => {
                    return Err(ConfigError::Invalid {
                        origin: format!("environment variable {var}"),
                        problem: "each entry must be username:password".into(),
                    });
                }
            }
        }
        Ok(Some(accounts))
    }
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}
