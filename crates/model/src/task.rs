//! Tasks: the form's draft, the validated new task, and the stored one.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::fields::{
    Field, FieldErrors, MAX_BODY_CHARS, Problem, Subject, parse_date, parse_optional_text,
};
use crate::meeting::{Importance, parse_categories};
use crate::recurrence::{Recurrence, RecurrenceDraft};

/// EWS `t:Status` of a task (TaskStatusType); the same names Graph uses in camelCase.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskStatus {
    #[default]
    NotStarted,
    InProgress,
    Completed,
    WaitingOnOthers,
    Deferred,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Completed,
        TaskStatus::WaitingOnOthers,
        TaskStatus::Deferred,
    ];

    /// The EWS wire name, also used as the form's `<option value>`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "NotStarted",
            TaskStatus::InProgress => "InProgress",
            TaskStatus::Completed => "Completed",
            TaskStatus::WaitingOnOthers => "WaitingOnOthers",
            TaskStatus::Deferred => "Deferred",
        }
    }

    /// English label for the form.
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Not started",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Completed => "Completed",
            TaskStatus::WaitingOnOthers => "Waiting on others",
            TaskStatus::Deferred => "Deferred",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Problem> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw.trim())
            .ok_or(Problem::Malformed)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the task form holds and what `POST /api/tasks` accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskDraft {
    pub subject: String,
    /// `YYYY-MM-DD`, or empty for a task without a due date.
    #[serde(default)]
    pub due_date: String,
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default)]
    pub body: String,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start_date: String,
    /// 0–100, or empty to follow the status (0, or 100 when completed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub percent_complete: String,
    #[serde(default, skip_serializing_if = "is_normal")]
    pub importance: Importance,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// When to remind (an RFC 3339 instant), or empty for no reminder.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reminder_at: String,
    /// Repeats from the start date (or the due date when there is no start date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<RecurrenceDraft>,
}

fn is_normal(importance: &Importance) -> bool {
    *importance == Importance::Normal
}

fn default_status() -> String {
    TaskStatus::NotStarted.as_str().to_owned()
}

impl Default for TaskDraft {
    fn default() -> Self {
        Self {
            subject: String::new(),
            due_date: String::new(),
            status: default_status(),
            body: String::new(),
            start_date: String::new(),
            percent_complete: String::new(),
            importance: Importance::Normal,
            categories: Vec::new(),
            reminder_at: String::new(),
            recurrence: None,
        }
    }
}

/// A validated task, ready to be sent to Exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTask {
    pub subject: Subject,
    pub due_date: Option<NaiveDate>,
    pub status: TaskStatus,
    pub body: Option<String>,
    pub start_date: Option<NaiveDate>,
    /// Consistent with `status`: 100 exactly when completed.
    pub percent_complete: u8,
    pub importance: Importance,
    pub categories: Vec<String>,
    pub reminder: Option<DateTime<Utc>>,
    pub recurrence: Option<Recurrence>,
}

/// Status and progress made to agree, as Outlook does: a completed task is 100% done and a
/// task at 100% is completed; progress on a task not started means it is in progress, and
/// reopening a completed task drops it below 100%.
fn consistent(status: TaskStatus, percent: Option<u8>) -> (TaskStatus, u8) {
    match (status, percent) {
        (TaskStatus::Completed, _) | (_, Some(100)) => (TaskStatus::Completed, 100),
        (TaskStatus::NotStarted, Some(p)) if p > 0 => (TaskStatus::InProgress, p),
        (_, Some(p)) => (status, p),
        (_, None) => (status, 0),
    }
}

impl TaskDraft {
    /// The status as the user picks it, with the progress following as the form shows it: a
    /// completed task is 100% done; reopening one, or marking it not started, drops the 100%.
    pub fn set_status(&mut self, status: String) {
        let percent = self.percent();
        match TaskStatus::parse(&status) {
            Ok(TaskStatus::Completed) => self.percent_complete = "100".to_owned(),
            Ok(TaskStatus::NotStarted) => self.percent_complete.clear(),
            Ok(_) if percent == Some(100) => self.percent_complete.clear(),
            _ => {}
        }
        self.status = status;
    }

    /// The progress as the user types it, with the status following: 100% is completed, some
    /// progress on a task not started (or completed) means it is in progress, and none on a
    /// completed one means not started. Text that is not a percentage changes nothing else:
    /// validation reports it.
    pub fn set_percent(&mut self, text: String) {
        self.percent_complete = text;
        let status = TaskStatus::parse(&self.status).ok();
        let follows = match (self.percent(), status) {
            (Some(100), _) => Some(TaskStatus::Completed),
            (Some(0), Some(TaskStatus::Completed)) => Some(TaskStatus::NotStarted),
            (Some(_), Some(TaskStatus::NotStarted | TaskStatus::Completed)) => {
                Some(TaskStatus::InProgress)
            }
            _ => None,
        };
        if let Some(status) = follows.filter(|s| Some(*s) != status) {
            self.status = status.as_str().to_owned();
        }
    }

    /// The typed progress, when it is a percentage (`40`, `40%`).
    fn percent(&self) -> Option<u8> {
        let text = self.percent_complete.trim();
        let text = text.strip_suffix('%').unwrap_or(text).trim();
        text.parse::<u8>().ok().filter(|p| *p <= 100)
    }

    pub fn parse(&self) -> Result<NewTask, FieldErrors> {
        let mut errors = FieldErrors::new();
        let subject = Subject::parse(&self.subject)
            .map_err(|e| errors.add(Field::Subject, e))
            .ok();
        let due_date = if self.due_date.trim().is_empty() {
            None
        } else {
            parse_date(&self.due_date)
                .map_err(|e| errors.add(Field::DueDate, e))
                .ok()
        };
        let status = TaskStatus::parse(&self.status)
            .map_err(|e| errors.add(Field::Status, e))
            .ok();
        let body = parse_optional_text(&self.body, MAX_BODY_CHARS)
            .map_err(|e| errors.add(Field::Body, e))
            .ok()
            .flatten();
        let start_date = if self.start_date.trim().is_empty() {
            None
        } else {
            parse_date(&self.start_date)
                .map_err(|e| errors.add(Field::StartDate, e))
                .ok()
        };
        if let (Some(start), Some(due)) = (start_date, due_date)
            && due < start
        {
            errors.add(Field::DueDate, Problem::BeforeStart);
        }
        let percent = match (self.percent_complete.trim(), self.percent()) {
            ("", _) => None,
            (_, Some(p)) => Some(p),
            (_, None) => {
                errors.add(
                    Field::PercentComplete,
                    Problem::OutOfRange { min: 0, max: 100 },
                );
                None
            }
        };
        let reminder = match self.reminder_at.trim() {
            "" => None,
            text => {
                let parsed = crate::time_text::rfc3339_instant(text);
                if parsed.is_none() {
                    errors.add(Field::ReminderAt, Problem::Malformed);
                }
                parsed
            }
        };
        let categories = parse_categories(&self.categories, &mut errors);
        let recurrence = match (&self.recurrence, start_date.or(due_date)) {
            (Some(draft), Some(anchor)) => draft.parse(anchor, &mut errors),
            (Some(_), None) => {
                errors.add(
                    Field::Recurrence,
                    "A repeating task needs a start date or a due date to repeat from.",
                );
                None
            }
            (None, _) => None,
        };
        match (subject, status) {
            (Some(subject), Some(status)) if errors.is_empty() => {
                let (status, percent_complete) = consistent(status, percent);
                Ok(NewTask {
                    subject,
                    due_date,
                    status,
                    body,
                    start_date,
                    percent_complete,
                    importance: self.importance,
                    categories,
                    reminder,
                    recurrence,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A task as stored in the mailbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    #[serde(default)]
    pub change_key: String,
    pub subject: String,
    #[serde(default, with = "crate::time_text::optional_date")]
    pub due_date: Option<NaiveDate>,
    pub status: TaskStatus,
    #[serde(default)]
    pub body: String,
    #[serde(
        default,
        with = "crate::time_text::optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub percent_complete: u8,
    #[serde(default)]
    pub importance: Importance,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(
        default,
        with = "crate::time_text::optional_rfc3339",
        skip_serializing_if = "Option::is_none"
    )]
    pub reminder: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
}

/// `GET /api/tasks?show=&sort=`: which tasks, in which order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum TaskFilter {
    #[default]
    All,
    /// Everything not completed.
    Open,
    Completed,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum TaskSort {
    /// Newest first: what was just created is on the first page.
    #[default]
    Created,
    /// Soonest due first; tasks without a due date last.
    Due,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_progress_agree() {
        let with = |status: &str, percent: &str| {
            let task = TaskDraft {
                subject: "x".into(),
                status: status.into(),
                percent_complete: percent.into(),
                ..TaskDraft::default()
            }
            .parse()
            .unwrap();
            (task.status, task.percent_complete)
        };
        assert_eq!(with("Completed", ""), (TaskStatus::Completed, 100));
        assert_eq!(with("InProgress", "100"), (TaskStatus::Completed, 100));
        assert_eq!(with("NotStarted", "40"), (TaskStatus::InProgress, 40));
        assert_eq!(with("Deferred", "25%"), (TaskStatus::Deferred, 25));
        assert_eq!(with("NotStarted", ""), (TaskStatus::NotStarted, 0));
        let errors = TaskDraft {
            subject: "x".into(),
            percent_complete: "150".into(),
            start_date: "2026-12-10".into(),
            due_date: "2026-12-01".into(),
            recurrence: None,
            ..TaskDraft::default()
        }
        .parse()
        .unwrap_err();
        assert!(
            errors.get(crate::fields::Field::PercentComplete).is_some()
                && errors.get(crate::fields::Field::DueDate).is_some()
        );
    }

    #[test]
    fn the_form_keeps_status_and_progress_together_as_the_user_types() {
        let mut draft = TaskDraft::default();
        draft.set_percent("30".into());
        assert_eq!(
            (draft.status.as_str(), draft.percent_complete.as_str()),
            ("InProgress", "30")
        );
        draft.set_percent("100%".into());
        assert_eq!(draft.status, "Completed");
        draft.set_status("WaitingOnOthers".into());
        assert_eq!(draft.percent_complete, "", "reopened: no longer 100%");
        draft.set_status("Completed".into());
        assert_eq!(draft.percent_complete, "100");
        draft.set_percent("0".into());
        assert_eq!(draft.status, "NotStarted");
        draft.set_status("Deferred".into());
        draft.set_percent("60".into());
        assert_eq!(
            draft.status, "Deferred",
            "progress on a deferred task keeps it deferred"
        );
        draft.set_status("NotStarted".into());
        assert_eq!(draft.percent_complete, "");
        // Half-typed or wrong text changes nothing else; validation reports it.
        draft.set_percent("1x".into());
        assert_eq!(
            (draft.status.as_str(), draft.percent_complete.as_str()),
            ("NotStarted", "1x")
        );
        assert!(draft.parse().is_err());
    }

    #[test]
    fn a_task_without_due_date_is_valid() {
        let draft = TaskDraft {
            subject: "File report".into(),
            ..TaskDraft::default()
        };
        let task = draft.parse().unwrap();
        assert_eq!(task.due_date, None);
        assert_eq!(task.status, TaskStatus::NotStarted);
    }

    #[test]
    fn bad_status_and_date_are_reported() {
        let draft = TaskDraft {
            subject: "x".into(),
            due_date: "2026-02-30".into(),
            status: "Done".into(),
            ..TaskDraft::default()
        };
        let errors = draft.parse().unwrap_err();
        assert!(errors.get(crate::fields::Field::DueDate).is_some());
        assert!(errors.get(crate::fields::Field::Status) == Some(&Problem::Malformed));
    }

    #[test]
    fn status_round_trips_through_its_wire_name() {
        for status in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(status.as_str()), Ok(status));
        }
    }
}
