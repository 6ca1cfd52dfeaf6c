//! Where settings come from, as figment providers: a TOML file, `XF_*` environment variables
//! and command-line flags. Each provider names its values the way the operator wrote them
//! (`config file proxy.toml, key ews.endpoint`, `environment variable XF_EWS_ENDPOINT`,
//! `flag --port`), so an error can say which one to fix.
//!
//! The environment variable of a key is `XF_` and the key's path in capitals with `_` for
//! every `.` (`ews.service_account.password` is `XF_EWS_SERVICE_ACCOUNT_PASSWORD`,
//! `auth.client_secret` is `XF_AUTH_CLIENT_SECRET`); a few keys are also read under older
//! names ([`ENV_ALIASES`]: `XF_SANDBOX`, `XF_TOKEN_KEY`, `XF_AUTH_PROMPT`,
//! `XF_DEV_ACCESS_TOKEN_TTL_SECS`). The keys come from the serde structs themselves (see
//! [`keys`]), so a key added there is settable from the environment at once.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use figment::error::Kind;
use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};

use serde::de::DeserializeOwned;

use super::ConfigError;
use super::layer::Settings;
use crate::auth::config::AuthConfig;

/// Environment variables that set a key under a name other than the rule's (the names the
/// proxy has always read).
const ENV_ALIASES: [(&str, &str); 4] = [
    ("XF_SANDBOX", "sandbox.enabled"),
    ("XF_TOKEN_KEY", "auth.token_key"),
    ("XF_AUTH_PROMPT", "auth.authorize_params.prompt"),
    (
        "XF_DEV_ACCESS_TOKEN_TTL_SECS",
        "auth.dev_server.access_token_ttl_secs",
    ),
];

/// A provider whose values are described per key by `describe` (in errors and origins).
struct Described<P> {
    inner: P,
    describe: Arc<dyn Fn(&str) -> String + Send + Sync>,
}

impl<P: Provider> Provider for Described<P> {
    fn metadata(&self) -> Metadata {
        let describe = self.describe.clone();
        Metadata::named(self.inner.metadata().name)
            .interpolater(move |_profile: &Profile, keys: &[&str]| describe(&keys.join(".")))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        self.inner.data()
    }
}

/// Values set key by key (environment variables, flags).
struct Keyed {
    name: &'static str,
    values: Dict,
}

impl Provider for Keyed {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

/// One source of settings, checked on its own when made (unknown keys, wrong types), so that
/// its errors name it; [`super::Config::resolve`] stacks layers, later ones winning.
#[derive(Clone, Default)]
pub struct ConfigLayer {
    figment: Figment,
}

impl ConfigLayer {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    /// TOML text; `path` names it in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, ConfigError> {
        Self::checked(file(text, path))
    }

    /// The `XF_*` variables `get` returns (a closure so tests need not touch the process env).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::checked(environment(get))
    }

    /// Command-line flags: `(key, value as typed)`, each named in errors by `flag_name(key)`.
    pub fn from_flags(
        set: &[(&'static str, String)],
        flag_name: fn(&str) -> String,
    ) -> Result<Self, ConfigError> {
        Self::checked(flags(set, flag_name))
    }

    fn checked(figment: Figment) -> Result<Self, ConfigError> {
        extract(&figment)?;
        // The `[auth]` keys are the authorization module's, but they are checked here too,
        // so that a misspelt or mistyped one is named with its source.
        figment
            .focus("auth")
            .extract_lossy::<AuthConfig>()
            .map_err(|error| config_error(&figment, &error, &["auth"]))?;
        Ok(Self { figment })
    }

    pub(super) fn into_figment(self) -> Figment {
        self.figment
    }
}

/// Values may be secrets (passwords, the database URL): never printed.
impl std::fmt::Debug for ConfigLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigLayer").finish_non_exhaustive()
    }
}

/// Puts `value` at the dotted `key` of `dict`.
fn insert(dict: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            dict.insert(key.to_owned(), value);
        }
        Some((section, rest)) => {
            let entry = dict
                .entry(section.to_owned())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

/// A TOML file's settings; `path` names it in errors.
fn file(text: &str, path: &Path) -> Figment {
    let name = path.display().to_string();
    Figment::from(Described {
        inner: Toml::string(text),
        describe: Arc::new(move |key| match key {
            "" => format!("config file {name}"),
            key => format!("config file {name}, key {key}"),
        }),
    })
}

/// The `XF_*` variables that `get` returns for the keys of [`Settings`]; empty ones count as
/// unset. Variables that name no key are left alone (other parts of the proxy, and the
/// authorization module's `XF_AUTH_*`, read their own).
fn environment(get: impl Fn(&str) -> Option<String>) -> Figment {
    let mut values = Dict::new();
    let mut names = BTreeMap::new();
    let aliases = ENV_ALIASES.iter().map(|(var, key)| (var.to_string(), *key));
    let canonical = keys().iter().map(|key| (env_name(key), key.as_str()));
    // Aliases first: the canonical name wins when both are set.
    for (var, key) in aliases.chain(canonical) {
        if let Some(raw) = get(&var).filter(|v| !v.trim().is_empty()) {
            insert(&mut values, key, Value::from(raw));
            names.insert(key.to_owned(), var);
        }
    }
    Figment::from(Described {
        inner: Keyed {
            name: "environment",
            values,
        },
        describe: Arc::new(move |key| match names.get(key) {
            Some(var) => format!("environment variable {var}"),
            None => format!("environment variable {}", env_name(key)),
        }),
    })
}

/// Flags: `(key, value)` pairs, each named by `flag_name(key)`.
fn flags(set: &[(&'static str, String)], flag_name: fn(&str) -> String) -> Figment {
    let mut values = Dict::new();
    for (key, value) in set {
        insert(&mut values, key, Value::from(value.clone()));
    }
    Figment::from(Described {
        inner: Keyed {
            name: "flags",
            values,
        },
        describe: Arc::new(flag_name),
    })
}

/// `ews.service_account.password` → `XF_EWS_SERVICE_ACCOUNT_PASSWORD`.
fn env_name(key: &str) -> String {
    format!("XF_{}", key.replace('.', "_").to_ascii_uppercase())
}

/// Where the value of `key` (dotted) was set, for an error message about it.
pub(super) fn origin(figment: &Figment, key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    figment
        .find_metadata(key)
        .map(|metadata| metadata.interpolate(&Profile::Default, &parts))
        .unwrap_or_else(|| format!("setting {key}"))
}

/// Reads the settings out of `figment` (numbers and booleans may be written as text, as
/// environment variables and flags are).
pub(super) fn extract(figment: &Figment) -> Result<Settings, ConfigError> {
    figment
        .extract_lossy()
        .map_err(|error| config_error(figment, &error, &[]))
}

/// `error` (found under the key path `prefix`) named with the key and where it was written.
fn config_error(figment: &Figment, error: &figment::Error, prefix: &[&str]) -> ConfigError {
    // For an unknown key the error's path ends with the key itself.
    let path: Vec<&str> = prefix
        .iter()
        .copied()
        .chain(error.path.iter().map(String::as_str))
        .collect();
    let key = path.join(".");
    let written = match (&error.metadata, key.as_str()) {
        (Some(metadata), _) => metadata.interpolate(&Profile::Default, &path),
        (None, "") => "configuration".to_owned(),
        (None, key) => origin(figment, key),
    };
    ConfigError::Invalid {
        origin: written,
        problem: describe_problem(&error.kind),
    }
}

fn describe_problem(kind: &Kind) -> String {
    match kind {
        Kind::UnknownField(field, expected) => {
            let known: Vec<String> = expected.iter().map(|f| format!("`{f}`")).collect();
            format!(
                "unknown field `{field}`, expected one of {}",
                known.join(", ")
            )
        }
        // toml's messages span lines (the line quoted, a caret under the column).
        other => other.to_string().trim_end().replace('\n', " | "),
    }
}

/// Every key that holds one value (dotted): those of [`Settings`], and under `auth` those of
/// the authorization module's [`AuthConfig`], read from their serde structs.
///
/// serde lists the fields a struct expects when it refuses an unknown one (every section
/// denies unknown fields), so a probe with a field named `\0` under a path lists that path's
/// keys; a key that refuses the probe in turn is a section. Free-form tables (`auth` in
/// [`Settings`], `auth.authorize_params`) accept any field and are not keys of their own.
pub(super) fn keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = Vec::new();
        collect_keys::<Settings>(&mut Vec::new(), &mut keys);
        let mut auth = Vec::new();
        collect_keys::<AuthConfig>(&mut Vec::new(), &mut auth);
        keys.extend(auth.into_iter().map(|key| format!("auth.{key}")));
        keys
    })
}

const PROBE: &str = "\0";

fn collect_keys<T: DeserializeOwned>(path: &mut Vec<&'static str>, keys: &mut Vec<String>) {
    let Probe::Section(fields) = probe::<T>(path) else {
        return;
    };
    for &field in fields {
        path.push(field);
        match probe::<T>(path) {
            Probe::Section(_) => collect_keys::<T>(path, keys),
            Probe::Value => keys.push(path.join(".")),
            Probe::Table => {}
        }
        path.pop();
    }
}

enum Probe {
    Section(&'static [&'static str]),
    Value,
    Table,
}

fn probe<T: DeserializeOwned>(path: &[&str]) -> Probe {
    let mut values = Dict::new();
    let key = path
        .iter()
        .chain([&PROBE])
        .copied()
        .collect::<Vec<_>>()
        .join(".");
    // A text value: a table of text (authorize_params) takes it, any single value refuses a table.
    insert(&mut values, &key, Value::from(String::new()));
    let figment = Figment::from(Keyed {
        name: "probe",
        values,
    });
    match figment.extract::<T>() {
        Ok(_) => Probe::Table,
        Err(error) => match error.kind {
            // The error's path ends with the unknown field itself.
            Kind::UnknownField(field, expected)
                if field == PROBE && error.path.split_last().is_some_and(|(_, at)| at == path) =>
            {
                Probe::Section(expected)
            }
            _ => Probe::Value,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_structs_and_name_distinct_variables() {
        let keys = keys();
        for key in [
            "bind",
            "port",
            "allowed_origins",
            "server.body_timeout_secs",
            "ews.endpoint",
            "ews.service_account.password",
            "graph.todo_list_id",
            "sandbox.enabled",
            "sandbox.service_accounts",
            "metrics.token",
            "log.format",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
        }
        for key in [
            "auth.client_secret",
            "auth.token_key",
            "auth.flow_ttl_secs",
            "auth.dev_server.access_token_ttl_secs",
            "auth.flow_limits.max_open",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
        }
        assert!(
            !keys
                .iter()
                .any(|k| k == "auth" || k.starts_with("auth.authorize_params")),
            "free-form tables are no keys: {keys:?}"
        );
        let names: std::collections::BTreeSet<String> = keys.iter().map(|k| env_name(k)).collect();
        assert_eq!(names.len(), keys.len(), "two keys share a variable");
        assert_eq!(
            env_name("ews.service_account.password"),
            "XF_EWS_SERVICE_ACCOUNT_PASSWORD"
        );
    }
}
