//! Negotiate (RFC 4559) on one of the service account's connections: a Kerberos ticket with
//! the payload (one leg), or NTLM's two legs inside SPNEGO. After a Kerberos failure under
//! `negotiate`, new connections sign in with NTLM for a while without asking the KDC again, so
//! an unreachable KDC costs one wait, not one per connection.

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use base64::Engine as _;
use bytes::Bytes;

use super::super::spnego::{self, Mechanism, SpnegoClient};
use super::{Connection, ServiceAccountClient, header_value, offered_schemes, send};
use crate::config::{Kdc, ServiceAccount};
use crate::mailbox::MailboxError;
use crate::mailbox::ews::transport::{Reply, SendError};

/// How long `negotiate` signs in with NTLM alone after Kerberos could not be had.
const KERBEROS_PAUSE: Duration = Duration::from_secs(300);

impl ServiceAccountClient {
    /// SPNEGO on `connection`: a Kerberos ticket if one can be had (the payload travels with
    /// it: Kerberos needs one leg), else NTLM's two legs inside SPNEGO when falling back is
    /// allowed. Answers the reply and the mechanism that made it.
    pub(super) async fn negotiate(
        &self,
        connection: &mut Connection,
        (account, kdc, ntlm_fallback): (&ServiceAccount, Option<&Kdc>, bool),
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<(Reply, Mechanism), SendError> {
        if !self.kerberos_paused() {
            match self
                .kerberos(connection, account, kdc, headers.clone(), body.clone())
                .await
            {
                Ok(reply) => return Ok((reply, Mechanism::Kerberos)),
                // No ticket: with `negotiate`, NTLM instead (and for a while).
                Err(Err(advice)) if ntlm_fallback => {
                    tracing::warn!(%advice, "signing in to EWS with NTLM inside Negotiate instead");
                    *self
                        .kerberos_paused_until
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + KERBEROS_PAUSE);
                }
                Err(Err(advice)) => {
                    return Err(SendError::Refused(MailboxError::Misconfigured(advice)));
                }
                Err(Ok(failed)) => return Err(failed),
            }
        }
        self.ntlm_inside_spnego(connection, account, headers, body)
            .await
            .map(|reply| (reply, Mechanism::Ntlm))
    }

    fn kerberos_paused(&self) -> bool {
        self.kerberos_paused_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|until| Instant::now() < until)
    }

    /// One leg: the ticket with the payload. `Err(Err(advice))` when no ticket could be had
    /// (nothing was sent), `Err(Ok(…))` when sending failed or Exchange refused the ticket.
    async fn kerberos(
        &self,
        connection: &mut Connection,
        account: &ServiceAccount,
        kdc: Option<&Kdc>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Reply, Result<SendError, String>> {
        let kerberos = self
            .spnego_client(Mechanism::Kerberos, account, kdc)
            .map_err(Ok)?;
        let target = kerberos.target().to_owned();
        let (_, token) = spnego_step(kerberos, Vec::new()).await.map_err(|problem| {
            Err(spnego::kerberos_problem(
                &problem,
                &account.username,
                &target,
            ))
        })?;
        let authorization = negotiate_value(&token).map_err(Ok)?;
        let request = self
            .request(Method::POST, headers, body, Some(authorization))
            .map_err(|e| Ok(SendError::Refused(e)))?;
        let reply = self.timed(send(connection, request)).await.map_err(Ok)?;
        if reply.status == StatusCode::UNAUTHORIZED {
            // The ticket was issued but Exchange could not read it: its key is not the one the
            // KDC holds for that name.
            return Err(Ok(SendError::Refused(MailboxError::Misconfigured(
                format!(
                    "Exchange refused the Kerberos ticket for {target} (HTTP 401): the service \
                 principal {target} must be registered on the account that runs EWS (the \
                 Exchange server's computer account, or the alternate service account behind a \
                 load balancer) and on no other account (setspn -Q {target}), ews.endpoint must \
                 name that host, and Windows authentication on the EWS virtual directory must \
                 offer Negotiate; or set ews.auth = \"ntlm\"."
                ),
            ))));
        }
        Ok(reply)
    }

    /// NTLM's two legs inside SPNEGO, the payload with the second.
    async fn ntlm_inside_spnego(
        &self,
        connection: &mut Connection,
        account: &ServiceAccount,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Reply, SendError> {
        let ntlm = self.spnego_client(Mechanism::Ntlm, account, None)?;
        let (ntlm, token) = spnego_step(ntlm, Vec::new())
            .await
            .map_err(|e| SendError::Refused(MailboxError::Invalid(e.to_string())))?;
        let first = self
            .first_leg(connection, headers.clone(), negotiate_value(&token)?)
            .await?;
        let challenge = server_token(&first).ok_or_else(|| {
            SendError::Refused(MailboxError::Misconfigured(no_negotiate_challenge(&first)))
        })?;
        let (_, token) = spnego_step(ntlm, challenge).await.map_err(|e| {
            SendError::Refused(MailboxError::Misconfigured(format!(
                "Exchange's Negotiate challenge could not be answered ({e}): check that Windows \
                 authentication (Negotiate) is enabled on the EWS virtual directory."
            )))
        })?;
        let request = self
            .request(Method::POST, headers, body, Some(negotiate_value(&token)?))
            .map_err(SendError::Refused)?;
        self.timed(send(connection, request)).await
    }

    fn spnego_client(
        &self,
        mechanism: Mechanism,
        account: &ServiceAccount,
        kdc: Option<&Kdc>,
    ) -> Result<SpnegoClient, SendError> {
        SpnegoClient::new(mechanism, account, &self.host, kdc, self.connect_timeout).map_err(|e| {
            SendError::Refused(MailboxError::Misconfigured(format!(
                "the service account cannot sign in with Negotiate ({e}): check \
                 ews.service_account.username (user@domain or REALM\\user)"
            )))
        })
    }
}

/// Runs one SPNEGO step off the async workers (Kerberos may wait for the KDC), handing the
/// context back with the token.
async fn spnego_step(
    mut client: SpnegoClient,
    input: Vec<u8>,
) -> Result<(SpnegoClient, Vec<u8>), sspi::Error> {
    tokio::task::spawn_blocking(move || {
        let token = client.step(&input)?;
        Ok((client, token))
    })
    .await
    .unwrap_or_else(|e| {
        Err(sspi::Error::new(
            sspi::ErrorKind::InternalError,
            format!("the sign-in step stopped: {e}"),
        ))
    })
}

/// `Negotiate <base64 token>`, marked sensitive.
fn negotiate_value(token: &[u8]) -> Result<HeaderValue, SendError> {
    header_value(Ok(format!(
        "Negotiate {}",
        base64::engine::general_purpose::STANDARD.encode(token)
    )))
    .map_err(SendError::Refused)
}

/// The token of a 401's `WWW-Authenticate: Negotiate <token>`.
fn server_token(reply: &Reply) -> Option<Vec<u8>> {
    if reply.status != StatusCode::UNAUTHORIZED {
        return None;
    }
    reply
        .headers
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("negotiate")
                .then_some(token.trim())
        })
        .find_map(|token| base64::engine::general_purpose::STANDARD.decode(token).ok())
}

/// Why the first Negotiate leg got no challenge back, for an administrator.
fn no_negotiate_challenge(reply: &Reply) -> String {
    if reply.status != StatusCode::UNAUTHORIZED {
        return format!(
            "Exchange answered HTTP {} to the Negotiate sign-in instead of a challenge: check \
             that ews.endpoint is the EWS URL (…/EWS/Exchange.asmx) and that Windows \
             authentication is enabled on its EWS virtual directory.",
            reply.status.as_u16()
        );
    }
    format!(
        "Exchange does not offer Negotiate at ews.endpoint (it offers: {}): enable Windows \
         authentication (Negotiate) on the EWS virtual directory, or set ews.auth to a scheme \
         it offers.",
        offered_schemes(reply)
    )
}
