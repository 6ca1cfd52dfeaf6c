//! Accepting connections: hyper's HTTP/1 server with a header read timeout, and a graceful
//! shutdown that lets requests in progress finish.
//!
//! `axum::serve` offers no header read timeout, so a client sending its request line and
//! headers a byte at a time could hold a connection (and a task) open forever. Here hyper
//! closes a connection whose headers are not complete within `header_timeout` of it starting
//! to wait for them (idle keep-alive connections included). Only HTTP/1 is spoken: browsers
//! use HTTP/2 only over TLS, which a reverse proxy in front of us terminates, and HTTP/2
//! without TLS would bypass the header timeout.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// Which TCP connection a request came on (unique for the process's life, unlike the peer's
/// port): NTLM authenticates a connection, so the sandbox mailbox keys its sign-ins by it.
#[cfg(feature = "sandbox")]
pub use sandbox::mailbox::ConnectionId;
#[cfg(not(feature = "sandbox"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnectionId(pub u64);

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting and waits
/// for the open connections to finish their current request.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut connections = 0u64;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        connections += 1;
        let connection_id = ConnectionId(connections);
        // The client's address, for handlers that limit per client (`ConnectInfo`).
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request.extensions_mut().insert(connection_id);
                request
            },
        ));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A header timeout or a client hanging up ends the connection; nothing to answer.
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A connection that failed while being accepted concerns that client only; anything else
/// (e.g. out of file descriptors) is worth a pause before trying again.
async fn wait_after_accept_error(error: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
