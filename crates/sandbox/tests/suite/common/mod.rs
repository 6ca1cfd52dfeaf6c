//! Test harness: the sandbox mailbox on port 0, with a tiny OIDC userinfo endpoint standing in
//! for the authorization server. The proxy's tests share `userinfo` and `mailbox` (a SOAP
//! client of the mailbox, which needs only `TestApp::client` and `TestApp::address`).
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod graph;
pub mod mailbox;
pub mod userinfo;

pub use userinfo::*;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use sandbox::mailbox::SandboxMailbox;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use url::Url;

async fn serve(router: Router) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Ok(addr)
}

/// The mailbox served over HTTP, and its state for looking into the store.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub mailbox: Arc<SandboxMailbox>,
}

impl TestApp {
    /// Items in a mailbox folder, straight from the store.
    pub async fn stored(&self, mailbox: &str, folder: &str) -> u32 {
        self.mailbox.store.count(mailbox, folder).await.unwrap()
    }
}

impl Harness {
    pub async fn spawn(&self) -> TestApp {
        self.spawn_with_impersonators(Vec::new()).await
    }

    /// The mailbox in `<tempdir>/sandbox.sqlite`, letting `impersonators` use
    /// ExchangeImpersonation.
    pub async fn spawn_with_impersonators(&self, impersonators: Vec<String>) -> TestApp {
        let options = SqliteConnectOptions::new()
            .filename(self.dir.path().join("sandbox.sqlite"))
            .create_if_missing(true);
        let pool = SqlitePoolOptions::new()
            .connect_with(options)
            .await
            .unwrap();
        let userinfo = Url::parse(&format!("http://{}/userinfo", self.userinfo)).unwrap();
        let mailbox = Arc::new(
            SandboxMailbox::open(pool, userinfo, impersonators, Vec::new(), None)
                .await
                .unwrap(),
        );
        let addr = serve(sandbox::mailbox::router(mailbox.clone()))
            .await
            .unwrap();
        TestApp {
            address: format!("http://{addr}"),
            client: reqwest::Client::new(),
            mailbox,
        }
    }
}
