//! The EWS backend: builds requests with the `ews` codec, sends them to Exchange with the
//! caller's token, survives throttling, and never creates an item twice.
//!
//! * Throttling (ErrorServerBusy + BackOffMilliseconds, HTTP 503/429 + Retry-After): wait as
//!   told and retry, within [`retry::Budget`]; then [`MailboxError::Throttled`].
//! * Unknown outcome of a CreateItem (timeout, connection lost after sending, a 5xx without an
//!   EWS answer): every created item carries a client request id in an extended property, so
//!   before trying again we look for it with a FindItem restriction and return what we find.
//! * Reads (FindItem, GetItem) are idempotent and simply retried.
//!
//! EWS operations: <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-operations-in-exchange>

mod changes;
mod directory;
mod errors;
mod listing;
mod mapping;
mod meeting;

use std::time::Duration;

use axum::http::header;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::operations::find_item::{FindItem, FindItemResponse, FindItemResult};
use ews::types::{FolderId, Item, ItemId, SendMeetingInvitations};
use ews::{EwsError, RequestHeaders};
use model::{
    Appointment, CalendarWindow, NewTask, Page, PageLimit, Person, Place, Reply, Schedule, Task,
    TaskFilter, TaskSort,
};
use reqwest::StatusCode;
use secrecy::SecretString;
use url::Url;

use super::paging::{CalendarCursor, TaskCursor};
use super::retry::{Budget, RetryCause, RetryPolicy};
use super::upstream::{self, describe, read_limited};
use super::{Access, CreateOnce, ItemVersion, MailboxBackend, MailboxError, PreparedAppointment};
use crate::config::{EwsConfig, ServerVersion};

/// What one HTTP exchange with EWS came to.
enum Attempt<T> {
    Done(T),
    /// Definitive failure: retrying cannot help.
    Failed(MailboxError),
    /// Exchange did not run the request (throttled, or it never got it); safe to resend.
    Retry(RetryCause),
    /// The request may have run but we did not get the answer.
    Unknown(String),
}

pub struct EwsMailbox {
    http: reqwest::Client,
    endpoint: Url,
    headers: RequestHeaders,
    policy: RetryPolicy,
}

fn exchange_version(version: ServerVersion) -> ews::types::ExchangeVersion {
    use ews::types::ExchangeVersion as V;
    match version {
        ServerVersion::Exchange2013 => V::Exchange2013,
        ServerVersion::Exchange2013Sp1 => V::Exchange2013Sp1,
        ServerVersion::Exchange2016 => V::Exchange2016,
    }
}

impl EwsMailbox {
    pub fn new(endpoint: Url, config: &EwsConfig) -> Result<Self, reqwest::Error> {
        // Redirects are not followed: a redirected EWS POST would resend the bearer token to
        // wherever the redirect points.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("exchange-forms-proxy/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let mut headers = RequestHeaders::new(exchange_version(config.server_version));
        if let Some(smtp) = &config.impersonation {
            headers = headers.impersonate(smtp.clone());
        }
        let policy = RetryPolicy {
            max_retries: config.max_retries,
            budget: config.retry_budget,
        };
        Ok(Self {
            http,
            endpoint,
            headers,
            policy,
        })
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }
}

#[async_trait::async_trait]
impl MailboxBackend for EwsMailbox {
    fn name(&self) -> &'static str {
        "ews"
    }

    /// Uses this backend's own connections and its no-redirect policy.
    async fn answers(&self, timeout: Duration) -> Result<(), String> {
        upstream::answers(&self.http, self.endpoint.clone(), timeout).await
    }

    async fn create_appointment(
        &self,
        access: &Access,
        appointment: &PreparedAppointment,
        once: &CreateOnce,
    ) -> Result<Appointment, MailboxError> {
        let invitations = if appointment.details.invites_anyone() {
            SendMeetingInvitations::SendToAllAndSaveCopy
        } else {
            SendMeetingInvitations::SendToNone
        };
        let request = CreateItem::calendar_item(
            mapping::calendar_item(appointment, &once.client_request_id),
            invitations,
        );
        let id = self
            .create(&access.token, &request, FolderId::calendar(), once)
            .await?;
        Ok(appointment.created(id.id, id.change_key.unwrap_or_default()))
    }

    async fn calendar_page(
        &self,
        access: &Access,
        window: CalendarWindow,
        limit: PageLimit,
        cursor: Option<CalendarCursor>,
    ) -> Result<Page<Appointment>, MailboxError> {
        self.calendar_view_page(&access.token, window, limit, cursor)
            .await
    }

    async fn appointment(&self, access: &Access, id: &str) -> Result<Appointment, MailboxError> {
        self.get_appointment(&access.token, id).await
    }

    async fn update_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        appointment: &PreparedAppointment,
    ) -> Result<Appointment, MailboxError> {
        self.update_calendar_item(&access.token, id, version, appointment)
            .await
    }

    async fn delete_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        self.delete(&access.token, id, version, true).await
    }

    async fn cancel_meeting(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        message: Option<&str>,
    ) -> Result<(), MailboxError> {
        self.cancel(&access.token, id, version, message).await
    }

    async fn reply_to_invitation(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        reply: &Reply,
    ) -> Result<(), MailboxError> {
        self.reply(&access.token, id, version, reply).await
    }

    async fn search_people(
        &self,
        access: &Access,
        query: &str,
    ) -> Result<Vec<Person>, MailboxError> {
        self.resolve_people(&access.token, query).await
    }

    async fn room_lists(&self, access: &Access) -> Result<Vec<Place>, MailboxError> {
        self.list_room_lists(&access.token).await
    }

    async fn rooms(&self, access: &Access, room_list: &str) -> Result<Vec<Place>, MailboxError> {
        self.list_rooms(&access.token, room_list).await
    }

    async fn availability(
        &self,
        access: &Access,
        addresses: &[String],
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Schedule>, MailboxError> {
        self.free_busy(&access.token, addresses, start, end).await
    }

    async fn task(&self, access: &Access, id: &str) -> Result<Task, MailboxError> {
        self.get_task(&access.token, id).await
    }

    async fn update_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        task: &NewTask,
    ) -> Result<Task, MailboxError> {
        self.update_task_item(&access.token, id, version, task)
            .await
    }

    async fn delete_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        self.delete(&access.token, id, version, false).await
    }

    async fn create_task(
        &self,
        access: &Access,
        task: &NewTask,
        once: &CreateOnce,
    ) -> Result<Task, MailboxError> {
        let request = CreateItem::task(mapping::task_to_ews(task, &once.client_request_id));
        let id = self
            .create(&access.token, &request, FolderId::tasks(), once)
            .await?;
        Ok(mapping::created_task(task, id))
    }

    async fn task_page(
        &self,
        access: &Access,
        filter: TaskFilter,
        sort: TaskSort,
        limit: PageLimit,
        cursor: Option<TaskCursor>,
    ) -> Result<Page<Task>, MailboxError> {
        self.tasks_folder_page(&access.token, filter, sort, limit, cursor)
            .await
    }
}

impl EwsMailbox {
    fn envelope(&self, built: Result<String, EwsError>) -> Result<String, MailboxError> {
        built.map_err(errors::from_ews)
    }

    /// CreateItem that never creates twice: after an unknown outcome it looks for the item
    /// stamped with `client_request_id` before sending again. Exchange answers a CreateItem
    /// with the new ItemId only, so the id (with its ChangeKey) is what this returns.
    async fn create(
        &self,
        token: &SecretString,
        request: &CreateItem,
        folder: FolderId,
        once: &CreateOnce,
    ) -> Result<ItemId, MailboxError> {
        let client_request_id = once.client_request_id.as_str();
        let envelope = self.envelope(request.to_envelope(&self.headers))?;
        let mut budget = Budget::new(self.policy);
        let mut maybe_created = once.resumed;
        loop {
            if maybe_created
                && let Some(id) = self
                    .find_created(token, &folder, client_request_id, &mut budget)
                    .await?
            {
                tracing::info!(
                    client_request_id,
                    "found the item of an earlier attempt; not creating it again"
                );
                return Ok(id);
            }
            let cause = match self.attempt(token, &envelope, parse_create).await {
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
        token: &SecretString,
        folder: &FolderId,
        client_request_id: &str,
        budget: &mut Budget,
    ) -> Result<Option<ItemId>, MailboxError> {
        let find = FindItem::by_client_request_id(folder.clone(), client_request_id);
        let envelope = self.envelope(find.to_envelope(&self.headers))?;
        let found = self.call(token, &envelope, parse_find, budget).await?;
        Ok(found.items.first().and_then(Item::item_id).cloned())
    }

    /// An idempotent operation, retried while the budget allows.
    async fn call<T>(
        &self,
        token: &SecretString,
        envelope: &str,
        parse: fn(&[u8]) -> Result<T, EwsError>,
        budget: &mut Budget,
    ) -> Result<T, MailboxError> {
        loop {
            let cause = match self.attempt(token, envelope, parse).await {
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
    async fn attempt<T>(
        &self,
        token: &SecretString,
        envelope: &str,
        parse: fn(&[u8]) -> Result<T, EwsError>,
    ) -> Attempt<T> {
        let attempt = self.attempt_once(token, envelope, parse).await;
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
        token: &SecretString,
        envelope: &str,
        parse: fn(&[u8]) -> Result<T, EwsError>,
    ) -> Attempt<T> {
        let Some(authorization) = upstream::bearer(token) else {
            return Attempt::Failed(MailboxError::Unauthorized);
        };
        let mut request = self
            .http
            .post(self.endpoint.clone())
            .header(header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header(header::ACCEPT, "text/xml")
            .header(header::AUTHORIZATION, authorization)
            .body(envelope.to_owned());
        if let Some(anchor) = self.headers.anchor_mailbox() {
            request = request.header("X-AnchorMailbox", anchor);
        }
        let response = match upstream::with_request_id(request).send().await {
            Ok(response) => response,
            // Refused before anything was sent: Exchange cannot have run it.
            Err(e) if e.is_connect() => {
                return Attempt::Retry(RetryCause::Transient {
                    reason: describe(&e),
                });
            }
            Err(e) => return Attempt::Unknown(describe(&e)),
        };
        let status = response.status();
        let retry_after = upstream::retry_after(response.headers());
        match status {
            StatusCode::UNAUTHORIZED => return Attempt::Failed(MailboxError::Unauthorized),
            // Queued in IIS / rate-limited before EWS ran the request.
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => {
                return Attempt::Retry(RetryCause::Throttled { wait: retry_after });
            }
            _ => {}
        }
        let body = match read_limited(response).await {
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
fn parse_find(bytes: &[u8]) -> Result<FindItemResult, EwsError> {
    FindItemResponse::parse_response(bytes)?.into_single()
}
