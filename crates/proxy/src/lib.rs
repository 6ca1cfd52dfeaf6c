//! The exchange-forms proxy: the JSON API the widget calls and the EWS client that talks to
//! Exchange for the signed-in user; in sandbox mode it also mounts the `sandbox` crate's
//! mailbox and development sign-in server (cargo feature `sandbox`).
//!
//! [`app`] builds the router from an [`AppState`]; [`Application`] binds a listener, wires the
//! state from a [`Config`] and serves until stopped (tests start it on port 0).

pub mod auth; // per-user authorization (auth helper)
pub mod body_guard;
pub mod check;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod insecure_http;
pub mod mailbox;
pub mod openapi;
pub mod origins;
pub mod routes;
pub mod sandbox_mode;
pub mod security_headers;
pub mod server;
pub mod session;
pub mod state;
pub mod store;
pub mod telemetry;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, Method, header};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;
use url::Url;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

pub use config::Config;
pub use error::AppError;
pub use state::AppState;

use config::Backend;
use idempotency::IdempotencyStore;
use mailbox::SharedMailbox;
use mailbox::ews::EwsMailbox;
use mailbox::graph::GraphMailbox;
use origins::AllowedOrigins;
use secrecy::ExposeSecret as _;
use session::{NoAuthorizationServer, SharedAuthorizer};

/// The whole HTTP surface of the proxy.
pub fn app(state: AppState) -> Router {
    // Each `/api` route is registered with its OpenAPI operation (method and path come from
    // the handler's `#[utoipa::path]`), so the document lists exactly what is served.
    let (api, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(utoipa_axum::routes!(
            routes::appointments::create,
            routes::appointments::list
        ))
        .routes(utoipa_axum::routes!(
            routes::appointments::get,
            routes::appointments::update,
            routes::appointments::delete
        ))
        .routes(utoipa_axum::routes!(routes::appointments::cancel))
        .routes(utoipa_axum::routes!(routes::appointments::reply))
        .routes(utoipa_axum::routes!(
            routes::tasks::create,
            routes::tasks::list
        ))
        .routes(utoipa_axum::routes!(
            routes::tasks::get,
            routes::tasks::update,
            routes::tasks::delete
        ))
        .routes(utoipa_axum::routes!(routes::directory::people))
        .routes(utoipa_axum::routes!(routes::directory::room_lists))
        .routes(utoipa_axum::routes!(routes::directory::rooms))
        .routes(utoipa_axum::routes!(routes::directory::availability))
        .routes(utoipa_axum::routes!(openapi::document))
        // auth helper: the flow endpoints answer cross-origin calls like the rest of the API.
        .merge(state.auth.as_ref().map(|a| a.routes()).unwrap_or_default())
        .split_for_parts();
    let api = api
        .layer(axum::Extension(openapi::render(&document)))
        // Inside the CORS layer, so that a preflight (OPTIONS) is answered by CORS first.
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(cors(&state));

    let mut router = Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(telemetry::metrics::serve))
        .method_not_allowed_fallback(routes::method_not_allowed)
        .merge(api)
        // The widget's files are public and fetched cross-origin by embedding pages (module
        // scripts and wasm are CORS requests), so any origin may read them; the API stays
        // limited to the embedding origins.
        .merge(
            routes::static_files::router(&state.config.static_dir)
                .method_not_allowed_fallback(routes::method_not_allowed)
                .layer(security_headers::static_files_csp(&state.config))
                .layer(
                    CorsLayer::new()
                        .allow_origin(AllowOrigin::any())
                        .allow_methods([Method::GET, Method::HEAD]),
                ),
        );
    if let Some(sandbox) = &state.sandbox {
        router = router.merge(sandbox.router());
    }
    if let Some(auth) = &state.auth {
        router = router.merge(auth.page_routes()).merge(auth.dev_routes()); // /sandbox/oauth/*
    }
    // Spans carry the path only: query strings hold OAuth codes and states
    // (`/auth/callback?code=…`), which must never reach a log, at any level.
    let trace = TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
        tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
    });
    let body_rules = body_guard::BodyRules {
        timeout: state.config.server.body_timeout,
        max_bytes: body_guard::MAX_BODY_BYTES,
    };
    let [nosniff, referrer_policy, csp] = security_headers::defaults();
    // Unknown paths answer in the API's error shape (the static directories answer their own).
    // (A known path asked with another method answers in the same shape: each router above sets
    // that inside its own layers, so that CORS preflights are not taken for wrong methods.)
    router
        .fallback(routes::not_found)
        // The body guard's limit is the only one (axum's answered plain text).
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            body_rules,
            body_guard::guard,
        ))
        .layer(trace)
        // Outermost: every answer (errors of the layers above included) gets the security
        // headers, a request id, a log line and its metrics.
        .layer(nosniff)
        .layer(referrer_policy)
        .layer(csp)
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            telemetry::access_log::track,
        ))
        .with_state(state)
}

/// Browsers may call the API only from the embedding origins.
fn cors(state: &AppState) -> CorsLayer {
    let origins = state.allowed_origins.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin.to_str().is_ok_and(|o| origins.allows(o))
        }))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static(idempotency::HEADER),
            HeaderName::from_static(auth::routes::FLOW_SECRET_HEADER),
            HeaderName::from_static(auth::sessions::DPOP_HEADER),
        ])
        // Retry-After for "Exchange is busy"; Idempotent-Replayed tells a replay from a creation.
        // Date: the widget dates its DPoP proofs by the proxy's clock. ETag: an item's version.
        .expose_headers([
            header::DATE,
            header::ETAG,
            header::RETRY_AFTER,
            HeaderName::from_static(routes::IDEMPOTENT_REPLAYED),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open database {path}: {source}")]
    Database {
        path: std::path::PathBuf,
        source: sqlx::Error,
    },
    #[error("cannot open the proxy's {kind} database: {source}")]
    Store {
        kind: &'static str,
        source: store::StoreError,
    },
    #[error("{0}")]
    Other(String),
}

/// A bound, ready-to-run server (zero2prod's `Application`).
pub struct Application {
    listener: TcpListener,
    port: u16,
    base_url: Url,
    state: AppState,
}

impl Application {
    /// Binds the listener and opens the databases, with the authorizer the configuration
    /// calls for.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        Self::build_with_authorizer(config, None).await
    }

    /// As [`Application::build`], but with a given authorizer (tests: a fixed caller).
    pub async fn build_with_authorizer(
        config: Config,
        authorizer: Option<SharedAuthorizer>,
    ) -> Result<Self, StartupError> {
        Self::build_inner(config, authorizer, Arc::new(auth::clock::SystemClock)).await
    }

    // --- auth helper: tests move the authorization clock (token and flow expiry) ---
    /// As [`Application::build`], with the OAuth authorizer reading the time from `clock`.
    pub async fn build_with_auth_clock(
        config: Config,
        clock: Arc<dyn auth::clock::Clock>,
    ) -> Result<Self, StartupError> {
        Self::build_inner(config, None, clock).await
    }

    async fn build_inner(
        config: Config,
        authorizer: Option<SharedAuthorizer>,
        auth_clock: Arc<dyn auth::clock::Clock>,
    ) -> Result<Self, StartupError> {
        let addr = SocketAddr::new(config.bind, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind { addr, source })?
            .port();
        let base_url = match &config.public_url {
            Some(url) => url.clone(),
            None => self_url(config.bind, port)?,
        };

        let allowed_origins = AllowedOrigins::new(&config.allowed_origins, &base_url);

        db::create_data_dir(&config.data_dir).map_err(|source| StartupError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        let database_url = config.database_url.as_ref().map(|u| u.expose_secret());
        let store = store::open(database_url, &config.data_dir)
            .await
            .map_err(|source| StartupError::Store {
                kind: if database_url.is_some() {
                    "PostgreSQL"
                } else {
                    "SQLite"
                },
                source,
            })?;
        // A create may take every attempt the retry settings allow, its waits, and a lookup
        // after an unknown outcome; the lease outlasts that with room to spare.
        let ews = &config.ews;
        let create_lease = ews.retry_budget
            + ews.timeout * (ews.max_retries + 2)
            + std::time::Duration::from_secs(30);
        let idempotency = IdempotencyStore::new(store.clone(), create_lease);

        // --- auth helper: OAuth sessions, unless a test supplies its own authorizer ---
        let auth_runtime = match &authorizer {
            Some(_) => None,
            None => {
                // The sign-in must yield tokens the mailbox backend accepts.
                auth::backend_fit::check(&config.auth, config.backend)
                    .map_err(|e| StartupError::Other(e.to_string()))?;
                let ctx = auth::config::AuthContext {
                    sandbox: config.sandbox.enabled,
                    public_base_url: base_url.clone(),
                    data_dir: config.data_dir.clone(),
                    allowed_origins: allowed_origins.clone(),
                    insecure_http: config.insecure_http.clone(),
                };
                auth::AuthRuntime::start(
                    &config.auth,
                    &ctx,
                    store::for_authorization(store.clone()),
                    auth_clock,
                )
                .await
                .map_err(|e| StartupError::Other(e.to_string()))?
                .map(Arc::new)
            }
        };

        let auth_userinfo = auth_runtime.as_ref().and_then(|a| a.userinfo_url()); // auth helper
        let sandbox = sandbox_mode::start(&config, &base_url, auth_userinfo).await?;

        let mailbox: SharedMailbox = match config.backend {
            Backend::Ews => {
                // The EWS client talks to the sandbox over HTTP exactly as it would to Exchange.
                // It uses the bound address, not `public_url`, which may be a reverse proxy.
                match (&config.ews.endpoint, &config.ews.autodiscover) {
                    (_, Some(autodiscover)) => {
                        // Sandbox mode without a URL: the sandbox's own Autodiscover.
                        let url = match &autodiscover.url {
                            None if config.sandbox.enabled => {
                                Some(sandbox_mode::default_autodiscover_url(&self_url(
                                    config.bind,
                                    port,
                                )?)?)
                            }
                            url => url.clone(),
                        };
                        Arc::new(EwsMailbox::discovering(
                            url,
                            &config.ews,
                            config.insecure_http.clone(),
                        ))
                    }
                    (endpoint, None) => {
                        let endpoint = match endpoint {
                            Some(url) => url.clone(),
                            None => {
                                sandbox_mode::default_ews_endpoint(&self_url(config.bind, port)?)?
                            }
                        };
                        Arc::new(
                            EwsMailbox::new(endpoint, &config.ews)
                                .map_err(|e| StartupError::Other(e.to_string()))?,
                        )
                    }
                }
            }
            Backend::Graph => {
                let mut graph = config.graph.clone();
                if graph.in_sandbox {
                    graph.endpoint =
                        sandbox_mode::default_graph_endpoint(&self_url(config.bind, port)?)?;
                }
                Arc::new(GraphMailbox::new(&graph).map_err(|e| StartupError::Other(e.to_string()))?)
            }
        };

        let authorizer: SharedAuthorizer = match (authorizer, &auth_runtime) {
            (Some(authorizer), _) => authorizer,
            (None, Some(runtime)) => runtime.service.clone(), // auth helper
            (None, None) => Arc::new(NoAuthorizationServer),
        };
        let metrics = telemetry::Metrics::new()
            .map_err(|e| StartupError::Other(format!("cannot set up metrics: {e}")))?;
        let state = AppState {
            config: Arc::new(config),
            base_url: base_url.clone(),
            allowed_origins,
            store,
            authorizer,
            mailbox,
            idempotency,
            sandbox,
            auth: auth_runtime,
            metrics: Arc::new(metrics),
        };
        Ok(Self {
            listener,
            port,
            base_url,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The public base URL (config `public_url`, else the listen URL).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `http://HOST:PORT/` of the bound socket, as printed on start-up.
    pub fn listen_url(&self) -> Url {
        // The listener is bound, so its address is a valid URL host.
        self_url(self.state.config.bind, self.port).unwrap_or_else(|_| self.base_url.clone())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the future resolves with an error or the process is asked to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let header_timeout = self.state.config.server.header_timeout;
        // Client addresses reach handlers as `ConnectInfo` (per-address limits of sign-in flows).
        server::serve(
            self.listener,
            app(self.state),
            header_timeout,
            shutdown_signal(),
        )
        .await
    }
}

/// `http://HOST:PORT/` for the bound address; an unspecified address (0.0.0.0) is reached
/// through loopback.
fn self_url(bind: IpAddr, port: u16) -> Result<Url, StartupError> {
    let host = match bind {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_owned(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_owned(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    Url::parse(&format!("http://{host}:{port}/"))
        .map_err(|e| StartupError::Other(format!("bad bind address: {e}")))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
