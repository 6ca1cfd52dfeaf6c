//! Sandbox mode: the `sandbox` crate's fake Exchange mailbox mounted into the proxy. Built only
//! with the cargo feature `sandbox` (on by default); a proxy built without it holds no fake
//! Exchange and refuses sandbox mode when its configuration is resolved.
//!
//! The development sign-in server is started by the authorization module, which owns the OAuth
//! client registration it serves (`auth::runtime`).

use axum::Router;
use url::Url;

use crate::StartupError;
use crate::config::Config;

/// Whether this build can run sandbox mode.
pub const BUILT_IN: bool = cfg!(feature = "sandbox");

/// The sandbox mailbox's routes (its own state), in sandbox mode only.
#[derive(Clone)]
pub struct SandboxRoutes {
    #[cfg(feature = "sandbox")]
    mailbox: std::sync::Arc<sandbox::mailbox::SandboxMailbox>,
}

impl SandboxRoutes {
    /// `POST /sandbox/ews/Exchange.asmx`, to merge into the proxy's router.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        #[cfg(feature = "sandbox")]
        return sandbox::mailbox::router(self.mailbox.clone());
        #[cfg(not(feature = "sandbox"))]
        Router::new()
    }

    /// The mailbox itself (tests read its store).
    #[cfg(feature = "sandbox")]
    pub fn mailbox(&self) -> &sandbox::mailbox::SandboxMailbox {
        &self.mailbox
    }
}

/// The EWS endpoint the proxy talks to when none is configured: its own sandbox mailbox, at the
/// bound address (`public_url` may be a reverse proxy in front of us).
pub fn default_ews_endpoint(listen_url: &Url) -> Result<Url, StartupError> {
    join(listen_url, EWS_PATH)
}

/// The sandbox's POX Autodiscover endpoint on this proxy (`ews.autodiscover` in sandbox mode
/// without `ews.autodiscover_url`).
pub fn default_autodiscover_url(listen_url: &Url) -> Result<Url, StartupError> {
    join(listen_url, AUTODISCOVER_PATH)
}

/// The sandbox's Graph front end on this proxy (the Graph backend's endpoint in sandbox mode).
pub fn default_graph_endpoint(listen_url: &Url) -> Result<Url, StartupError> {
    join(listen_url, "/sandbox/graph/v1.0/")
}

fn join(base: &Url, path: &str) -> Result<Url, StartupError> {
    base.join(path.trim_start_matches('/'))
        .map_err(|e| StartupError::Other(format!("bad URL {base}{path}: {e}")))
}

#[cfg(feature = "sandbox")]
const EWS_PATH: &str = sandbox::mailbox::EWS_PATH;
#[cfg(feature = "sandbox")]
const AUTODISCOVER_PATH: &str = sandbox::mailbox::AUTODISCOVER_PATH;
#[cfg(not(feature = "sandbox"))]
const AUTODISCOVER_PATH: &str = "/autodiscover/autodiscover.xml";
// Configuration refuses sandbox mode in this build, so an EWS endpoint is always configured.
#[cfg(not(feature = "sandbox"))]
const EWS_PATH: &str = "/EWS/Exchange.asmx";

/// Opens the sandbox mailbox (`<data_dir>/sandbox.sqlite`) when the configuration asks for
/// sandbox mode. Bearer tokens are resolved at `sandbox.userinfo_url`, else at the userinfo
/// endpoint of the authorization server in use (`auth_userinfo`), else at the built-in dev
/// sign-in server under `base_url`.
pub async fn start(
    config: &Config,
    base_url: &Url,
    auth_userinfo: Option<&Url>,
) -> Result<Option<SandboxRoutes>, StartupError> {
    if !config.sandbox.enabled {
        return Ok(None);
    }
    #[cfg(feature = "sandbox")]
    {
        let userinfo_url = match (&config.sandbox.userinfo_url, auth_userinfo) {
            (Some(url), _) | (None, Some(url)) => url.clone(),
            (None, None) => join(base_url, sandbox::dev_auth::USERINFO_PATH)?,
        };
        let path = config.data_dir.join("sandbox.sqlite");
        let pool = crate::db::open(&path)
            .await
            .map_err(|source| StartupError::Database {
                path: path.clone(),
                source,
            })?;
        let kerberos = config
            .sandbox
            .kerberos_keytab
            .as_deref()
            .map(sandbox::mailbox::kerberos::KerberosAcceptor::from_keytab)
            .transpose()
            .map_err(|e| StartupError::Other(format!("sandbox.kerberos_keytab: {e}")))?;
        let mailbox = sandbox::mailbox::SandboxMailbox::open(
            pool,
            userinfo_url,
            config.sandbox.impersonators.clone(),
            config
                .sandbox
                .service_accounts
                .iter()
                .map(|a| sandbox::mailbox::service_account::ServiceAccount {
                    username: a.username.clone(),
                    password: a.password.clone(),
                })
                .collect(),
            kerberos,
        )
        .await
        .map_err(|e| StartupError::Other(format!("{}: {e}", path.display())))?;
        Ok(Some(SandboxRoutes {
            mailbox: std::sync::Arc::new(mailbox),
        }))
    }
    #[cfg(not(feature = "sandbox"))]
    {
        let _ = (base_url, auth_userinfo);
        Err(StartupError::Other(
            "this proxy was built without the sandbox (cargo feature `sandbox`)".into(),
        ))
    }
}
