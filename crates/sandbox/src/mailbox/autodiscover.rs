//! POX Autodiscover (`POST /autodiscover/autodiscover.xml`, also under `/sandbox/`): tells a
//! client where the sandbox's EWS endpoint is, for the sandbox's users, after the same sign-in
//! as EWS (a service account or a bearer token). An address the sandbox has no mailbox for gets
//! the error response Exchange sends (ErrorCode 500, "The e-mail address cannot be found.").
//!
//! Reference: <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-response-for-exchange>

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ews::autodiscover::server;

use super::soap::handler::caller;
use super::{ConnectionId, EWS_PATH, SandboxMailbox};

/// Where Autodiscover answers on a server whose host is `autodiscover.<domain>` or
/// `<domain>`, as clients derive it from an address.
pub const ROOT_PATH: &str = "/autodiscover/autodiscover.xml";
/// The same under the sandbox's own prefix.
pub const PATH: &str = "/sandbox/autodiscover/autodiscover.xml";

/// Autodiscover requests answered (authenticated and read), for tests that count them.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub async fn pox(
    State(sandbox): State<Arc<SandboxMailbox>>,
    connection: Option<Extension<ConnectionId>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = caller(&sandbox, connection, &headers).await {
        return refused;
    }
    sandbox
        .autodiscover_requests
        .0
        .fetch_add(1, Ordering::SeqCst);
    let answer = match server::parse_request(&body) {
        Err(_) => server::error(ews::autodiscover::ERROR_INVALID_REQUEST, "Invalid Request"),
        Ok(address) => match crate::dev_auth::user_for(&address) {
            // Only full addresses: `user_for` also takes a bare user name.
            Some(user) if address.contains('@') => server::settings(&user.name, &ews_url(&headers)),
            _ => server::error(
                ews::autodiscover::ERROR_ADDRESS_NOT_FOUND,
                "The e-mail address cannot be found.",
            ),
        },
    };
    match answer {
        // Exchange answers its error responses with HTTP 200 as well.
        Ok(xml) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            )],
            xml,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot write the Autodiscover answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The EWS endpoint on the host the client reached (the sandbox serves plain http).
fn ews_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', '@', ' ']))
        .unwrap_or("localhost");
    format!("http://{host}{EWS_PATH}")
}
