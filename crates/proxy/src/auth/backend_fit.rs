//! A sign-in must ask for tokens the configured mailbox backend can use: a Microsoft access
//! token serves one resource, so Microsoft Graph refuses the EWS token of `microsoft_ews` and
//! EWS refuses the Graph token of `microsoft_graph`. A mismatch would let every user sign in
//! and then fail on every action, so the proxy refuses it at start-up and says what to change.

use super::config::{
    AuthConfig, AuthConfigError, MICROSOFT_EWS_SCOPES, MICROSOFT_GRAPH_SCOPES, Preset, Scopes,
};
use crate::config::Backend;

/// Reads `[auth]` (file and `XF_AUTH_*` environment, merged) and checks it against `backend`.
pub fn check(auth_table: &toml::Table, backend: Backend) -> Result<(), AuthConfigError> {
    check_config(&AuthConfig::from_table(auth_table)?, backend)
}

/// Scopes of Exchange's own resource (EWS), full or short form.
fn is_ews_scope(scope: &str) -> bool {
    let scope = scope.to_ascii_lowercase();
    scope.starts_with("https://outlook.office365.com/")
        || scope.starts_with("https://outlook.office.com/")
        || scope.starts_with("ews.")
}

/// Microsoft Graph's calendar and task permissions, full or short form.
fn is_graph_scope(scope: &str) -> bool {
    let scope = scope.to_ascii_lowercase();
    scope.starts_with("https://graph.microsoft.com/")
        || scope.starts_with("calendars.")
        || scope.starts_with("tasks.")
}

pub fn check_config(config: &AuthConfig, backend: Backend) -> Result<(), AuthConfigError> {
    let scopes = match (&config.scopes, config.preset) {
        (Some(scopes), _) => scopes.0.clone(),
        (None, Some(Preset::MicrosoftEws)) => Scopes::parse(MICROSOFT_EWS_SCOPES).0,
        (None, Some(Preset::MicrosoftGraph)) => Scopes::parse(MICROSOFT_GRAPH_SCOPES).0,
        (None, None) => Vec::new(),
    };
    let ews_scope = scopes.iter().find(|s| is_ews_scope(s));
    let graph_scope = scopes.iter().find(|s| is_graph_scope(s));
    let refuse = |what: String| Err(AuthConfigError::Invalid(what));
    match backend {
        Backend::Graph if config.preset == Some(Preset::MicrosoftEws) => refuse(
            "backend = \"graph\" cannot work with preset = \"microsoft_ews\": its tokens are for \
             EWS, which Microsoft Graph refuses. Set [auth] preset = \"microsoft_graph\" \
             (XF_AUTH_PRESET=microsoft_graph), or backend = \"ews\" (XF_BACKEND=ews)"
                .into(),
        ),
        Backend::Graph => match ews_scope {
            Some(scope) => refuse(format!(
                "backend = \"graph\" cannot work with the EWS scope '{scope}' in [auth] scopes \
                 (XF_AUTH_SCOPES): ask for Microsoft Graph's (Calendars.ReadWrite \
                 Tasks.ReadWrite offline_access), or leave scopes out with preset = \
                 \"microsoft_graph\""
            )),
            None => Ok(()),
        },
        Backend::Ews if config.preset == Some(Preset::MicrosoftGraph) => refuse(
            "backend = \"ews\" cannot work with preset = \"microsoft_graph\": its tokens are for \
             Microsoft Graph, which EWS refuses. Set backend = \"graph\" (XF_BACKEND=graph, \
             --backend graph), or [auth] preset = \"microsoft_ews\" (XF_AUTH_PRESET=microsoft_ews)"
                .into(),
        ),
        Backend::Ews => match (graph_scope, ews_scope) {
            (Some(scope), None) => refuse(format!(
                "backend = \"ews\" cannot work with the Microsoft Graph scope '{scope}' in \
                 [auth] scopes (XF_AUTH_SCOPES) and no EWS scope: ask for \
                 https://outlook.office365.com/EWS.AccessAsUser.All, or set backend = \"graph\""
            )),
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// `[auth]` as the file (`table`) and the environment (`env`) give it together.
    fn checked(table: &str, env: &[(&str, &str)], backend: Backend) -> Result<(), String> {
        use crate::config::{Config, ConfigLayer};
        let file = format!("[sandbox]\nenabled = true\n[auth]\n{table}");
        let file = ConfigLayer::from_toml(&file, "proxy.toml".as_ref()).unwrap();
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = ConfigLayer::from_env(|k| env.get(k).cloned()).unwrap();
        let config = Config::resolve([file, env]).unwrap();
        check(&config.auth, backend).map_err(|e| e.to_string())
    }

    #[test]
    fn presets_fit_their_own_backend_only() {
        let ews = "preset = \"microsoft_ews\"\ntenant = \"contoso.onmicrosoft.com\"\n";
        let graph = "preset = \"microsoft_graph\"\ntenant = \"contoso.onmicrosoft.com\"\n";
        assert!(checked(ews, &[], Backend::Ews).is_ok());
        assert!(checked(graph, &[], Backend::Graph).is_ok());
        let err = checked(ews, &[], Backend::Graph).unwrap_err();
        assert!(
            err.contains("preset = \"microsoft_graph\"") && err.contains("backend = \"ews\""),
            "{err}"
        );
        let err = checked(graph, &[], Backend::Ews).unwrap_err();
        assert!(err.contains("backend = \"graph\""), "{err}");
        // The environment's preset counts like the file's.
        let err = checked("", &[("XF_AUTH_PRESET", "microsoft_ews")], Backend::Graph).unwrap_err();
        assert!(err.contains("microsoft_ews"), "{err}");
    }

    #[test]
    fn explicit_scopes_must_name_the_backends_resource() {
        let ews_scopes = "scopes = \"openid offline_access https://outlook.office365.com/EWS.AccessAsUser.All\"\n";
        let err = checked(ews_scopes, &[], Backend::Graph).unwrap_err();
        assert!(err.contains("EWS.AccessAsUser.All"), "{err}");
        assert!(checked(ews_scopes, &[], Backend::Ews).is_ok());
        let err = checked(
            "",
            &[(
                "XF_AUTH_SCOPES",
                "openid Calendars.ReadWrite Tasks.ReadWrite",
            )],
            Backend::Ews,
        )
        .unwrap_err();
        assert!(err.contains("Calendars.ReadWrite"), "{err}");
        // Other authorization servers (sandbox, oidc-provider) name their own scopes.
        assert!(checked("scopes = \"openid ews\"\n", &[], Backend::Graph).is_ok());
        assert!(checked("", &[], Backend::Graph).is_ok());
    }
}
