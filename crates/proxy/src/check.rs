//! `check-config`: validates the configuration and tries every connection the proxy will
//! need, printing one line per check in plain words, so that an administrator finds a wrong
//! tenant, an unreachable Exchange or a token without the right scope before users do.

use std::time::Duration;

use secrecy::SecretString;

use crate::auth::config::{AuthConfig, AuthContext};
use crate::config::Config;
use crate::mailbox::{self, Access, MailboxError};
use crate::origins::AllowedOrigins;

/// How long each connection attempt may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok(String),
    Failed(String),
    Skipped(String),
}

impl Check {
    fn ok(name: &'static str, text: impl Into<String>) -> Self {
        Self {
            name,
            outcome: Outcome::Ok(text.into()),
        }
    }
    fn failed(name: &'static str, text: impl Into<String>) -> Self {
        Self {
            name,
            outcome: Outcome::Failed(text.into()),
        }
    }
    fn skipped(name: &'static str, text: impl Into<String>) -> Self {
        Self {
            name,
            outcome: Outcome::Skipped(text.into()),
        }
    }
}

/// The report as printed: `ok`/`FAILED`/`skipped`, the check's name, what was found.
pub fn render(checks: &[Check]) -> String {
    checks
        .iter()
        .map(|check| {
            let (mark, text) = match &check.outcome {
                Outcome::Ok(text) => ("ok     ", text),
                Outcome::Failed(text) => ("FAILED ", text),
                Outcome::Skipped(text) => ("skipped", text),
            };
            format!("{mark} {}: {text}\n", check.name)
        })
        .collect()
}

pub fn all_passed(checks: &[Check]) -> bool {
    !checks
        .iter()
        .any(|c| matches!(c.outcome, Outcome::Failed(_)))
}

/// Runs the checks of a configuration that resolved. `token`: an access token for the
/// mailbox (e.g. from a test sign-in) to try a real read with.
pub async fn run(
    config: &Config,
    token: Option<SecretString>,
    service_account_for: Option<&str>,
) -> Vec<Check> {
    let mut checks = vec![Check::ok(
        "configuration",
        format!(
            "{} mode, data in {}",
            if config.sandbox.enabled {
                "sandbox"
            } else {
                "Exchange"
            },
            config.data_dir.display()
        ),
    )];
    checks.push(authorization_server(config).await);
    let endpoint = match (&config.ews.endpoint, &config.ews.autodiscover) {
        (Some(endpoint), _) => endpoint.clone(),
        (None, Some(autodiscover)) => {
            match discovered(config, autodiscover, token.as_ref(), service_account_for).await {
                Ok(endpoint) => {
                    checks.push(Check::ok(
                        "autodiscover",
                        format!(
                            "{endpoint} is the EWS URL of {}",
                            service_account_for.unwrap_or_default().trim()
                        ),
                    ));
                    endpoint
                }
                Err(outcome) => {
                    checks.push(Check {
                        name: "autodiscover",
                        outcome,
                    });
                    return checks;
                }
            }
        }
        (None, None) => {
            checks.push(Check::skipped(
                "mailbox server",
                "sandbox mode: the sandbox mailbox runs inside the proxy",
            ));
            return checks;
        }
    };
    let backend = match mailbox::ews::EwsMailbox::new(endpoint.clone(), &config.ews) {
        Ok(backend) => backend,
        Err(error) => {
            checks.push(Check::failed(
                "mailbox server",
                format!("cannot set up the HTTP client: {error}"),
            ));
            return checks;
        }
    };
    let backend: &dyn mailbox::MailboxBackend = &backend;
    match backend.answers(PROBE_TIMEOUT).await {
        Ok(()) => checks.push(Check::ok("mailbox server", format!("{endpoint} answers"))),
        Err(error) => {
            checks.push(Check::failed(
                "mailbox server",
                format!("{endpoint} does not answer ({error}): check the URL, DNS, firewall and the server's TLS certificate"),
            ));
            return checks;
        }
    }
    if let Some(address) = service_account_for.filter(|_| {
        config.ews.auth.service_account().is_some() || config.ews.autodiscover.is_none()
    }) {
        checks.push(
            match mailbox::ews::check_service_account(config, &endpoint, address).await {
                Ok(line) => Check::ok("service account", line),
                Err(problem) => Check::failed("service account", problem),
            },
        );
    }
    checks.push(match token {
        None => Check::skipped(
            "mailbox access",
            "no test token given (--token or XF_CHECK_TOKEN): sign in once and pass an access token to try a real read",
        ),
        Some(token) => mailbox_access(backend, token).await,
    });
    checks
}

/// The EWS URL Autodiscover finds for `--mailbox ADDRESS` (asked with the test token, or as
/// the service account); the check's outcome when it finds none.
async fn discovered(
    config: &Config,
    autodiscover: &crate::config::AutodiscoverConfig,
    token: Option<&SecretString>,
    address: Option<&str>,
) -> Result<url::Url, Outcome> {
    let Some(address) = address else {
        return Err(Outcome::Skipped(
            "ews.autodiscover finds each user's EWS URL: give --mailbox ADDRESS to find one \
             and try it"
                .into(),
        ));
    };
    if autodiscover.url.is_none() && config.sandbox.enabled {
        return Err(Outcome::Skipped(
            "sandbox mode: the sandbox's Autodiscover runs inside the proxy".into(),
        ));
    }
    let ews = mailbox::ews::EwsMailbox::discovering(
        autodiscover.url.clone(),
        &config.ews,
        config.insecure_http.clone(),
    );
    let none = SecretString::from(String::new());
    ews.endpoint_for(address, token.unwrap_or(&none))
        .await
        .map_err(|e| Outcome::Failed(e.to_string()))
}

/// The sign-in settings resolve (with discovery for an `issuer`) and the ID-token keys load.
async fn authorization_server(config: &Config) -> Check {
    const NAME: &str = "authorization server";
    let auth = match AuthConfig::from_table(&config.auth) {
        Ok(auth) => auth,
        Err(error) => return Check::failed(NAME, error.to_string()),
    };
    if auth.uses_dev_server(config.sandbox.enabled) {
        return Check::skipped(
            NAME,
            "sandbox mode: the development sign-in runs inside the proxy",
        );
    }
    if auth.is_unconfigured() {
        return Check::failed(
            NAME,
            "none configured: set [auth] issuer, a preset, or authorize_url + token_url",
        );
    }
    let Some(public_url) = config.public_url.clone() else {
        return Check::failed(
            NAME,
            "public_url is not set: the sign-in's redirect URI is built from it",
        );
    };
    let ctx = AuthContext {
        sandbox: config.sandbox.enabled,
        allowed_origins: AllowedOrigins::new(&config.allowed_origins, &public_url),
        public_base_url: public_url,
        data_dir: config.data_dir.clone(),
        insecure_http: config.insecure_http.clone(),
    };
    let http = match crate::auth::oauth::http_client() {
        Ok(http) => http,
        Err(error) => return Check::failed(NAME, error),
    };
    let settings = match auth.resolve(&ctx, &http).await {
        Ok(settings) => settings,
        Err(error) => return Check::failed(NAME, error.to_string()),
    };
    if let Err(error) = auth.token_key(&ctx) {
        return Check::failed(NAME, error.to_string());
    }
    let Some(jwks) = &settings.jwks_url else {
        return Check::failed(NAME, "no key set (jwks_uri) to verify ID tokens with");
    };
    match http.get(jwks.clone()).timeout(PROBE_TIMEOUT).send().await {
        Ok(response) if response.status().is_success() => {
            match response
                .bytes()
                .await
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            {
                Some(doc) if doc["keys"].as_array().is_some_and(|k| !k.is_empty()) => Check::ok(
                    NAME,
                    format!(
                        "sign-in at {}, {} ID-token key(s) at {jwks}",
                        settings.authorize_url,
                        doc["keys"].as_array().map_or(0, Vec::len)
                    ),
                ),
                _ => Check::failed(NAME, format!("{jwks} holds no keys")),
            }
        }
        Ok(response) => Check::failed(NAME, format!("{jwks} answered HTTP {}", response.status())),
        Err(error) => Check::failed(NAME, format!("{jwks} cannot be fetched: {error}")),
    }
}

/// A real read: today's first appointment, as the form's agenda would ask.
async fn mailbox_access(backend: &dyn mailbox::MailboxBackend, token: SecretString) -> Check {
    const NAME: &str = "mailbox access";
    let access = Access {
        token,
        mailbox: None,
    };
    match mailbox::read_probe(backend, &access).await {
        Ok(()) => Check::ok(
            NAME,
            "the token opens the mailbox and its calendar can be read",
        ),
        Err(MailboxError::Unauthorized) => Check::failed(
            NAME,
            "the server refused the token (HTTP 401): check the scopes (EWS needs EWS.AccessAsUser.All, Graph needs Calendars.ReadWrite) and that the token is not expired",
        ),
        Err(MailboxError::Forbidden(message)) => Check::failed(
            NAME,
            format!(
                "{message} — check that the mailbox exists and that EWS/Graph access is allowed for it"
            ),
        ),
        Err(other) => Check::failed(NAME, other.to_string()),
    }
}
