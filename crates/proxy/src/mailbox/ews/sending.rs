//! How a request reaches EWS: one POST classified by what it says about the request's fate,
//! idempotent operations retried within the budget, and CreateItem sent so that it never
//! creates twice.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use chrono::Utc;
use ews::EwsError;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::operations::find_item::{FindItem, FindItemResponse, FindItemResult};
use ews::types::{FolderId, Item, ItemId};
use reqwest::StatusCode;

use super::transport::SendError;
use super::{Acting, EwsMailbox, errors};
use crate::mailbox::retry::{self, Budget, RetryCause};
use crate::mailbox::{CreateOnce, MailboxError};

/// What one HTTP exchange with EWS came to.
pub(super) enum Attempt<T> {
    Done(T),
    /// Definitive failure: retrying cannot help.
    Failed(MailboxError),
    /// Exchange did not run the request (throttled, or it never got it); safe to resend.
    Retry(RetryCause),
    /// The request may have run but we did not get the answer.
    Unknown(String),
}

impl EwsMailbox {
    pub(super) fn envelope(&self, built: Result<String, EwsError>) -> Result<String, MailboxError> {
        built.map_err(errors::from_ews)
    }

    /// CreateItem that never creates twice: after an unknown outcome it looks for the item
    /// stamped with `client_request_id` before sending again. Exchange answers a CreateItem
    /// with the new ItemId only, so the id (with its ChangeKey) is what this returns.
    pub(super) async fn create(
        &self,
        acting: &Acting<'_>,
        request: &CreateItem,
        folder: FolderId,
        once: &CreateOnce,
    ) -> Result<ItemId, MailboxError> {
        let client_request_id = once.client_request_id.as_str();
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        let mut maybe_created = once.resumed;
        loop {
            if maybe_created
                && let Some(id) = self
                    .find_created(acting, &folder, client_request_id, &mut budget)
                    .await?
            {
                tracing::info!(
                    client_request_id,
                    "found the item of an earlier attempt; not creating it again"
                );
                return Ok(id);
            }
            let cause = match self.attempt(acting, &envelope, parse_create).await {
                Attempt::Done(id) => return Ok(id),
                Attempt::Failed(error) => return Err(error),
                Attempt::Retry(cause) => cause,
                Attempt::Unknown(reason) => {
                    maybe_created = true;
                    RetryCause::Transient { reason }
                }
            };
            let wait = budget.next_wait(cause)?;
            tracing::warn!(
                wait_ms = wait.as_millis() as u64,
                "CreateItem will be retried"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// The id of the item stamped with `client_request_id`, if an earlier attempt created it.
    async fn find_created(
        &self,
        acting: &Acting<'_>,
        folder: &FolderId,
        client_request_id: &str,
        budget: &mut Budget,
    ) -> Result<Option<ItemId>, MailboxError> {
        let find = FindItem::by_client_request_id(folder.clone(), client_request_id);
        let envelope = self.envelope(find.to_envelope(&acting.headers))?;
        let found = self.call(acting, &envelope, parse_find, budget).await?;
        Ok(found.items.first().and_then(Item::item_id).cloned())
    }

    /// An idempotent operation, retried while the budget allows.
    pub(super) async fn call<T>(
        &self,
        acting: &Acting<'_>,
        envelope: &str,
        parse: fn(&[u8]) -> Result<T, EwsError>,
        budget: &mut Budget,
    ) -> Result<T, MailboxError> {
        loop {
            let cause = match self.attempt(acting, envelope, parse).await {
                Attempt::Done(value) => return Ok(value),
                Attempt::Failed(error) => return Err(error),
                Attempt::Retry(cause) => cause,
                Attempt::Unknown(reason) => RetryCause::Transient { reason },
            };
            let wait = budget.next_wait(cause)?;
            tracing::warn!(
                wait_ms = wait.as_millis() as u64,
                "EWS request will be retried"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One POST to EWS, counted in the metrics by operation and outcome.
    pub(super) async fn attempt<T>(
        &self,
        acting: &Acting<'_>,
        envelope: &str,
        parse: fn(&[u8]) -> Result<T, EwsError>,
    ) -> Attempt<T> {
        let attempt = self.attempt_once(acting, envelope, parse).await;
        let outcome = match &attempt {
            Attempt::Done(_) => "ok",
            Attempt::Failed(_) => "error",
            Attempt::Retry(RetryCause::Throttled { .. }) => "throttled",
            Attempt::Retry(RetryCause::Transient { .. }) => "unreachable",
            Attempt::Unknown(_) => "unknown",
        };
        crate::telemetry::record_upstream(envelope, outcome);
        attempt
    }

    /// One POST to EWS, classified by what it tells us about the request's fate.
    async fn attempt_once<T>(
        &self,
        acting: &Acting<'_>,
        envelope: &str,
        parse: fn(&[u8]) -> Result<T, EwsError>,
    ) -> Attempt<T> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        );
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/xml"));
        // Routes the request to the impersonated user's mailbox server (Exchange requires it
        // with ExchangeImpersonation); the same verified address as the SOAP header.
        if let Some(anchor) = acting.headers.anchor_mailbox() {
            match HeaderValue::try_from(anchor) {
                Ok(value) => {
                    headers.insert("x-anchormailbox", value);
                }
                Err(_) => {
                    return Attempt::Failed(MailboxError::Invalid(
                        "the mailbox address cannot be sent in a header".into(),
                    ));
                }
            }
        }
        // Exchange logs it and echoes it back: one id finds the call on both sides.
        if let Some(request_id) = crate::telemetry::request_id()
            && let Ok(value) = HeaderValue::try_from(&*request_id)
        {
            headers.insert("client-request-id", value);
            headers.insert("return-client-request-id", HeaderValue::from_static("true"));
        }
        let route = &acting.route;
        let response = match route
            .transport
            .post(&route.endpoint, acting.token, headers, envelope)
            .await
        {
            Ok(response) => response,
            Err(SendError::NotSent(reason)) => {
                return Attempt::Retry(RetryCause::Transient { reason });
            }
            Err(SendError::Lost(reason)) => return Attempt::Unknown(reason),
            Err(SendError::Refused(error)) => return Attempt::Failed(error),
        };
        let status = response.status;
        let retry_after = response
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry::parse_retry_after(v, Utc::now()));
        match status {
            StatusCode::UNAUTHORIZED => return Attempt::Failed(MailboxError::Unauthorized),
            // Queued in IIS / rate-limited before EWS ran the request.
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => {
                return Attempt::Retry(RetryCause::Throttled { wait: retry_after });
            }
            _ => {}
        }
        let body = match response.body {
            Ok(body) => body,
            Err(reason) => return Attempt::Unknown(reason),
        };
        if status == StatusCode::OK || status == StatusCode::INTERNAL_SERVER_ERROR {
            return match parse(&body) {
                Ok(value) => Attempt::Done(value),
                // ErrorServerBusy, or (per Microsoft's throttling page) an ErrorInternalServerError
                // carrying an inner BackOffMilliseconds: the request was not run.
                Err(error) if error.is_server_busy() || error.back_off_milliseconds().is_some() => {
                    Attempt::Retry(RetryCause::Throttled {
                        wait: error.back_off_milliseconds().map(Duration::from_millis),
                    })
                }
                // Exchange failed inside: whatever it did before failing is unknown, and the
                // transient variant says outright that trying again may work.
                Err(error)
                    if matches!(
                        error.response_code(),
                        Some("ErrorInternalServerTransientError" | "ErrorInternalServerError")
                    ) =>
                {
                    Attempt::Unknown(error.to_string())
                }
                Err(error @ (EwsError::Fault { .. } | EwsError::Response(_))) => {
                    Attempt::Failed(errors::from_ews(error))
                }
                // A 500 that is not a SOAP fault (a crashed front end), or a garbled 200: the
                // request may or may not have run.
                Err(error) => {
                    Attempt::Unknown(format!("HTTP {status} with an unreadable body: {error}"))
                }
            };
        }
        if status.is_server_error() {
            // 502/504 from a gateway: the request may have reached Exchange.
            return Attempt::Unknown(format!("HTTP {status}"));
        }
        Attempt::Failed(errors::http_status(status.as_u16()))
    }
}

// The codec's error type is large; these run once per HTTP answer, so its size does not matter.
#[allow(clippy::result_large_err)]
fn parse_create(bytes: &[u8]) -> Result<ItemId, EwsError> {
    let item = CreateItemResponse::parse_response(bytes)?.into_single()?;
    item.item_id().cloned().ok_or_else(|| EwsError::Malformed {
        path: "CreateItemResponse/Items".into(),
        message: "the created item has no ItemId".into(),
    })
}

#[allow(clippy::result_large_err)]
pub(super) fn parse_find(bytes: &[u8]) -> Result<FindItemResult, EwsError> {
    FindItemResponse::parse_response(bytes)?.into_single()
}
