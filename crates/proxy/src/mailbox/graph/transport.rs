//! One HTTP exchange with Microsoft Graph, classified by what it tells us about the request's
//! fate, and the two ways of repeating it: reads are simply retried, creates look for what
//! an earlier attempt may have made before trying again.
//!
//! * 429 (and 503/504 with their Retry-After): wait what Graph asks, within the retry budget
//!   (<https://learn.microsoft.com/graph/throttling>). A 429 was not run; a 503/504 from a
//!   gateway may have been, so a create looks before it retries.
//! * No answer (timeout, connection lost after sending) or a 5xx without a Graph error body:
//!   the outcome is unknown.
//! * Any other error answer is definitive ([`errors::from_status`]).

use axum::http::header;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use url::Url;

use super::GraphMailbox;
use super::errors::{self, GraphError};
use super::wire::graph_etag;
use crate::mailbox::retry::{Budget, RetryCause};
use crate::mailbox::upstream::{self, describe, read_limited};
use crate::mailbox::{CreateOnce, ItemVersion, MailboxError};

/// Query values are percent-encoded but for the characters OData expressions are made of,
/// spaces as `%20` (Graph's documentation asks for it; `+` would be a plus sign).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'$')
    .remove(b'/')
    .remove(b':')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b',');

/// A request to Graph, ready to be sent as often as needed.
pub(super) struct Request {
    pub method: Method,
    pub url: Url,
    /// JSON body of a POST or PATCH.
    pub body: Option<Vec<u8>>,
    /// `If-Match`: the entity tag the change applies to (none: whatever is stored).
    pub if_match: Option<String>,
    /// Metrics label (`graph.<operation>`).
    pub operation: &'static str,
}

impl Request {
    pub fn get(url: Url, operation: &'static str) -> Self {
        Self {
            method: Method::GET,
            url,
            body: None,
            if_match: None,
            operation,
        }
    }

    pub fn post(
        url: Url,
        body: &impl serde::Serialize,
        operation: &'static str,
    ) -> Result<Self, MailboxError> {
        Self::with_body(Method::POST, url, body, operation)
    }

    pub fn patch(
        url: Url,
        body: &impl serde::Serialize,
        operation: &'static str,
    ) -> Result<Self, MailboxError> {
        Self::with_body(Method::PATCH, url, body, operation)
    }

    pub fn delete(url: Url, operation: &'static str) -> Self {
        Self {
            method: Method::DELETE,
            ..Self::get(url, operation)
        }
    }

    fn with_body(
        method: Method,
        url: Url,
        body: &impl serde::Serialize,
        operation: &'static str,
    ) -> Result<Self, MailboxError> {
        let body = serde_json::to_vec(body)
            .map_err(|e| MailboxError::Invalid(format!("cannot build the Graph request: {e}")))?;
        Ok(Self {
            method,
            url,
            body: Some(body),
            if_match: None,
            operation,
        })
    }

    /// Applies only to `version` of the item: Graph answers 412 if it changed since.
    pub fn if_match(mut self, version: &ItemVersion) -> Self {
        self.if_match = match version {
            ItemVersion::Exactly(tag) => Some(graph_etag(tag)),
            ItemVersion::Any => None,
        };
        self
    }
}

/// What one HTTP exchange came to.
pub(super) enum Attempt<T> {
    Done(T),
    /// Definitive failure: trying again cannot help.
    Failed(MailboxError),
    /// Graph did not run the request; safe to send again after the wait.
    Retry(RetryCause),
    /// The request may have run; a create must look before sending again.
    Unknown(RetryCause),
}

/// How a create finds the item an earlier attempt may have made.
pub(super) trait FindCreated {
    type Item;

    async fn find(
        &self,
        mailbox: &GraphMailbox,
        token: &SecretString,
        budget: &mut Budget,
    ) -> Result<Option<Self::Item>, MailboxError>;
}

/// Sleeps as long as the budget allows for `cause`, or says why not.
async fn back_off(
    budget: &mut Budget,
    cause: RetryCause,
    request: &Request,
) -> Result<(), MailboxError> {
    let wait = budget.next_wait(cause)?;
    tracing::warn!(
        operation = request.operation,
        wait_ms = wait.as_millis() as u64,
        "Graph request will be sent again"
    );
    tokio::time::sleep(wait).await;
    Ok(())
}

/// An id or address used as a path segment. The URL builder drops `.` and `..` segments
/// (they would navigate), so such an "id" would silently address the collection instead.
pub(super) fn segment(value: &str) -> Result<&str, MailboxError> {
    if matches!(value, "" | "." | "..") {
        Err(MailboxError::NotFound(format!(
            "'{value}' names no item or room list"
        )))
    } else {
        Ok(value)
    }
}

/// OData string literal: single quotes doubled.
pub(super) fn quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

impl GraphMailbox {
    /// `<endpoint>/<segments…>?<query>`, each segment and value percent-encoded.
    pub(super) fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.endpoint.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        let query: Vec<String> = query
            .iter()
            .map(|(name, value)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(name, QUERY_VALUE),
                    utf8_percent_encode(value, QUERY_VALUE)
                )
            })
            .collect();
        if !query.is_empty() {
            url.set_query(Some(&query.join("&")));
        }
        url
    }

    /// An `@odata.nextLink`, followed only under our endpoint: the bearer token must never be
    /// sent to wherever an answer points.
    pub(super) fn next_link(&self, link: &str) -> Result<Url, MailboxError> {
        let url = Url::parse(link)
            .map_err(|e| MailboxError::Unreadable(format!("unreadable @odata.nextLink: {e}")))?;
        let same_origin = url.origin() == self.endpoint.origin();
        let under_endpoint = url
            .path()
            .starts_with(self.endpoint.path().trim_end_matches('/'));
        if same_origin && under_endpoint {
            Ok(url)
        } else {
            Err(MailboxError::Unreadable(format!(
                "Microsoft Graph pointed the next page outside its endpoint ({})",
                url.origin().ascii_serialization()
            )))
        }
    }

    /// An idempotent request, retried while the budget allows.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        request: &Request,
        budget: &mut Budget,
    ) -> Result<T, MailboxError> {
        self.send(token, request, budget, true).await
    }

    /// A change that must not be repeated blindly (an edit, a delete, a reply that mails the
    /// organiser): sent again only when Graph certainly did not run it (429, refused
    /// connection); when the outcome is unknown the caller hears so and may reload.
    pub(super) async fn change<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        request: &Request,
        budget: &mut Budget,
    ) -> Result<T, MailboxError> {
        self.send(token, request, budget, false).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        request: &Request,
        budget: &mut Budget,
        repeat_if_unknown: bool,
    ) -> Result<T, MailboxError> {
        loop {
            let cause = match self.attempt(token, request).await {
                Attempt::Done(value) => return Ok(value),
                Attempt::Failed(error) => return Err(error),
                Attempt::Retry(cause) => cause,
                Attempt::Unknown(cause) if repeat_if_unknown => cause,
                Attempt::Unknown(cause) => {
                    let reason = match cause {
                        RetryCause::Throttled { .. } => "the gateway was busy".to_owned(),
                        RetryCause::Transient { reason } => reason,
                    };
                    return Err(MailboxError::Unavailable(format!(
                        "whether Microsoft Graph made the change is unknown ({reason}); reload to see"
                    )));
                }
            };
            back_off(budget, cause, request).await?;
        }
    }

    /// A POST that never creates twice: after an unknown outcome (or when `once.resumed`
    /// says an earlier call may have created it) `lookup` looks for the item stamped with
    /// the client request id, and only when it finds nothing is the POST sent again.
    pub(super) async fn create_once<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        request: &Request,
        once: &CreateOnce,
        budget: &mut Budget,
        lookup: impl FindCreated<Item = T>,
    ) -> Result<T, MailboxError> {
        let mut maybe_created = once.resumed;
        loop {
            if maybe_created && let Some(found) = lookup.find(self, token, budget).await? {
                tracing::info!(
                    client_request_id = once.client_request_id.as_str(),
                    operation = request.operation,
                    "found the item of an earlier attempt; not creating it again"
                );
                return Ok(found);
            }
            let cause = match self.attempt(token, request).await {
                Attempt::Done(value) => return Ok(value),
                Attempt::Failed(error) => return Err(error),
                Attempt::Retry(cause) => cause,
                Attempt::Unknown(cause) => {
                    maybe_created = true;
                    cause
                }
            };
            back_off(budget, cause, request).await?;
        }
    }

    /// One exchange, counted in the metrics by operation and outcome.
    pub(super) async fn attempt<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        request: &Request,
    ) -> Attempt<T> {
        let attempt = self.attempt_once(token, request).await;
        let outcome = match &attempt {
            Attempt::Done(_) => "ok",
            Attempt::Failed(_) => "error",
            Attempt::Retry(RetryCause::Throttled { .. })
            | Attempt::Unknown(RetryCause::Throttled { .. }) => "throttled",
            Attempt::Retry(RetryCause::Transient { .. }) => "unreachable",
            Attempt::Unknown(RetryCause::Transient { .. }) => "unknown",
        };
        crate::telemetry::record_upstream_operation(request.operation, outcome);
        attempt
    }

    async fn attempt_once<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        request: &Request,
    ) -> Attempt<T> {
        let Some(authorization) = upstream::bearer(token) else {
            return Attempt::Failed(MailboxError::Unauthorized);
        };
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone())
            .header(header::AUTHORIZATION, authorization)
            .header(header::ACCEPT, "application/json")
            // Times in UTC and bodies as text, whatever the mailbox's settings.
            .header("Prefer", "outlook.timezone=\"UTC\"")
            .header("Prefer", "outlook.body-content-type=\"text\"");
        if let Some(tag) = &request.if_match {
            builder = builder.header(header::IF_MATCH, tag);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = match upstream::with_request_id(builder).send().await {
            Ok(response) => response,
            // Refused before anything was sent: Graph cannot have run it.
            Err(e) if e.is_connect() => {
                return Attempt::Retry(RetryCause::Transient {
                    reason: describe(&e),
                });
            }
            Err(e) => {
                return Attempt::Unknown(RetryCause::Transient {
                    reason: describe(&e),
                });
            }
        };
        let status = response.status();
        let retry_after = upstream::retry_after(response.headers());
        match status {
            StatusCode::UNAUTHORIZED => return Attempt::Failed(MailboxError::Unauthorized),
            StatusCode::TOO_MANY_REQUESTS => {
                return Attempt::Retry(RetryCause::Throttled { wait: retry_after });
            }
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
                return Attempt::Unknown(match retry_after {
                    Some(wait) => RetryCause::Throttled { wait: Some(wait) },
                    None => RetryCause::Transient {
                        reason: format!("HTTP {status}"),
                    },
                });
            }
            _ => {}
        }
        let body = match read_limited(response).await {
            Ok(body) => body,
            Err(reason) => return Attempt::Unknown(RetryCause::Transient { reason }),
        };
        if status.is_success() {
            // 202 and 204 answers (actions, deletes) carry no body: they read as `()`.
            let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
                b"null"
            } else {
                &body
            };
            return match serde_json::from_slice(body) {
                Ok(value) => Attempt::Done(value),
                // A garbled success: whatever it reported may have happened.
                Err(e) => Attempt::Unknown(RetryCause::Transient {
                    reason: format!("HTTP {status} with an unreadable body: {e}"),
                }),
            };
        }
        let error = GraphError::parse(&body);
        if status.is_server_error() && error.is_none() {
            return Attempt::Unknown(RetryCause::Transient {
                reason: format!("HTTP {status} without a Graph error"),
            });
        }
        Attempt::Failed(errors::from_status(status.as_u16(), error.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_would_navigate_are_refused_instead_of_dropped() {
        for id in ["", ".", ".."] {
            assert!(
                matches!(segment(id), Err(MailboxError::NotFound(_))),
                "{id:?}"
            );
        }
        assert_eq!(segment("AAMk/..=").ok(), Some("AAMk/..="));
        // What the guard prevents: the URL builder drops these segments without a word.
        let mut url = Url::parse("https://graph.example/v1.0").unwrap();
        url.path_segments_mut()
            .unwrap()
            .extend(["me", "events", ".."]);
        assert_eq!(url.path(), "/v1.0/me/events");
    }
}
