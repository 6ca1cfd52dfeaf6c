//! The configuration's keys, once: [`Settings`] and its sections are the only list of what
//! can be set. The TOML file reads them as written, the `XF_*` environment variables and the
//! command-line flags are named after them (see [`super::sources`]), and figment merges the
//! three so that they cannot drift apart.

use std::fmt;
use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// Every setting; `None` = not set (the built-in default applies, see [`super::Config`]).
/// Unknown keys are errors at every level: a misspelt key silently ignored would leave the
/// server running with a default the operator did not want.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub bind: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub static_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    #[serde(default, deserialize_with = "comma_list")]
    pub allowed_origins: Option<Vec<String>>,
    #[serde(default, deserialize_with = "comma_list")]
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
    /// Free-form: the authorization module owns these keys (and their `XF_AUTH_*` variables).
    pub auth: Option<toml::Table>,
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
    /// No fixed endpoint: find each user's EWS URL with POX Autodiscover.
    pub autodiscover: Option<bool>,
    /// The POX Autodiscover URL to ask (default: derived from each user's domain).
    pub autodiscover_url: Option<String>,
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
/// password is a [`SecretString`], so settings printed with `{:?}` never show it.
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
    #[serde(default, deserialize_with = "comma_list")]
    pub impersonators: Option<Vec<String>>,
    /// Accounts the sandbox mailbox accepts with NTLM or Basic: `[[sandbox.service_accounts]]`
    /// tables, or (from the environment) `username:password,username:password`.
    #[serde(default, deserialize_with = "accounts")]
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

/// A list: an array in the file, or one comma-separated string (environment variables).
fn comma_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    d.deserialize_any(SeqOrText {
        expecting: "a list of strings or one comma-separated string",
        parse: |text| Ok(comma_separated(text).map(str::to_owned).collect()),
    })
    .map(Some)
}

/// `[[sandbox.service_accounts]]` tables, or `username:password` pairs separated by commas
/// (the password is everything after the first colon; neither may be empty).
fn accounts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<SandboxAccountLayer>>, D::Error> {
    d.deserialize_any(SeqOrText {
        expecting: "a list of {username, password} tables or username:password pairs",
        parse: |text| {
            comma_separated(text)
                .map(|entry| match entry.split_once(':') {
                    Some((username, password)) if !username.is_empty() && !password.is_empty() => {
                        Ok(SandboxAccountLayer {
                            username: username.to_owned(),
                            password: SecretString::from(password.to_owned()),
                        })
                    }
                    // The entry may hold a password: never echo it.
                    _ => Err("each entry must be username:password"),
                })
                .collect()
        },
    })
    .map(Some)
}

/// A sequence as written, or one string that `parse` splits into its items.
struct SeqOrText<T> {
    expecting: &'static str,
    parse: fn(&str) -> Result<Vec<T>, &'static str>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for SeqOrText<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        (self.parse)(text).map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))
    }
}

fn comma_separated(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}
