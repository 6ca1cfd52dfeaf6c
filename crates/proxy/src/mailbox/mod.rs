//! The mailbox seam: everything the forms need from a mailbox, whichever protocol reaches it.
//!
//! Routes know only [`MailboxBackend`], model types and [`MailboxError`]; the EWS backend
//! ([`ews`]) turns them into SOAP, another backend into its own protocol. Paging cursors and
//! the retry budget are shared, so every backend pages and backs off the same way.

mod appointment;
mod error;
pub mod ews;
pub mod paging;
pub mod retry;

use std::sync::Arc;
use std::time::Duration;

use model::{Appointment, CalendarWindow, NewTask, Page, PageLimit, Task};
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

    async fn create_task(
        &self,
        access: &Access,
        task: &NewTask,
        once: &CreateOnce,
    ) -> Result<Task, MailboxError>;

    /// The page of the user's tasks after `cursor`, newest first (what was just created is
    /// on the first page).
    async fn task_page(
        &self,
        access: &Access,
        limit: PageLimit,
        cursor: Option<TaskCursor>,
    ) -> Result<Page<Task>, MailboxError>;
}

pub type SharedMailbox = Arc<dyn MailboxBackend>;
