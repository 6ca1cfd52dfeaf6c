//! The sandbox mailbox: an EWS endpoint (`/sandbox/ews/Exchange.asmx`) backed by SQLite, so
//! the whole product runs where Exchange cannot be reached. It speaks the same SOAP as
//! Exchange (parsed and written by the `ews` codec), identifies the mailbox from the bearer
//! token like a resource server, and answers errors the way Exchange does: SOAP faults with
//! HTTP 500 for malformed requests, ResponseClass="Error" messages for per-item problems.

pub mod directory;
pub mod handler;
pub mod identity;
pub mod items;
pub mod meetings;
pub mod operations;
pub mod recurrence;
pub mod service_account;
pub mod store;

use std::path::Path;

use url::Url;

use crate::StartupError;
use crate::config::ServiceAccount;
use identity::MailboxIdentity;
use service_account::ServiceAccounts;
use store::ItemStore;

/// Where the sandbox answers EWS, relative to the proxy's base URL.
pub const EWS_PATH: &str = "/sandbox/ews/Exchange.asmx";
/// The built-in dev authorization server's userinfo endpoint (the default identity source).
pub const DEV_USERINFO_PATH: &str = "/sandbox/oauth/userinfo";

pub struct SandboxMailbox {
    pub store: ItemStore,
    pub identity: MailboxIdentity,
    /// Callers allowed to use ExchangeImpersonation (config `sandbox.impersonators`).
    pub impersonators: Vec<String>,
    /// Accounts that sign in with NTLM or Basic (config `sandbox.service_accounts`).
    pub service_accounts: ServiceAccounts,
}

impl SandboxMailbox {
    /// Opens (creating and migrating) `<data_dir>/sandbox.sqlite`.
    pub async fn open(
        data_dir: &Path,
        userinfo_url: Url,
        impersonators: Vec<String>,
        service_accounts: Vec<ServiceAccount>,
    ) -> Result<Self, StartupError> {
        let path = data_dir.join("sandbox.sqlite");
        let store = ItemStore::open(&path)
            .await
            .map_err(|source| StartupError::Database {
                path: path.clone(),
                source,
            })?;
        let identity = MailboxIdentity::new(userinfo_url)
            .map_err(|e| StartupError::Other(format!("sandbox HTTP client: {e}")))?;
        Ok(Self {
            store,
            identity,
            impersonators,
            service_accounts: ServiceAccounts::new(service_accounts),
        })
    }
}
