//! The sandbox mailbox: a fake Exchange, so the whole product runs where Exchange cannot be
//! reached.
//!
//! * [`store`]: SQLite storage of every user's items, protocol-neutral (rows with searchable
//!   columns and the item's document; no SOAP). A second front end (e.g. a Graph REST
//!   endpoint) uses the same store and the same item rules ([`items`], [`meetings`],
//!   [`recurrence`], [`directory`]).
//! * [`soap`]: the EWS SOAP front end (`/sandbox/ews/Exchange.asmx`). It speaks the same SOAP as
//!   Exchange (parsed and written by the `ews` codec's server side), identifies the mailbox
//!   from the bearer token like a resource server ([`identity`]), and answers errors the way
//!   Exchange does: SOAP faults with HTTP 500 for malformed requests, ResponseClass="Error"
//!   messages for per-item problems.
//! * [`graph`]: the Microsoft Graph v1.0 REST front end (`/sandbox/graph/v1.0/…`), same store,
//!   same rules, same identification, Graph's JSON and error bodies.

pub mod autodiscover;
pub mod availability;
pub mod directory;
pub mod graph;
pub mod identity;
pub mod items;
pub mod kerberos;
pub mod meetings;
pub mod recurrence;
pub mod service_account;
pub mod soap;
mod spnego;
pub mod store;

use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use sqlx::SqlitePool;
use url::Url;

use identity::MailboxIdentity;
use store::ItemStore;

/// Where the mailbox answers EWS, relative to the server's base URL.
pub const EWS_PATH: &str = "/sandbox/ews/Exchange.asmx";
/// Where the mailbox answers POX Autodiscover under the sandbox's prefix.
pub const AUTODISCOVER_PATH: &str = autodiscover::PATH;

/// The mailbox's state: its store, who callers are, who may impersonate.
pub struct SandboxMailbox {
    pub store: ItemStore,
    pub identity: MailboxIdentity,
    /// Callers allowed to use ExchangeImpersonation (Exchange's ApplicationImpersonation role).
    pub impersonators: Vec<String>,
    /// Accounts that sign in with NTLM or Basic (`sandbox.service_accounts`).
    pub service_accounts: service_account::ServiceAccounts,
    /// Autodiscover requests answered.
    pub autodiscover_requests: autodiscover::Counter,
}

/// The server's number for a client connection (an NTLM sign-in holds for its connection):
/// the hosting server puts one in each request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionId(pub u64);

/// Why the mailbox could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot prepare the sandbox mailbox database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("sandbox HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

impl SandboxMailbox {
    /// The mailbox on `pool` (migrated here), resolving bearer tokens at `userinfo_url`.
    pub async fn open(
        pool: SqlitePool,
        userinfo_url: Url,
        impersonators: Vec<String>,
        service_accounts: Vec<service_account::ServiceAccount>,
        kerberos: Option<kerberos::KerberosAcceptor>,
    ) -> Result<Self, OpenError> {
        Ok(Self {
            store: ItemStore::new(pool).await?,
            identity: MailboxIdentity::new(userinfo_url)?,
            impersonators,
            service_accounts: service_account::ServiceAccounts::new(service_accounts, kerberos),
            autodiscover_requests: autodiscover::Counter::default(),
        })
    }
}

/// The mailbox's HTTP surface: `POST /sandbox/ews/Exchange.asmx`, POX Autodiscover, and the
/// Graph REST endpoint under `/sandbox/graph/v1.0/`.
pub fn router<S: Clone + Send + Sync + 'static>(mailbox: Arc<SandboxMailbox>) -> Router<S> {
    Router::new()
        .route(EWS_PATH, post(soap::handler::ews))
        .route(autodiscover::PATH, post(autodiscover::pox))
        .route(autodiscover::ROOT_PATH, post(autodiscover::pox))
        .with_state(mailbox.clone())
        .merge(graph::router(mailbox))
}

/// Errors inside an operation are ours (database, stored data), not the caller's.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored item unreadable: {0}")]
    Corrupt(String),
    /// The codec's message only: `EwsError` itself is large and this is an error path.
    #[error("cannot write the response: {0}")]
    Codec(String),
}
