//! The Microsoft Graph backend: Exchange Online calendars (`/me/events`, `/me/calendarView`)
//! and Microsoft To Do tasks (`/me/todo/lists/{id}/tasks`) over REST with the caller's token,
//! with the EWS backend's guarantees:
//!
//! * Throttling (429, 503/504 + Retry-After) is waited out within [`retry::Budget`], then
//!   reported as [`MailboxError::Throttled`].
//! * A create whose outcome is unknown is looked up by its client request id before it is
//!   sent again, so nothing is created twice (events: `transactionId` plus a single-value
//!   extended property; tasks: a linked resource, see `todo.rs`).
//! * Reads are idempotent and simply retried; pages never stop silently at a server cap.
//! * The request id travels as `client-request-id`; every exchange is counted in the
//!   upstream metrics as `graph.<operation>`.
//!
//! Graph REST API v1.0: <https://learn.microsoft.com/graph/api/overview>

mod calendar;
pub mod errors;
mod todo;
mod transport;
pub mod wire;

use std::time::Duration;

use model::{
    Appointment, CalendarWindow, NewTask, Page, PageLimit, Person, Place, Reply, Schedule, Task,
    TaskFilter, TaskSort,
};
use url::Url;

use super::paging::{CalendarCursor, TaskCursor};
use super::retry::RetryPolicy;
use super::{Access, CreateOnce, ItemVersion, MailboxBackend, MailboxError, PreparedAppointment};
use crate::config::GraphConfig;

pub struct GraphMailbox {
    http: reqwest::Client,
    endpoint: Url,
    todo_list_id: Option<String>,
    policy: RetryPolicy,
    lists: todo::ListCache,
}

impl GraphMailbox {
    pub fn new(config: &GraphConfig) -> Result<Self, reqwest::Error> {
        // Redirects are not followed: a redirected request would resend the bearer token to
        // wherever the redirect points.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("exchange-forms-proxy/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            endpoint: config.endpoint.clone(),
            todo_list_id: config.todo_list_id.clone(),
            policy: RetryPolicy {
                max_retries: config.max_retries,
                budget: config.retry_budget,
            },
            lists: todo::ListCache::default(),
        })
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }
}

#[async_trait::async_trait]
impl MailboxBackend for GraphMailbox {
    fn name(&self) -> &'static str {
        "graph"
    }

    async fn answers(&self, timeout: Duration) -> Result<(), String> {
        super::upstream::answers(&self.http, self.endpoint.clone(), timeout).await
    }

    async fn create_appointment(
        &self,
        access: &Access,
        appointment: &PreparedAppointment,
        once: &CreateOnce,
    ) -> Result<Appointment, MailboxError> {
        self.create_event(&access.token, appointment, once).await
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

    async fn create_task(
        &self,
        access: &Access,
        task: &NewTask,
        once: &CreateOnce,
    ) -> Result<Task, MailboxError> {
        self.create_todo_task(&access.token, task, once).await
    }

    async fn task_page(
        &self,
        access: &Access,
        filter: TaskFilter,
        sort: TaskSort,
        limit: PageLimit,
        cursor: Option<TaskCursor>,
    ) -> Result<Page<Task>, MailboxError> {
        if (filter, sort) != (TaskFilter::All, TaskSort::Created) {
            return Err(not_yet("filtering and sorting tasks"));
        }
        self.todo_page(&access.token, limit, cursor).await
    }

    async fn appointment(&self, _access: &Access, _id: &str) -> Result<Appointment, MailboxError> {
        Err(not_yet("reading one event"))
    }

    async fn update_appointment(
        &self,
        _access: &Access,
        _id: &str,
        _version: &ItemVersion,
        _appointment: &PreparedAppointment,
    ) -> Result<Appointment, MailboxError> {
        Err(not_yet("editing events"))
    }

    async fn delete_appointment(
        &self,
        _access: &Access,
        _id: &str,
        _version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        Err(not_yet("deleting events"))
    }

    async fn cancel_meeting(
        &self,
        _access: &Access,
        _id: &str,
        _version: &ItemVersion,
        _message: Option<&str>,
    ) -> Result<(), MailboxError> {
        Err(not_yet("cancelling meetings"))
    }

    async fn reply_to_invitation(
        &self,
        _access: &Access,
        _id: &str,
        _version: &ItemVersion,
        _reply: &Reply,
    ) -> Result<(), MailboxError> {
        Err(not_yet("answering invitations"))
    }

    async fn task(&self, _access: &Access, _id: &str) -> Result<Task, MailboxError> {
        Err(not_yet("reading one task"))
    }

    async fn update_task(
        &self,
        _access: &Access,
        _id: &str,
        _version: &ItemVersion,
        _task: &NewTask,
    ) -> Result<Task, MailboxError> {
        Err(not_yet("editing tasks"))
    }

    async fn delete_task(
        &self,
        _access: &Access,
        _id: &str,
        _version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        Err(not_yet("deleting tasks"))
    }

    async fn search_people(
        &self,
        _access: &Access,
        _query: &str,
    ) -> Result<Vec<Person>, MailboxError> {
        Err(not_yet("searching people"))
    }

    async fn room_lists(&self, _access: &Access) -> Result<Vec<Place>, MailboxError> {
        Err(not_yet("listing rooms"))
    }

    async fn rooms(&self, _access: &Access, _room_list: &str) -> Result<Vec<Place>, MailboxError> {
        Err(not_yet("listing rooms"))
    }

    async fn availability(
        &self,
        _access: &Access,
        _addresses: &[String],
        _start: chrono::DateTime<chrono::Utc>,
        _end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Schedule>, MailboxError> {
        Err(not_yet("free/busy"))
    }
}

/// What the Graph backend does not do yet, said plainly (the EWS backend does it).
fn not_yet(what: &str) -> MailboxError {
    MailboxError::Unsupported(format!(
        "The Microsoft Graph backend does not support {what} yet; the EWS backend does."
    ))
}
