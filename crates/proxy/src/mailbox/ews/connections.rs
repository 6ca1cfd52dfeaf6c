//! The service account's own HTTP/1 connections to EWS.
//!
//! NTLM authenticates a connection, not a request: the Negotiate → Challenge → Authenticate
//! handshake must run on one connection, and the requests after it on that same connection
//! carry no credentials at all (IIS remembers who is on it). reqwest's pool hands any idle
//! connection to any request, so this holds its own: each request takes an idle
//! authenticated connection (or opens and authenticates a new one, so concurrent requests get
//! one connection each) and gives it back once the answer is read. A 401 on a reused
//! connection means the server forgot it: the request is sent once more on a fresh one, and a
//! 401 right after a fresh handshake means the account or its password is wrong.
//!
//! Negotiate (SPNEGO, [`super::spnego`]) authenticates a connection the same way: Kerberos in
//! one leg (the ticket travels with the payload), or NTLM's two legs inside SPNEGO.
//!
//! Basic sends the account's name and password with every request (https only, checked when
//! the configuration is read) and reuses connections like any keep-alive client.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use secrecy::ExposeSecret as _;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use url::Url;

use super::ntlm;
use super::transport::{MAX_RESPONSE_BYTES, Reply, SendError, certificate_problem, with_causes};
use crate::config::Kdc;
use crate::config::{EwsAuth, ServiceAccount};
use crate::mailbox::MailboxError;

mod negotiate;

type Connection = SendRequest<Full<Bytes>>;

/// Idle authenticated connections kept for reuse (more may be open while requests run).
const MAX_IDLE: usize = 16;
/// An idle connection is not reused after this long: IIS closes idle connections after two
/// minutes, and a request sent just as it does would end with an unknown outcome.
const MAX_IDLE_TIME: Duration = Duration::from_secs(60);

enum Scheme {
    Ntlm(ServiceAccount),
    /// The whole `Authorization` value, marked sensitive.
    Basic(HeaderValue),
    /// SPNEGO with Kerberos; with NTLM instead when no ticket can be had and `ntlm_fallback`.
    Negotiate {
        account: ServiceAccount,
        kdc: Option<Kdc>,
        ntlm_fallback: bool,
    },
}

pub struct ServiceAccountClient {
    scheme: Scheme,
    username: String,
    host: String,
    port: u16,
    /// `Host` header: the host, with the port when it is not the scheme's default.
    authority: HeaderValue,
    path: String,
    tls: Option<(TlsConnector, ServerName<'static>)>,
    /// Idle signed-in connections, with when each became idle.
    idle: Mutex<Vec<(Connection, Instant)>>,
    timeout: Duration,
    connect_timeout: Duration,
    /// The mechanism of the last sign-in that Exchange accepted (for `check-config`).
    signed_in_with: Mutex<Option<&'static str>>,
    /// Under `negotiate`, after Kerberos could not be had: NTLM alone until then.
    kerberos_paused_until: Mutex<Option<Instant>>,
}

impl ServiceAccountClient {
    /// `None` for `EwsAuth::OAuth`, which needs no connection of its own.
    pub fn new(
        endpoint: &Url,
        auth: &EwsAuth,
        tls: Arc<ClientConfig>,
        timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Option<Self>, String> {
        let (scheme, account) = match auth {
            EwsAuth::OAuth => return Ok(None),
            EwsAuth::Ntlm(account) => (Scheme::Ntlm(account.clone()), account),
            EwsAuth::Negotiate { account, kdc } | EwsAuth::Kerberos { account, kdc } => (
                Scheme::Negotiate {
                    account: account.clone(),
                    kdc: kdc.clone(),
                    ntlm_fallback: matches!(auth, EwsAuth::Negotiate { .. }),
                },
                account,
            ),
            EwsAuth::Basic(account) => {
                let pair = format!("{}:{}", account.username, account.password.expose_secret());
                let mut value = HeaderValue::try_from(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
                .map_err(|_| "the service account's name or password cannot be sent in a header")?;
                value.set_sensitive(true);
                (Scheme::Basic(value), account)
            }
        };
        let host = endpoint
            .host_str()
            .ok_or("the EWS endpoint has no host")?
            .to_owned();
        let port = endpoint
            .port_or_known_default()
            .ok_or("the EWS endpoint has no port")?;
        let authority = match endpoint.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let authority =
            HeaderValue::try_from(authority).map_err(|_| "the EWS endpoint's host is unusable")?;
        let mut path = endpoint.path().to_owned();
        if let Some(query) = endpoint.query() {
            path = format!("{path}?{query}");
        }
        let tls = match endpoint.scheme() {
            "https" => {
                let name = ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
                    .map_err(|e| format!("the EWS endpoint's host is not a TLS name: {e}"))?;
                Some((TlsConnector::from(tls), name))
            }
            _ => None,
        };
        Ok(Some(Self {
            scheme,
            username: account.username.clone(),
            host,
            port,
            authority,
            path,
            tls,
            idle: Mutex::default(),
            timeout,
            connect_timeout,
            signed_in_with: Mutex::default(),
            kerberos_paused_until: Mutex::default(),
        }))
    }

    /// How the last accepted sign-in was made: `Kerberos`, `NTLM` or `Basic` (inside
    /// Negotiate for the first two when `ews.auth` is `negotiate` or `kerberos`).
    pub fn signed_in_with(&self) -> Option<&'static str> {
        *self
            .signed_in_with
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the server answers at all (any status), on a connection of its own.
    pub async fn answers(&self, timeout: Duration) -> Result<(), String> {
        let attempt = async {
            let mut connection = self.connect().await.map_err(|e| e.to_string())?;
            let request = self
                .request(Method::GET, HeaderMap::new(), Bytes::new(), None)
                .map_err(|e| e.to_string())?;
            send(&mut connection, request)
                .await
                .map(drop)
                .map_err(|e| describe(&e))
        };
        tokio::time::timeout(timeout, attempt)
            .await
            .unwrap_or_else(|_| Err("timed out".into()))
    }

    /// POSTs `body` with `headers` as the service account.
    pub async fn post(&self, headers: HeaderMap, body: Bytes) -> Result<Reply, SendError> {
        if let Some(mut connection) = self.take_idle() {
            let request = self
                .request(Method::POST, headers.clone(), body.clone(), self.basic())
                .map_err(SendError::Refused)?;
            let reply = self.timed(send(&mut connection, request)).await?;
            if reply.status != StatusCode::UNAUTHORIZED {
                self.give_back(connection, &reply);
                return Ok(reply);
            }
            tracing::debug!("EWS forgot the connection's sign-in; signing in on a new one");
        }
        let mut connection = self.connect().await?;
        let (reply, how) = match &self.scheme {
            Scheme::Ntlm(account) => (
                self.ntlm(&mut connection, account, headers, body).await?,
                "NTLM",
            ),
            Scheme::Basic(value) => {
                let request = self
                    .request(Method::POST, headers, body, Some(value.clone()))
                    .map_err(SendError::Refused)?;
                (self.timed(send(&mut connection, request)).await?, "Basic")
            }
            Scheme::Negotiate {
                account,
                kdc,
                ntlm_fallback,
            } => {
                let (reply, mechanism) = self
                    .negotiate(
                        &mut connection,
                        (account, kdc.as_ref(), *ntlm_fallback),
                        headers,
                        body,
                    )
                    .await?;
                (reply, mechanism.name())
            }
        };
        if reply.status == StatusCode::UNAUTHORIZED {
            return Err(SendError::Refused(self.account_refused()));
        }
        *self
            .signed_in_with
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(how);
        self.give_back(connection, &reply);
        Ok(reply)
    }

    /// A handshake's first leg: `authorization` with an empty body. Whatever fails here,
    /// nothing ran.
    async fn first_leg(
        &self,
        connection: &mut Connection,
        headers: HeaderMap,
        authorization: HeaderValue,
    ) -> Result<Reply, SendError> {
        let request = self
            .request(Method::POST, headers, Bytes::new(), Some(authorization))
            .map_err(SendError::Refused)?;
        match self.timed(send(connection, request)).await {
            Err(SendError::Lost(reason)) => Err(SendError::NotSent(reason)),
            other => other,
        }
    }

    /// The handshake on `connection`, the payload travelling with the Authenticate message.
    async fn ntlm(
        &self,
        connection: &mut Connection,
        account: &ServiceAccount,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Reply, SendError> {
        let negotiate = header_value(ntlm::negotiate_header().map_err(MailboxError::Invalid))
            .map_err(SendError::Refused)?;
        let first = self
            .first_leg(connection, headers.clone(), negotiate)
            .await?;
        if first.status != StatusCode::UNAUTHORIZED {
            return Err(SendError::Refused(MailboxError::Misconfigured(format!(
                "Exchange answered HTTP {} to the NTLM sign-in instead of a challenge: check \
                 that ews.endpoint is the EWS URL (…/EWS/Exchange.asmx) and that Windows \
                 authentication is enabled on its EWS virtual directory.",
                first.status.as_u16()
            ))));
        }
        let offered: Vec<&str> = first
            .headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let Some(challenge) = ntlm::challenge_from(offered.iter().copied()) else {
            return Err(SendError::Refused(MailboxError::Misconfigured(format!(
                "Exchange does not offer NTLM at ews.endpoint (it offers: {}): enable Windows \
                 authentication (NTLM) on the EWS virtual directory, or set ews.auth to a \
                 scheme it offers.",
                offered_schemes(&first)
            ))));
        };
        let authenticate = header_value(
            ntlm::authenticate_header(account, &challenge).map_err(MailboxError::Invalid),
        )
        .map_err(SendError::Refused)?;
        let request = self
            .request(Method::POST, headers, body, Some(authenticate))
            .map_err(SendError::Refused)?;
        self.timed(send(connection, request)).await
    }

    fn basic(&self) -> Option<HeaderValue> {
        match &self.scheme {
            Scheme::Basic(value) => Some(value.clone()),
            Scheme::Ntlm(_) | Scheme::Negotiate { .. } => None,
        }
    }

    fn account_refused(&self) -> MailboxError {
        let (how, also) = match self.scheme {
            // No channel binding token is sent (see the README).
            Scheme::Ntlm(_) | Scheme::Negotiate { .. } if self.tls.is_some() => (
                "after the NTLM sign-in",
                " If they are right, the EWS virtual directory may require Extended Protection \
                 (channel binding), which this client does not send: set its token checking to \
                 Allow or None.",
            ),
            Scheme::Ntlm(_) | Scheme::Negotiate { .. } => ("after the NTLM sign-in", ""),
            Scheme::Basic(_) => ("to Basic sign-in", ""),
        };
        MailboxError::Misconfigured(format!(
            "Exchange refused the service account '{}' (HTTP 401 {how}): check \
             ews.service_account.username (DOMAIN\\user or user@domain) and its password \
             (XF_EWS_SERVICE_ACCOUNT_PASSWORD), and that the account is enabled and not locked \
             out.{also}",
            self.username
        ))
    }

    fn request(
        &self,
        method: Method,
        mut headers: HeaderMap,
        body: Bytes,
        authorization: Option<HeaderValue>,
    ) -> Result<Request<Full<Bytes>>, MailboxError> {
        headers.insert(header::HOST, self.authority.clone());
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        if let Some(value) = authorization {
            headers.insert(header::AUTHORIZATION, value);
        }
        let mut request = Request::builder()
            .method(method)
            .uri(self.path.as_str())
            .body(Full::new(body))
            .map_err(|e| MailboxError::Invalid(format!("cannot build the EWS request: {e}")))?;
        *request.headers_mut() = headers;
        Ok(request)
    }

    async fn timed(
        &self,
        exchange: impl Future<Output = Result<Reply, hyper::Error>>,
    ) -> Result<Reply, SendError> {
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(error)) => Err(SendError::Lost(describe(&error))),
            Err(_) => Err(SendError::Lost("timed out".into())),
        }
    }

    async fn connect(&self) -> Result<Connection, SendError> {
        let connecting = async {
            let tcp = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| SendError::NotSent(e.to_string()))?;
            let _ = tcp.set_nodelay(true);
            match &self.tls {
                None => handshake(tcp).await,
                Some((connector, name)) => {
                    let tls = connector.connect(name.clone(), tcp).await.map_err(|e| {
                        match certificate_problem(&e) {
                            Some(advice) => SendError::Refused(MailboxError::Misconfigured(advice)),
                            None => SendError::NotSent(format!("TLS: {e}")),
                        }
                    })?;
                    handshake(tls).await
                }
            }
        };
        tokio::time::timeout(self.connect_timeout, connecting)
            .await
            .unwrap_or_else(|_| Err(SendError::NotSent("connecting timed out".into())))
    }

    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((connection, since)) = idle.pop() {
            if !connection.is_closed() && since.elapsed() < MAX_IDLE_TIME {
                return Some(connection);
            }
        }
        None
    }

    /// Keeps `connection` for the next request, unless its answer was cut short.
    fn give_back(&self, connection: Connection, reply: &Reply) {
        let closing = reply
            .headers
            .get(header::CONNECTION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        if reply.body.is_err() || closing || connection.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push((connection, Instant::now()));
        }
    }
}

/// The schemes of a 401's `WWW-Authenticate` values, comma-separated ("nothing" if none).
fn offered_schemes(reply: &Reply) -> String {
    let schemes: Vec<&str> = reply
        .headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split_whitespace().next())
        .collect();
    if schemes.is_empty() {
        "nothing".to_owned()
    } else {
        schemes.join(", ")
    }
}

fn header_value(value: Result<String, MailboxError>) -> Result<HeaderValue, MailboxError> {
    let mut value = HeaderValue::try_from(value?)
        .map_err(|_| MailboxError::Invalid("an NTLM message is not a header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

async fn handshake<T>(io: T) -> Result<Connection, SendError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| SendError::NotSent(describe(&e)))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "EWS connection ended");
        }
    });
    Ok(sender)
}

/// One request on `connection`, its answer read whole (so the connection can carry the next).
async fn send(
    connection: &mut Connection,
    request: Request<Full<Bytes>>,
) -> Result<Reply, hyper::Error> {
    connection.ready().await?;
    let response = connection.send_request(request).await?;
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .map_err(|e| format!("reading the answer: {e}"));
    Ok(Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

fn describe(error: &hyper::Error) -> String {
    with_causes(error.to_string(), error)
}
