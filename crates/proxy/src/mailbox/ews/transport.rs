//! How a request reaches EWS: with the signed-in user's bearer token over reqwest's pool, or
//! as the service account over connections of its own ([`super::connections`]). Both answer
//! a [`Reply`] read whole, or a [`SendError`] saying whether the request can have run.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use bytes::Bytes;
use secrecy::{ExposeSecret as _, SecretString};
use tokio_rustls::rustls;
use url::Url;

use super::connections::ServiceAccountClient;
use crate::config::EwsConfig;
use crate::mailbox::MailboxError;

/// Largest EWS answer we read (the codec refuses larger documents as well).
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// An answer of EWS, its body read (or why it could not be).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Result<Bytes, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Nothing reached EWS (connection refused, TLS failed): safe to send again.
    #[error("{0}")]
    NotSent(String),
    /// The request may have run but no answer came.
    #[error("{0}")]
    Lost(String),
    /// Sending again cannot help (e.g. a certificate the proxy does not trust).
    #[error("{0}")]
    Refused(MailboxError),
}

pub enum Transport {
    Bearer(reqwest::Client),
    ServiceAccount(ServiceAccountClient),
}

impl Transport {
    pub fn new(endpoint: &Url, config: &EwsConfig) -> Result<Self, String> {
        let connect_timeout = config.timeout.min(Duration::from_secs(10));
        if let Some(client) =
            ServiceAccountClient::new(endpoint, &config.auth, config.timeout, connect_timeout)?
        {
            return Ok(Transport::ServiceAccount(client));
        }
        // Redirects are not followed: a redirected EWS POST would resend the bearer token to
        // wherever the redirect points.
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(connect_timeout)
            .build()
            .map(Transport::Bearer)
            .map_err(|e| e.to_string())
    }

    /// Whether EWS answers at all within `timeout`, through this transport's own connections.
    pub async fn answers(&self, endpoint: &Url, timeout: Duration) -> Result<(), String> {
        match self {
            Transport::Bearer(http) => http
                .get(endpoint.clone())
                .timeout(timeout)
                .send()
                .await
                .map(drop)
                .map_err(|e| describe(&e)),
            Transport::ServiceAccount(client) => client.answers(timeout).await,
        }
    }

    /// POSTs `envelope` with `headers`; `token` is the user's (ignored by the service account).
    pub async fn post(
        &self,
        endpoint: &Url,
        token: &SecretString,
        mut headers: HeaderMap,
        envelope: &str,
    ) -> Result<Reply, SendError> {
        let body = Bytes::from(envelope.to_owned());
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        match self {
            Transport::ServiceAccount(client) => client.post(headers, body).await,
            Transport::Bearer(http) => {
                let mut authorization =
                    HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
                        .map_err(|_| SendError::Refused(MailboxError::Unauthorized))?;
                authorization.set_sensitive(true);
                headers.insert(header::AUTHORIZATION, authorization);
                let response = http
                    .post(endpoint.clone())
                    .headers(headers)
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| match certificate_problem(&e) {
                        Some(advice) => SendError::Refused(MailboxError::Misconfigured(advice)),
                        // Refused before anything was sent: Exchange cannot have run it.
                        None if e.is_connect() => SendError::NotSent(describe(&e)),
                        None => SendError::Lost(describe(&e)),
                    })?;
                let status = response.status();
                let headers = response.headers().clone();
                let body = read_limited(response).await;
                Ok(Reply {
                    status,
                    headers,
                    body,
                })
            }
        }
    }
}

const USER_AGENT: &str = concat!("exchange-forms-proxy/", env!("CARGO_PKG_VERSION"));

/// rustls with the ring provider and Mozilla's roots, as reqwest's `rustls-tls` has them;
/// HTTP/1.1 only (NTLM is per connection, and HTTP/2 would multiplex users onto one).
pub fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS setup: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Advice for an administrator when `error` (or an error inside it) is a certificate rustls
/// refused; `None` for any other failure.
pub fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(rustls::Error::InvalidCertificate(reason)) = e.downcast_ref::<rustls::Error>() {
            return Some(format!(
                "The Exchange server's TLS certificate was not accepted ({reason:?}): check that \
                 ews.endpoint names the host the certificate was issued for, that it has not \
                 expired, and that it chains to a public certificate authority."
            ));
        }
        current = e.source();
    }
    None
}

/// Reads the body, refusing more than [`MAX_RESPONSE_BYTES`].
async fn read_limited(mut response: reqwest::Response) -> Result<Bytes, String> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(format!("answer larger than {MAX_RESPONSE_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(format!("answer larger than {MAX_RESPONSE_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// reqwest's error chain in one line.
fn describe(error: &reqwest::Error) -> String {
    let first = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    with_causes(first, error)
}

/// `first`, then the message of each error inside `error`, joined by colons.
pub fn with_causes(mut first: String, error: &(dyn std::error::Error + 'static)) -> String {
    let mut source = error.source();
    while let Some(inner) = source {
        first.push_str(": ");
        first.push_str(&inner.to_string());
        source = inner.source();
    }
    first
}
