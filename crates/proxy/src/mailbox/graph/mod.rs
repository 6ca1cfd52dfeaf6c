//! The Microsoft Graph backend: Exchange Online calendars (`/me/events`, `/me/calendarView`)
//! and Microsoft To Do tasks (`/me/todo/lists/{id}/tasks`) over REST with the caller's token,
//! with the EWS backend's guarantees:
//!
//! * Throttling (429, 503/504 + Retry-After) is waited out within [`Budget`](crate::mailbox::retry::Budget), then
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
pub mod directory;
pub mod errors;
pub mod fields;
pub mod recurrence;
mod todo;
mod todo_wire;
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
        self.todo_page(&access.token, filter, sort, limit, cursor)
            .await
    }

    async fn appointment(&self, access: &Access, id: &str) -> Result<Appointment, MailboxError> {
        self.event(&access.token, id).await
    }

    async fn update_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        appointment: &PreparedAppointment,
    ) -> Result<Appointment, MailboxError> {
        self.update_event(&access.token, id, version, appointment)
            .await
    }

    async fn delete_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        self.delete_event(&access.token, id, version).await
    }

    async fn cancel_meeting(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        message: Option<&str>,
    ) -> Result<(), MailboxError> {
        self.cancel_event(&access.token, id, version, message).await
    }

    async fn reply_to_invitation(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        reply: &Reply,
    ) -> Result<(), MailboxError> {
        self.reply_to_event(&access.token, id, version, reply).await
    }

    async fn task(&self, access: &Access, id: &str) -> Result<Task, MailboxError> {
        self.todo_task(&access.token, id).await
    }

    async fn update_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        task: &NewTask,
    ) -> Result<Task, MailboxError> {
        self.update_todo_task(&access.token, id, version, task)
            .await
    }

    async fn delete_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        self.delete_todo_task(&access.token, id, version).await
    }

    async fn search_people(
        &self,
        access: &Access,
        query: &str,
    ) -> Result<Vec<Person>, MailboxError> {
        self.people(&access.token, query).await
    }

    async fn room_lists(&self, access: &Access) -> Result<Vec<Place>, MailboxError> {
        self.places(
            &access.token,
            &["places", "microsoft.graph.roomlist"],
            "graph.roomLists",
        )
        .await
    }

    async fn rooms(&self, access: &Access, room_list: &str) -> Result<Vec<Place>, MailboxError> {
        self.places(
            &access.token,
            &[
                "places",
                transport::segment(room_list)?,
                "microsoft.graph.roomlist",
                "rooms",
            ],
            "graph.rooms",
        )
        .await
    }

    async fn availability(
        &self,
        access: &Access,
        addresses: &[String],
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Schedule>, MailboxError> {
        self.schedules(&access.token, addresses, start, end).await
    }
}
