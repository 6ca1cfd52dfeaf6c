//! The mailbox seam: everything the forms need from a mailbox, whichever protocol reaches it.
//!
//! Routes know only [`MailboxBackend`], model types and [`MailboxError`]; the EWS backend
//! ([`ews`]) turns them into SOAP, the Graph backend ([`graph`]) into Microsoft Graph REST. Paging cursors and
//! the retry budget are shared, so every backend pages and backs off the same way.

mod appointment;
mod error;
pub mod ews;
pub mod graph;
pub mod paging;
pub mod retry;
pub mod upstream;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use model::{
    Appointment, CalendarWindow, NewTask, Page, PageLimit, Person, Place, Reply, Schedule, Task,
    TaskFilter, TaskSort,
};
use secrecy::SecretString;

pub use appointment::PreparedAppointment;
pub use error::MailboxError;
use paging::{CalendarCursor, TaskCursor};

/// On whose behalf a backend acts: the signed-in user's access token for the mailbox server,
/// and their mailbox address as their sign-in verified it (a backend that signs in with a
/// service account acts for this mailbox and no other; see [`crate::session::Caller::mailbox`]).
pub struct Access {
    pub token: SecretString,
    pub mailbox: Option<String>,
}

/// Which version of an item a change applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemVersion {
    /// The version the user saw (EWS ChangeKey, Graph ETag): a newer one is a conflict.
    Exactly(String),
    /// Whatever is stored now: the user chose to overwrite a concurrent change.
    Any,
}

/// A create that must happen at most once. Every created item is stamped with
/// `client_request_id`; `resumed` says an earlier attempt with the same id may have created
/// it already (its outcome was never recorded), so the backend looks for it before creating.
#[derive(Clone, Debug)]
pub struct CreateOnce {
    pub client_request_id: String,
    pub resumed: bool,
}

#[async_trait::async_trait]
pub trait MailboxBackend: Send + Sync + 'static {
    /// Short name for logs and metrics (`ews`, `graph`).
    fn name(&self) -> &'static str;

    /// Whether the mailbox server answers at all within `timeout` (readiness): any HTTP
    /// status counts, since it answers unauthenticated requests with 401.
    async fn answers(&self, timeout: Duration) -> Result<(), String>;

    async fn create_appointment(
        &self,
        access: &Access,
        appointment: &PreparedAppointment,
        once: &CreateOnce,
    ) -> Result<Appointment, MailboxError>;

    /// The page of `window` after `cursor` (the first page without one): at most `limit`
    /// appointments in start order, occurrences of recurring series expanded.
    async fn calendar_page(
        &self,
        access: &Access,
        window: CalendarWindow,
        limit: PageLimit,
        cursor: Option<CalendarCursor>,
    ) -> Result<Page<Appointment>, MailboxError>;

    /// One appointment (an occurrence or a single item) by id.
    async fn appointment(&self, access: &Access, id: &str) -> Result<Appointment, MailboxError>;

    /// Replaces the appointment's fields with `appointment`'s, if it is still at `version`;
    /// attendees of a meeting get the update.
    async fn update_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        appointment: &PreparedAppointment,
    ) -> Result<Appointment, MailboxError>;

    /// Deletes an appointment (attendees of a meeting the user organises are told it is off).
    async fn delete_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError>;

    /// The organiser cancels a meeting, with a note to the attendees.
    async fn cancel_meeting(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        message: Option<&str>,
    ) -> Result<(), MailboxError>;

    /// The invitee accepts, tentatively accepts or declines, with a note to the organiser.
    async fn reply_to_invitation(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        reply: &Reply,
    ) -> Result<(), MailboxError>;

    async fn create_task(
        &self,
        access: &Access,
        task: &NewTask,
        once: &CreateOnce,
    ) -> Result<Task, MailboxError>;

    async fn task(&self, access: &Access, id: &str) -> Result<Task, MailboxError>;

    /// Replaces the task's fields with `task`'s, if it is still at `version`.
    async fn update_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        task: &NewTask,
    ) -> Result<Task, MailboxError>;

    async fn delete_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError>;

    /// People (and rooms) whose name or address matches `query`, from the directory and the
    /// user's contacts.
    async fn search_people(
        &self,
        access: &Access,
        query: &str,
    ) -> Result<Vec<Person>, MailboxError>;

    async fn room_lists(&self, access: &Access) -> Result<Vec<Place>, MailboxError>;

    async fn rooms(&self, access: &Access, room_list: &str) -> Result<Vec<Place>, MailboxError>;

    /// Free/busy of each address over [start, end), in the order asked.
    async fn availability(
        &self,
        access: &Access,
        addresses: &[String],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Schedule>, MailboxError>;

    /// The page of the user's tasks after `cursor`: those `filter` keeps, in `sort` order
    /// (newest first by default, so what was just created is on the first page).
    async fn task_page(
        &self,
        access: &Access,
        filter: TaskFilter,
        sort: TaskSort,
        limit: PageLimit,
        cursor: Option<TaskCursor>,
    ) -> Result<Page<Task>, MailboxError>;
}

pub type SharedMailbox = Arc<dyn MailboxBackend>;

/// The cheapest real read the forms depend on: the first appointment of the next day. It
/// proves that `access` opens the mailbox and its calendar (configuration checks).
pub async fn read_probe(backend: &dyn MailboxBackend, access: &Access) -> Result<(), MailboxError> {
    let now = chrono::Utc::now();
    let window = CalendarWindow {
        start: now,
        end: now + chrono::Duration::days(1),
    };
    let limit = PageLimit::parse(Some("1"))
        .map_err(|_| MailboxError::Invalid("a page of one item".into()))?;
    backend
        .calendar_page(access, window, limit, None)
        .await
        .map(drop)
}
