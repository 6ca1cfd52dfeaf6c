//! `ews.autodiscover` / `ews.autodiscover_url`: no fixed EWS endpoint, each user's found with
//! POX Autodiscover (`crate::mailbox::ews::autodiscover`). Combinations that cannot work, or
//! that would send a service account's credentials where a user's domain points, are refused
//! here with the key to change.

use url::Url;

use super::layer::EwsLayer;
use super::{Backend, EwsAuth};

/// Where Autodiscover is asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutodiscoverConfig {
    /// `ews.autodiscover_url`: this POX URL for every user. `None`: the URLs Microsoft
    /// derives from the user's domain (`https://<domain>/autodiscover/autodiscover.xml`, then
    /// `https://autodiscover.<domain>/autodiscover/autodiscover.xml`); in sandbox mode the
    /// sandbox's own Autodiscover endpoint.
    pub url: Option<Url>,
}

/// The Autodiscover settings, `None` when off; `(key, problem)` on error.
pub(super) fn resolve(
    layer: &EwsLayer,
    endpoint: Option<&Url>,
    auth: &EwsAuth,
    backend: Backend,
    sandbox: bool,
    parse_url: impl Fn(&str) -> Result<Url, String>,
) -> Result<Option<AutodiscoverConfig>, (&'static str, String)> {
    let url = layer
        .autodiscover_url
        .as_deref()
        .map(|raw| parse_url(raw).map_err(|p| ("ews.autodiscover_url", p)))
        .transpose()?;
    if !layer.autodiscover.unwrap_or(false) {
        return match url {
            Some(_) => Err((
                "ews.autodiscover_url",
                "it is used only with ews.autodiscover = true (XF_EWS_AUTODISCOVER=true)".into(),
            )),
            None => Ok(None),
        };
    }
    if endpoint.is_some() {
        return Err((
            "ews.autodiscover",
            "ews.endpoint is set as well: Autodiscover finds the EWS URL when none is \
             configured, so set one of them (remove ews.endpoint to discover each user's URL, \
             or ews.autodiscover to use the endpoint)"
                .into(),
        ));
    }
    if backend == Backend::Graph {
        return Err((
            "ews.autodiscover",
            "Autodiscover finds EWS URLs, and backend = \"graph\" does not use EWS: remove \
             ews.autodiscover, or set backend = \"ews\""
                .into(),
        ));
    }
    // The service account's credentials go to whatever Autodiscover answers: a URL derived
    // from each user's domain would hand them (Basic: the password; NTLM: a crackable
    // response) to any server a signed-in user's address names.
    if let (Some(account), None, false) = (auth.service_account(), &url, sandbox) {
        return Err((
            "ews.autodiscover",
            format!(
                "with the service account '{}', set ews.autodiscover_url \
                 (XF_EWS_AUTODISCOVER_URL) to your Autodiscover URL: the account signs in to \
                 it, and a URL derived from each user's domain would send its credentials to \
                 whatever server answers for that domain",
                account.username
            ),
        ));
    }
    Ok(Some(AutodiscoverConfig { url }))
}
