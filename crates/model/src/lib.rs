//! The domain shared by the widget (compiled to wasm32) and the proxy (native).
//!
//! Validation lives here once: the widget calls `parse()` to show inline errors before it
//! sends anything, and the proxy calls the same `parse()` as the authoritative check.
//! Drafts (`AppointmentDraft`, `TaskDraft`) are what a form holds and what the JSON API
//! accepts: plain strings, exactly as typed. `parse()` turns a draft into a validated
//! value (`NewAppointment`, `NewTask`) or into `FieldErrors` keyed by the draft's JSON
//! field names, so that each message lands next to the input that caused it.
//!
//! This crate depends on serde and chrono only, so it stays small in the wasm bundle; dates
//! and times are read by `time_text` rather than chrono's format-string parsers for the same
//! reason.

pub mod answers;
pub mod api;
pub mod appointment;
pub mod directory;
pub mod fields;
pub mod meeting;
pub mod page;
pub mod recurrence;
pub mod task;
mod time_text;

pub use answers::{CancelDraft, Reply, ReplyDraft, ReplyKind};
pub use api::{ApiErrorBody, AuthStatus, CalendarWindow, ErrorCode};
pub use appointment::{Appointment, AppointmentDraft, MeetingDetails, NewAppointment};
pub use directory::{
    Availability, AvailabilityDraft, AvailabilityQuery, BusySlot, Person, Place, Schedule, Slot,
};
pub use fields::{Field, FieldErrors, Problem, Subject, TimeZoneName};
pub use meeting::{Attendee, Importance, ResponseStatus, ShowAs};
pub use page::{Page, PageLimit};
pub use recurrence::{
    Ends, Pattern, Recurrence, RecurrenceDraft, RecurrenceEnd, Repeat, WeekOfMonth, Weekday,
};
pub use task::{NewTask, Task, TaskDraft, TaskFilter, TaskSort, TaskStatus};
/// The readers behind the serde attributes of the date and time fields, for clients that
/// read the API's JSON without serde (the widget).
pub use time_text::{date_with_spaces, rfc3339_instant};
