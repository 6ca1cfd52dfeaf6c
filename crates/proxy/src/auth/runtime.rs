//! The authorization module as the proxy runs it: configuration resolved, token key checked,
//! the store opened, and the development authorization server started in sandbox mode.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::clock::Clock;
use super::config::{AuthConfig, AuthConfigError, AuthContext};
use super::crypto::{Cipher, Purpose, TokenKey};
use super::store::TokenStore;
use super::{AuthService, oauth, routes};
#[cfg(feature = "sandbox")]
use sandbox::dev_auth::DevAuthServer;

/// The authorization module as the proxy runs it: the service, plus the development
/// authorization server when sandbox mode uses it.
pub struct AuthRuntime {
    pub service: Arc<AuthService>,
    #[cfg(feature = "sandbox")]
    pub dev_server: Option<Arc<DevAuthServer>>,
}

impl AuthRuntime {
    /// From the configuration's `[auth]` table (file and `XF_AUTH_*` environment, merged).
    /// `Ok(None)` outside sandbox mode when no authorization server is configured at all (the
    /// proxy then answers every API call with 401 and says so in the log).
    pub async fn start(
        auth_table: &toml::Table,
        ctx: &AuthContext,
        store: Arc<dyn TokenStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Option<Self>, AuthConfigError> {
        let config = AuthConfig::from_table(auth_table)?;
        if !ctx.sandbox && config.is_unconfigured() {
            tracing::warn!(
                "no authorization server configured ([auth] issuer / preset / endpoints): every API call will answer 401"
            );
            return Ok(None);
        }
        Self::start_with(&config, ctx, store, clock).await.map(Some)
    }

    /// Resolves `config` (discovery, key), checks the key against `store` (the proxy's
    /// database) and, in sandbox mode without another authorization server, starts the
    /// development one (`<data_dir>/dev-auth.sqlite`) with a fresh shared client secret.
    pub async fn start_with(
        config: &AuthConfig,
        ctx: &AuthContext,
        store: Arc<dyn TokenStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, AuthConfigError> {
        let http = oauth::http_client().map_err(AuthConfigError::Invalid)?;
        #[cfg_attr(not(feature = "sandbox"), allow(unused_mut))]
        let mut settings = config.resolve(ctx, &http).await?;
        let key = config.token_key(ctx)?;
        #[cfg(feature = "sandbox")]
        let dev_server = start_dev_server(&mut settings, ctx, &clock).await?;
        // Sandbox mode is refused when the configuration is resolved in this build.
        #[cfg(not(feature = "sandbox"))]
        if settings.dev_server.is_some() {
            return Err(AuthConfigError::Invalid(
                "this proxy was built without the development sign-in server (cargo feature `sandbox`)"
                    .to_owned(),
            ));
        }
        check_key(store.as_ref(), &key, ctx.sandbox).await?;
        let endings = store.flow_endings().await.map_err(|e| {
            AuthConfigError::Invalid(format!("cannot listen for sign-in flows ending: {e}"))
        })?;
        let service = AuthService::new(settings, &key, store, clock, http)?;
        spawn_flow_sweeper(&service);
        if let Some(endings) = endings {
            spawn_flow_end_listener(&service, endings);
        }
        Ok(AuthRuntime {
            service,
            #[cfg(feature = "sandbox")]
            dev_server,
        })
    }

    /// The flow endpoints (`/api/auth/*`, `/auth/callback`): put them behind the CORS layer.
    pub fn routes<S: Clone + Send + Sync + 'static>(
        &self,
    ) -> utoipa_axum::router::OpenApiRouter<S> {
        routes::routes(self.service.clone())
    }

    /// The flow's start page (`/auth/start/{id}`): reached by navigation, not behind CORS.
    pub fn page_routes<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        routes::page_routes(self.service.clone())
    }

    /// The development authorization server's endpoints under `/sandbox/oauth/` (empty unless
    /// it runs). Not for CORS: browsers reach them by navigation, the proxy server-to-server.
    pub fn dev_routes<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        #[cfg(feature = "sandbox")]
        if let Some(dev) = &self.dev_server {
            return sandbox::dev_auth::router(dev.clone());
        }
        axum::Router::new()
    }

    /// The OIDC userinfo endpoint in use (the sandbox mailbox resolves bearer tokens there).
    pub fn userinfo_url(&self) -> Option<&Url> {
        self.service.settings.userinfo_url.as_ref()
    }
}

/// In sandbox mode without another authorization server: the development one
/// (`<data_dir>/dev-auth.sqlite`, the `sandbox` crate), registered with the proxy's client id,
/// redirect URI and a fresh shared client secret (unless one is configured).
#[cfg(feature = "sandbox")]
async fn start_dev_server(
    settings: &mut super::config::AuthSettings,
    ctx: &AuthContext,
    clock: &Arc<dyn Clock>,
) -> Result<Option<Arc<DevAuthServer>>, AuthConfigError> {
    let Some(dev) = settings.dev_server.clone() else {
        return Ok(None);
    };
    let secret = match &settings.client_secret {
        Some(s) => s.0.clone(),
        None => SecretString::from(super::crypto::random_token(32)),
    };
    settings.client_secret = Some(super::config::ConfigSecret(secret.clone()));
    let path = ctx.data_dir.join("dev-auth.sqlite");
    let dev_pool = crate::db::open(&path)
        .await
        .map_err(|e| AuthConfigError::Invalid(format!("cannot open {}: {e}", path.display())))?;
    let dev_settings = sandbox::dev_auth::DevAuthSettings {
        issuer: dev.issuer,
        client_id: settings.client_id.clone(),
        client_secret: secret,
        redirect_uris: vec![settings.redirect_uri.to_string()],
        access_token_ttl: dev.access_token_ttl,
    };
    let clock = clock.clone();
    let now: sandbox::dev_auth::Clock = Arc::new(move || clock.now());
    let server = DevAuthServer::new(dev_settings, dev_pool, now)
        .await
        .map_err(|e| AuthConfigError::Invalid(format!("cannot prepare {}: {e}", path.display())))?;
    Ok(Some(server))
}

/// Refuses to start with a token key other than the one the stored tokens were sealed with: a
/// wrong `XF_TOKEN_KEY` would otherwise make every user's tokens unreadable at once. In sandbox
/// mode (key file deleted, say) the old tokens are dropped instead, so one command still works.
async fn check_key(
    store: &dyn TokenStore,
    key: &TokenKey,
    sandbox: bool,
) -> Result<(), AuthConfigError> {
    const CHECK: &str = "exchange-forms token key check";
    let cipher = Cipher::new(key);
    let fail =
        |e: &dyn std::fmt::Display| AuthConfigError::Invalid(format!("token key check: {e}"));
    let existing = store.key_check().await.map_err(|e| fail(&e))?;
    let matches = existing.as_deref().map(|ct| {
        cipher
            .open(Purpose::KeyCheck, "proxy", ct)
            .is_ok_and(|p| p.expose_secret() == CHECK)
    });
    match matches {
        Some(true) => return Ok(()),
        Some(false) if !sandbox => {
            return Err(AuthConfigError::Invalid(
                "the token key (XF_TOKEN_KEY / auth.token_key) is not the key the stored tokens were encrypted with: \
                 restore the previous key, or delete the rows of table auth_tokens so that every user signs in again"
                    .to_owned(),
            ));
        }
        Some(false) => tracing::warn!(
            "sandbox: the token key changed; stored tokens are dropped (users sign in again)"
        ),
        None => {}
    }
    let sealed = cipher
        .seal(Purpose::KeyCheck, "proxy", &SecretString::from(CHECK))
        .map_err(|e| fail(&e))?;
    store
        .reset_key_check(&sealed, matches == Some(false))
        .await
        .map_err(|e| fail(&e))
}

/// How often ended flows are purged and expired ones marked.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Housekeeping of the flow table on a schedule (never a table scan per request). The task
/// holds the service weakly and ends with it.
fn spawn_flow_sweeper(service: &Arc<AuthService>) {
    let service = Arc::downgrade(service);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let Some(service) = service.upgrade() else {
                return;
            };
            if let Err(e) = service.sweep_flows().await {
                tracing::warn!(error = %e, "sweeping sign-in flows failed");
            }
        }
    });
}

/// Flows ended by other processes on the same database wake this process's long-polls too.
/// The task holds the service weakly and ends with it.
fn spawn_flow_end_listener(
    service: &Arc<AuthService>,
    mut endings: tokio::sync::mpsc::Receiver<String>,
) {
    let service = Arc::downgrade(service);
    tokio::spawn(async move {
        while let Some(flow_id) = endings.recv().await {
            let Some(service) = service.upgrade() else {
                return;
            };
            service.flow_ended(&flow_id);
        }
    });
}
