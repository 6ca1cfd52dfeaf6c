//! Shared state of every request handler.

use std::sync::Arc;

use url::Url;

use crate::config::Config;
use crate::idempotency::IdempotencyStore;
use crate::mailbox::SharedMailbox;
use crate::origins::AllowedOrigins;
use crate::sandbox_mode::SandboxRoutes;
use crate::session::SharedAuthorizer;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// The URL browsers reach this proxy at (config `public_url`, else `http://BIND:PORT`).
    pub base_url: Url,
    /// Embedding origins: CORS and the authorization flows answer exactly these.
    pub allowed_origins: AllowedOrigins,
    /// The proxy's database (SQLite `<data_dir>/proxy.sqlite`, or PostgreSQL): sessions,
    /// flows, tokens and idempotency keys, behind [`crate::store::Store`].
    pub store: Arc<dyn crate::store::Store>,
    pub authorizer: SharedAuthorizer,
    /// The user's mailbox, through the configured backend.
    pub mailbox: SharedMailbox,
    pub idempotency: IdempotencyStore,
    /// The sandbox mailbox's routes, in sandbox mode only.
    pub sandbox: Option<SandboxRoutes>,
    /// OAuth sessions and flow endpoints (auth helper); `None` with a test authorizer.
    pub auth: Option<Arc<crate::auth::AuthRuntime>>,
    /// Request, upstream and sign-in metrics (`GET /metrics`).
    pub metrics: Arc<crate::telemetry::Metrics>,
}
