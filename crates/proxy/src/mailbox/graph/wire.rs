//! Microsoft Graph's JSON: the bodies we send and the parts of Graph's answers we read, with
//! their conversions from and to the model. Only properties Microsoft documents for the
//! resources are sent (the test suite checks them against the documented property tables).
//!
//! Resources: event <https://learn.microsoft.com/graph/api/resources/event>, todoTask
//! <https://learn.microsoft.com/graph/api/resources/todotask>, dateTimeTimeZone, itemBody,
//! location, singleValueLegacyExtendedProperty, linkedResource, todoTaskList.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use model::{Appointment, NewTask, Task, TaskStatus};
use serde::{Deserialize, Serialize};

use crate::mailbox::{MailboxError, PreparedAppointment};

/// The MAPI named property (our property set, name `ExchangeFormsClientRequestId`) that the EWS
/// backend stamps on items as well, in Graph's id syntax: an event created through either
/// protocol is found by the other.
pub fn client_request_id_property() -> String {
    format!(
        "String {{{}}} Name {}",
        ews::types::EXCHANGE_FORMS_PROPERTY_SET,
        ews::types::CLIENT_REQUEST_ID_PROPERTY
    )
}

/// The `applicationName` of the linked resource that marks the tasks this proxy creates.
pub const LINKED_APPLICATION: &str = "exchange-forms";

/// `dateTimeTimeZone`: a wall-clock time and the zone it is read in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    pub date_time: String,
    #[serde(default)]
    pub time_zone: String,
}

impl DateTimeTimeZone {
    fn at(local: NaiveDateTime, zone: &str) -> Self {
        Self {
            date_time: local.format("%Y-%m-%dT%H:%M:%S").to_string(),
            time_zone: zone.to_owned(),
        }
    }

    /// `instant` as the wall-clock time of the form's IANA zone, named by its Windows id: the
    /// dateTimeTimeZone page accepts "any of the time zones supported by Windows" but only a
    /// listed subset of IANA names. UTC when the zone has no Windows id, or when the wall time
    /// is ambiguous there (a fall-back hour), so that Graph cannot pick the other instant.
    pub fn in_zone(instant: DateTime<Utc>, iana: &str) -> Self {
        let utc = || Self::at(instant.naive_utc(), "UTC");
        let Some(windows) = ews::time_zone::iana_to_windows(iana) else {
            return utc();
        };
        match ews::time_zone::utc_to_local(instant, iana) {
            Ok(local) if ews::time_zone::local_to_utc(local, iana).ok() == Some(instant) => {
                Self::at(local, windows)
            }
            _ => utc(),
        }
    }

    /// The instant this names: `UTC` (what `Prefer: outlook.timezone="UTC"` asks for), an IANA
    /// name or a Windows zone id. `None` for a time or zone we cannot read.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        let text = self.date_time.trim();
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
            .ok()?;
        let zone = self.time_zone.trim();
        if zone.is_empty() || zone.eq_ignore_ascii_case("UTC") || zone == "Etc/UTC" {
            return Some(local.and_utc());
        }
        let iana = match ews::time_zone::parse_zone(zone) {
            Ok(_) => zone,
            Err(_) => ews::time_zone::windows_to_iana(zone, None)?,
        };
        ews::time_zone::local_to_utc_shifting_gaps(local, iana).ok()
    }
}

/// `itemBody`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    #[serde(default)]
    pub content_type: String,
    #[serde(default)]
    pub content: String,
}

impl ItemBody {
    fn text(content: &str) -> Self {
        Self {
            content_type: "text".into(),
            content: content.to_owned(),
        }
    }
}

/// `location` (only its name: the form has one free-text field).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(default)]
    pub display_name: String,
}

/// `singleValueLegacyExtendedProperty`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendedProperty {
    pub id: String,
    pub value: String,
}

/// The body of `POST /me/events`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEvent {
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<ItemBody>,
    pub start: DateTimeTimeZone,
    pub end: DateTimeTimeZone,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Graph's own guard against a retried POST creating the event twice.
    pub transaction_id: String,
    /// The same id, where a `$filter` can find it (transactionId is not documented as
    /// filterable; extended properties are).
    pub single_value_extended_properties: Vec<ExtendedProperty>,
}

impl NewEvent {
    pub fn new(appointment: &PreparedAppointment, client_request_id: &str) -> Self {
        Self {
            subject: appointment.subject.clone(),
            body: appointment.body.as_deref().map(ItemBody::text),
            start: DateTimeTimeZone::in_zone(appointment.start, &appointment.time_zone),
            end: DateTimeTimeZone::in_zone(appointment.end, &appointment.time_zone),
            location: appointment
                .location
                .as_ref()
                .filter(|l| !l.is_empty())
                .map(|name| Location {
                    display_name: name.clone(),
                }),
            transaction_id: client_request_id.to_owned(),
            single_value_extended_properties: vec![ExtendedProperty {
                id: client_request_id_property(),
                value: client_request_id.to_owned(),
            }],
        }
    }
}

/// An `event` as Graph answers it (the properties we read).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    #[serde(default)]
    pub change_key: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<ItemBody>,
    #[serde(default)]
    pub start: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub end: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub location: Option<Location>,
}

impl Event {
    pub fn to_appointment(&self) -> Result<Appointment, MailboxError> {
        let instant = |value: &Option<DateTimeTimeZone>, name: &str| {
            value
                .as_ref()
                .and_then(DateTimeTimeZone::to_utc)
                .ok_or_else(|| {
                    MailboxError::Unreadable(format!(
                        "event {} has no readable {name} ({value:?})",
                        self.id
                    ))
                })
        };
        Ok(Appointment {
            id: self.id.clone(),
            change_key: self.change_key.clone().unwrap_or_default(),
            subject: self.subject.clone().unwrap_or_default(),
            start: instant(&self.start, "start")?,
            end: instant(&self.end, "end")?,
            location: self
                .location
                .as_ref()
                .map(|l| l.display_name.clone())
                .unwrap_or_default(),
            body: self
                .body
                .as_ref()
                .map(|b| b.content.clone())
                .unwrap_or_default(),
            ..Appointment::default()
        })
    }
}

/// A page of a collection: `value` and, when more follow, `@odata.nextLink`.
#[derive(Clone, Debug, Deserialize)]
pub struct Collection<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// Graph's `taskStatus`: the same five states as ours, in camelCase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GraphTaskStatus {
    NotStarted,
    InProgress,
    Completed,
    WaitingOnOthers,
    Deferred,
}

impl From<TaskStatus> for GraphTaskStatus {
    fn from(status: TaskStatus) -> Self {
        match status {
            TaskStatus::NotStarted => Self::NotStarted,
            TaskStatus::InProgress => Self::InProgress,
            TaskStatus::Completed => Self::Completed,
            TaskStatus::WaitingOnOthers => Self::WaitingOnOthers,
            TaskStatus::Deferred => Self::Deferred,
        }
    }
}

impl From<GraphTaskStatus> for TaskStatus {
    fn from(status: GraphTaskStatus) -> Self {
        match status {
            GraphTaskStatus::NotStarted => Self::NotStarted,
            GraphTaskStatus::InProgress => Self::InProgress,
            GraphTaskStatus::Completed => Self::Completed,
            GraphTaskStatus::WaitingOnOthers => Self::WaitingOnOthers,
            GraphTaskStatus::Deferred => Self::Deferred,
        }
    }
}

/// `linkedResource`: "ID of the object that is associated with this task on the
/// third-party/partner system" — for us, the create's client request id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedResource {
    #[serde(default)]
    pub application_name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub external_id: String,
}

/// The body of `POST /me/todo/lists/{id}/tasks`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTodoTask {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<ItemBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date_time: Option<DateTimeTimeZone>,
    pub status: GraphTaskStatus,
    /// To Do has no transactionId and todoTask no extended properties (its resource is not
    /// an open type): a linked resource created with the task in the same POST, naming our
    /// client request id as its `externalId`, is the documented way to tie a task to an
    /// outside object, and comes back when tasks are listed. See `todo.rs`.
    pub linked_resources: Vec<LinkedResource>,
}

impl NewTodoTask {
    /// A due date is a day: midnight UTC of it (read back with [`nearest_day`]).
    pub fn new(task: &NewTask, client_request_id: &str) -> Self {
        Self {
            title: task.subject.as_str().to_owned(),
            body: task.body.as_deref().map(ItemBody::text),
            due_date_time: task
                .due_date
                .map(|day| DateTimeTimeZone::at(day.and_time(NaiveTime::MIN), "UTC")),
            status: task.status.into(),
            linked_resources: vec![LinkedResource {
                application_name: LINKED_APPLICATION.into(),
                display_name: LINKED_APPLICATION.into(),
                external_id: client_request_id.to_owned(),
            }],
        }
    }
}

/// A `todoTask` as Graph answers it (the properties we read).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TodoTask {
    pub id: String,
    #[serde(rename = "@odata.etag", default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<ItemBody>,
    #[serde(default)]
    pub due_date_time: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub status: Option<GraphTaskStatus>,
    #[serde(default)]
    pub created_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub linked_resources: Vec<LinkedResource>,
}

/// The day a due date names: the nearest midnight, so that To Do's "local midnight" in any
/// zone between UTC-11 and UTC+11 reads as the day the user picked.
fn nearest_day(value: &DateTimeTimeZone) -> Option<NaiveDate> {
    value
        .to_utc()
        .map(|instant| (instant + Duration::hours(12)).date_naive())
}

impl TodoTask {
    pub fn to_task(&self) -> Task {
        Task {
            id: self.id.clone(),
            change_key: self.etag.clone().unwrap_or_default(),
            subject: self.title.clone().unwrap_or_default(),
            due_date: self.due_date_time.as_ref().and_then(nearest_day),
            status: self.status.map(TaskStatus::from).unwrap_or_default(),
            body: self
                .body
                .as_ref()
                .map(|b| b.content.clone())
                .unwrap_or_default(),
            ..Task::default()
        }
    }

    /// Whether this is the task a create with `client_request_id` made.
    pub fn made_by(&self, client_request_id: &str) -> bool {
        self.linked_resources
            .iter()
            .any(|r| r.application_name == LINKED_APPLICATION && r.external_id == client_request_id)
    }
}

/// A `todoTaskList` (the properties we read).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TodoTaskList {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub wellknown_list_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn times_go_out_in_the_forms_zone_by_its_windows_name() {
        let paris = DateTimeTimeZone::in_zone(utc("2026-12-01T08:00:00Z"), "Europe/Paris");
        assert_eq!(paris.date_time, "2026-12-01T09:00:00");
        assert_eq!(paris.time_zone, "Romance Standard Time");
        assert_eq!(paris.to_utc(), Some(utc("2026-12-01T08:00:00Z")));
        // 02:30 happens twice in Paris on 25 October 2026: sent as UTC, never ambiguous.
        let second = utc("2026-10-25T01:30:00Z");
        let ambiguous = DateTimeTimeZone::in_zone(second, "Europe/Paris");
        assert_eq!(ambiguous.time_zone, "UTC");
        assert_eq!(ambiguous.to_utc(), Some(second));
    }

    #[test]
    fn graph_times_read_in_utc_windows_and_iana_zones() {
        let read = |date_time: &str, zone: &str| {
            DateTimeTimeZone {
                date_time: date_time.into(),
                time_zone: zone.into(),
            }
            .to_utc()
        };
        let at = Some(utc("2017-04-15T18:00:00Z"));
        assert_eq!(read("2017-04-15T18:00:00.0000000", "UTC"), at);
        assert_eq!(
            read("2017-04-15T11:00:00.0000000", "Pacific Standard Time"),
            at
        );
        assert_eq!(read("2017-04-15T11:00:00", "America/Los_Angeles"), at);
        assert_eq!(read("2017-04-15T11:00:00", "Mars Standard Time"), None);
        assert_eq!(read("yesterday", "UTC"), None);
    }

    #[test]
    fn due_days_survive_local_midnights() {
        let day = |date_time: &str| {
            nearest_day(&DateTimeTimeZone {
                date_time: date_time.into(),
                time_zone: "UTC".into(),
            })
        };
        let first = NaiveDate::from_ymd_opt(2026, 12, 1);
        assert_eq!(day("2026-12-01T00:00:00.0000000"), first);
        assert_eq!(day("2026-11-30T23:00:00.0000000"), first, "Paris midnight");
        assert_eq!(
            day("2026-12-01T05:00:00.0000000"),
            first,
            "New York midnight"
        );
    }
}
