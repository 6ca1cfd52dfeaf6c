//! A tiny OIDC userinfo endpoint standing in for the authorization server (it knows three
//! access tokens and the mailbox address each belongs to), and the part of the test harness
//! built on it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tempfile::TempDir;

/// Tokens the test userinfo endpoint accepts, and whose mailbox they open.
pub const ALICE_TOKEN: &str = "access-token-alice";
pub const ALICE: &str = "alice@example.com";
pub const BOB_TOKEN: &str = "access-token-bob";
pub const BOB: &str = "bob@example.com";
pub const CAROL_TOKEN: &str = "access-token-carol";
pub const CAROL: &str = "carol@example.com";

/// An OIDC userinfo endpoint: Bearer token -> `{sub, email}`; anything else 401.
pub async fn spawn_userinfo() -> (SocketAddr, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let users: HashMap<&str, (&str, &str)> = HashMap::from([
        (ALICE_TOKEN, ("alice", "Alice@Example.com")),
        (BOB_TOKEN, ("bob", BOB)),
        (CAROL_TOKEN, ("carol", CAROL)),
    ]);
    let counter = calls.clone();
    let router = Router::new().route(
        "/userinfo",
        get(move |headers: HeaderMap| {
            let counter = counter.clone();
            let users = users.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let token = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .unwrap_or("");
                match users.get(token) {
                    Some((sub, email)) => {
                        axum::Json(serde_json::json!({"sub": sub, "email": email})).into_response()
                    }
                    None => StatusCode::UNAUTHORIZED.into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (addr, calls)
}

/// Everything a test needs, with the temporary directory kept alive. Each test crate adds how
/// it spawns the server under test.
pub struct Harness {
    pub dir: TempDir,
    pub userinfo: SocketAddr,
    pub userinfo_calls: Arc<AtomicUsize>,
}

impl Harness {
    pub async fn new() -> Self {
        let (userinfo, userinfo_calls) = spawn_userinfo().await;
        Self {
            dir: TempDir::new().unwrap(),
            userinfo,
            userinfo_calls,
        }
    }
}
