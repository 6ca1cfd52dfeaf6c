//! How a request reaches EWS: with the signed-in user's bearer token over reqwest's pool, or
//! as the service account over connections of its own ([`super::connections`]). Both answer
//! a [`Reply`] read whole, or a [`SendError`] saying whether the request can have run.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use bytes::Bytes;
use secrecy::{ExposeSecret as _, SecretString};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
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
    ServiceAccount(Box<ServiceAccountClient>),
}

impl Transport {
    pub fn new(endpoint: &Url, config: &EwsConfig) -> Result<Self, String> {
        let connect_timeout = config.timeout.min(Duration::from_secs(10));
        let extra_roots = match &config.ca_file {
            Some(path) => read_certificates(path)?,
            None => Vec::new(),
        };
        if let Some(client) = ServiceAccountClient::new(
            endpoint,
            &config.auth,
            tls_config(&extra_roots)?,
            config.timeout,
            connect_timeout,
        )? {
            return Ok(Transport::ServiceAccount(Box::new(client)));
        }
        // Redirects are not followed: a redirected EWS POST would resend the bearer token to
        // wherever the redirect points.
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(connect_timeout);
        for certificate in &extra_roots {
            let certificate = reqwest::Certificate::from_der(certificate.as_ref())
                .map_err(|e| format!("ews.ca_file: {e}"))?;
            builder = builder.add_root_certificate(certificate);
        }
        builder
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

/// The certificates of a PEM file (`ews.ca_file`).
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let problem = |e: &dyn std::fmt::Display| format!("ews.ca_file {}: {e}", path.display());
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| problem(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| problem(&e))?;
    if certificates.is_empty() {
        return Err(problem(&"the file holds no PEM certificate"));
    }
    Ok(certificates)
}

/// rustls with the ring provider and Mozilla's roots, as reqwest's `rustls-tls` has them, plus
/// `extra_roots`; HTTP/1.1 only (NTLM is per connection, and HTTP/2 would multiplex users
/// onto one).
fn tls_config(
    extra_roots: &[CertificateDer<'static>],
) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for certificate in extra_roots {
        roots
            .add(certificate.clone())
            .map_err(|e| format!("ews.ca_file: {e}"))?;
    }
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
        // An io::Error's source() skips the error it wraps: look at that one too.
        let wrapped = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        if let Some(rustls::Error::InvalidCertificate(reason)) =
            wrapped.or_else(|| e.downcast_ref::<rustls::Error>())
        {
            return Some(format!(
                "The Exchange server's TLS certificate was not accepted ({reason:?}): check that \
                 ews.endpoint names the host the certificate was issued for, that it has not \
                 expired, and that it chains to a public certificate authority or to one in \
                 ews.ca_file (XF_EWS_CA_FILE, PEM)."
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
