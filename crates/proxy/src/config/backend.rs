//! Which protocol reaches the mailbox (`backend = "ews" | "graph"`) and the Graph backend's
//! settings (`[graph]`).
//!
//! Exchange Online switches EWS off tenant by tenant; Microsoft Graph reaches the same
//! mailboxes. The timeout and retry keys of `[ews]` (`timeout_seconds`, `max_retries`,
//! `retry_budget_seconds`) apply to whichever backend runs.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::layer::GraphLayer;

/// Microsoft Graph's v1.0 root: what `graph.endpoint` is unless set.
pub const DEFAULT_GRAPH_ENDPOINT: &str = "https://graph.microsoft.com/v1.0";

/// The protocol the proxy speaks to the mailbox server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// Exchange Web Services (SOAP), on-premises Exchange and Exchange Online until EWS ends.
    #[default]
    Ews,
    /// Microsoft Graph (REST): Exchange Online calendars and Microsoft To Do.
    Graph,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Ews => "ews",
            Backend::Graph => "graph",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "ews" => Ok(Backend::Ews),
            "graph" => Ok(Backend::Graph),
            _ => Err(format!("'{raw}' is not a mailbox backend (ews or graph)")),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the Graph backend reaches Microsoft Graph.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    /// The Graph root the paths `/me/events`, `/me/todo/lists` hang off.
    pub endpoint: Url,
    /// The To Do list tasks go to; `None` = each user's default list (`defaultList`).
    pub todo_list_id: Option<String>,
    /// Per-request timeout (`ews.timeout_seconds`).
    pub timeout: Duration,
    /// Retries of one operation (`ews.max_retries`).
    pub max_retries: u32,
    /// Total time one API call may spend waiting (`ews.retry_budget_seconds`).
    pub retry_budget: Duration,
    /// Sandbox mode without `graph.endpoint`: the proxy's own sandbox Graph front end, whose
    /// URL is known once the port is bound.
    pub in_sandbox: bool,
}

/// The `[graph]` keys as given, checked: `(key, problem)` on error.
pub(super) struct GraphKeys {
    pub endpoint: Option<Url>,
    pub todo_list_id: Option<String>,
}

impl GraphKeys {
    pub(super) fn parse(
        layer: &GraphLayer,
        parse_url: impl Fn(&str) -> Result<Url, String>,
    ) -> Result<Self, (&'static str, String)> {
        let endpoint = layer
            .endpoint
            .as_deref()
            .map(|raw| parse_url(raw).map_err(|p| ("graph.endpoint", p)))
            .transpose()?;
        let todo_list_id = match layer.todo_list_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) if id.len() <= 512 && !id.chars().any(char::is_control) => Some(id.to_owned()),
            Some(_) => {
                return Err((
                    "graph.todo_list_id",
                    "a To Do list id is at most 512 characters, without control characters".into(),
                ));
            }
        };
        Ok(Self {
            endpoint,
            todo_list_id,
        })
    }

    /// The settings the Graph backend runs with (the default endpoint unless one was given).
    pub(super) fn into_config(
        self,
        timeout: Duration,
        max_retries: u32,
        retry_budget: Duration,
        in_sandbox: bool,
    ) -> Result<GraphConfig, String> {
        let endpoint = match self.endpoint {
            Some(url) => url,
            None => Url::parse(DEFAULT_GRAPH_ENDPOINT).map_err(|e| e.to_string())?,
        };
        Ok(GraphConfig {
            endpoint,
            todo_list_id: self.todo_list_id,
            timeout,
            max_retries,
            retry_budget,
            in_sandbox,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::env;
    use crate::config::{Config, ConfigLayer};

    fn file(text: &str) -> ConfigLayer {
        crate::config::tests::file(text).unwrap()
    }

    #[test]
    fn graph_needs_no_ews_endpoint_and_defaults_to_microsofts() {
        let config = Config::resolve([file("backend = \"graph\"\n")]).unwrap();
        assert_eq!(config.backend, Backend::Graph);
        assert_eq!(
            config.graph.endpoint.as_str(),
            "https://graph.microsoft.com/v1.0"
        );
        assert_eq!(config.graph.todo_list_id, None);
        assert_eq!(config.graph.max_retries, config.ews.max_retries);
        // Without a backend, EWS stays the default and still needs its endpoint.
        assert!(Config::resolve([file("")]).is_err());
    }

    #[test]
    fn the_three_layers_set_backend_and_graph_keys() {
        let from_file = file(
            "backend = \"ews\"\n[graph]\nendpoint = \"https://graph.example.com/v1.0\"\ntodo_list_id = \" AAMkADIyAAAAABrJAAA= \"\n",
        );
        let from_env = env(&[("XF_BACKEND", "graph")]);
        let config = Config::resolve([from_file, from_env]).unwrap();
        assert_eq!(config.backend, Backend::Graph);
        assert_eq!(
            config.graph.endpoint.as_str(),
            "https://graph.example.com/v1.0"
        );
        assert_eq!(
            config.graph.todo_list_id.as_deref(),
            Some("AAMkADIyAAAAABrJAAA=")
        );

        let flags =
            ConfigLayer::from_flags(&[("backend", "ews".into())], |key| format!("flag --{key}"))
                .unwrap();
        let config =
            Config::resolve([env(&[("XF_BACKEND", "graph"), ("XF_SANDBOX", "1")]), flags]).unwrap();
        assert_eq!(config.backend, Backend::Ews);
    }

    #[test]
    fn bad_graph_settings_name_their_origin() {
        let err = Config::resolve([env(&[("XF_BACKEND", "rest")])])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("environment variable XF_BACKEND:"), "{err}");
        let err = Config::resolve([file(
            "backend = \"graph\"\n[graph]\nendpoint = \"http://graph.example.com/v1.0\"\n",
        )])
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("config file proxy.toml, key graph.endpoint:")
                && err.contains("allow_insecure_http"),
            "{err}"
        );
        let err = Config::resolve([env(&[
            ("XF_BACKEND", "graph"),
            ("XF_GRAPH_TODO_LIST_ID", "a\u{7}b"),
        ])])
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("environment variable XF_GRAPH_TODO_LIST_ID:"),
            "{err}"
        );
    }

    #[test]
    fn impersonation_is_refused_with_graph() {
        let err = Config::resolve([env(&[
            ("XF_BACKEND", "graph"),
            ("XF_SANDBOX", "1"),
            ("XF_EWS_AUTH", "basic"),
            ("XF_EWS_SERVICE_ACCOUNT_USERNAME", "svc@example.com"),
            ("XF_EWS_SERVICE_ACCOUNT_PASSWORD", "secret"),
        ])])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("ews.auth") && err.contains("EWS only"),
            "{err}"
        );
    }

    #[test]
    fn graph_in_sandbox_mode_talks_to_the_sandbox_unless_told_otherwise() {
        let config =
            Config::resolve([env(&[("XF_BACKEND", "graph"), ("XF_SANDBOX", "1")])]).unwrap();
        assert!(config.graph.in_sandbox, "the sandbox's own Graph front end");
        let config = Config::resolve([env(&[
            ("XF_BACKEND", "graph"),
            ("XF_SANDBOX", "1"),
            ("XF_GRAPH_ENDPOINT", "http://127.0.0.1:9/v1.0"),
        ])])
        .unwrap();
        assert_eq!(config.graph.endpoint.as_str(), "http://127.0.0.1:9/v1.0");
        assert!(!config.graph.in_sandbox);
    }

    #[test]
    fn backend_names_parse_in_any_case_and_others_are_named() {
        assert_eq!(Backend::parse("Graph").unwrap(), Backend::Graph);
        assert_eq!(Backend::parse(" ews ").unwrap(), Backend::Ews);
        let err = Backend::parse("rest").unwrap_err();
        assert!(
            err.contains("'rest'") && err.contains("ews or graph"),
            "{err}"
        );
    }
}
