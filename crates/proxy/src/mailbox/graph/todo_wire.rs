//! Microsoft To Do's JSON: the todoTask bodies we send and the parts of its answers we read
//! (todoTask <https://learn.microsoft.com/graph/api/resources/todotask>, linkedResource,
//! todoTaskList), with their conversions from and to the model.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use model::{Importance, NewTask, Task, TaskStatus};
use serde::{Deserialize, Serialize};

use super::recurrence::PatternedRecurrence;
use super::wire::{DateTimeTimeZone, ItemBody, opaque_tag};

/// The `applicationName` of the linked resource that marks the tasks this proxy creates.
pub const LINKED_APPLICATION: &str = "exchange-forms";

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

/// A todoTask's own fields, as the form sets them: the body of
/// `PATCH /me/todo/lists/{id}/tasks/{id}` and the main part of the create. Days absent are
/// sent as `null`, which clears them on an edit.
///
/// To Do keeps no percentage: progress is its `status` (completed = 100 %), and a
/// percentage other than 0 or 100 is not stored (the model keeps the two consistent).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TodoFields {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<ItemBody>,
    pub due_date_time: Option<DateTimeTimeZone>,
    pub start_date_time: Option<DateTimeTimeZone>,
    pub status: GraphTaskStatus,
    pub importance: Importance,
    pub categories: Vec<String>,
    pub is_reminder_on: bool,
    pub reminder_date_time: Option<DateTimeTimeZone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<PatternedRecurrence>,
}

/// A day as To Do stores it: midnight UTC of it (read back with [`nearest_day`]).
fn day_value(day: Option<NaiveDate>) -> Option<DateTimeTimeZone> {
    day.map(|day| DateTimeTimeZone::at(day.and_time(NaiveTime::MIN), "UTC"))
}

impl TodoFields {
    pub fn new(task: &NewTask) -> Self {
        Self {
            title: task.subject.as_str().to_owned(),
            body: task.body.as_deref().map(ItemBody::text),
            due_date_time: day_value(task.due_date),
            start_date_time: day_value(task.start_date),
            status: task.status.into(),
            importance: task.importance,
            categories: task.categories.clone(),
            is_reminder_on: task.reminder.is_some(),
            reminder_date_time: task
                .reminder
                .map(|at| DateTimeTimeZone::at(at.naive_utc(), "UTC")),
            recurrence: task
                .recurrence
                .as_ref()
                .map(PatternedRecurrence::from_model),
        }
    }

    /// What an edit sends: an emptied body is sent empty, so that it is cleared.
    pub fn changes(task: &NewTask) -> Self {
        let mut fields = Self::new(task);
        fields.body.get_or_insert_with(|| ItemBody::text(""));
        fields
    }
}

/// The body of `POST /me/todo/lists/{id}/tasks`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTodoTask {
    #[serde(flatten)]
    pub fields: TodoFields,
    /// To Do has no transactionId and todoTask no extended properties (its resource is not
    /// an open type): a linked resource created with the task in the same POST, naming our
    /// client request id as its `externalId`, is the documented way to tie a task to an
    /// outside object, and comes back when tasks are listed. See `todo.rs`.
    pub linked_resources: Vec<LinkedResource>,
}

impl NewTodoTask {
    pub fn new(task: &NewTask, client_request_id: &str) -> Self {
        Self {
            fields: TodoFields::new(task),
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
    #[serde(default)]
    pub start_date_time: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub importance: Option<String>,
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    #[serde(default)]
    pub is_reminder_on: Option<bool>,
    #[serde(default)]
    pub reminder_date_time: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub recurrence: Option<PatternedRecurrence>,
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
        let status = self.status.map(TaskStatus::from).unwrap_or_default();
        Task {
            id: self.id.clone(),
            change_key: self
                .etag
                .as_deref()
                .map(opaque_tag)
                .unwrap_or_default()
                .to_owned(),
            subject: self.title.clone().unwrap_or_default(),
            due_date: self.due_date_time.as_ref().and_then(nearest_day),
            status,
            body: self
                .body
                .as_ref()
                .map(|b| b.content.clone())
                .unwrap_or_default(),
            start_date: self.start_date_time.as_ref().and_then(nearest_day),
            percent_complete: if status == TaskStatus::Completed {
                100
            } else {
                0
            },
            importance: self
                .importance
                .as_deref()
                .and_then(|i| serde_json::from_value(serde_json::Value::String(i.into())).ok())
                .unwrap_or_default(),
            categories: self.categories.clone().unwrap_or_default(),
            reminder: match self.is_reminder_on {
                Some(false) => None,
                _ => self
                    .reminder_date_time
                    .as_ref()
                    .and_then(DateTimeTimeZone::to_utc),
            },
            recurrence: self
                .recurrence
                .as_ref()
                .and_then(PatternedRecurrence::to_model),
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
