//! Tasks: the form's draft, the validated new task, and the stored one.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::fields::{FieldErrors, MAX_BODY_CHARS, Subject, parse_date, parse_optional_text};

/// EWS `t:Status` of a task (TaskStatusType); the same names Graph uses in camelCase.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw.trim())
            .ok_or_else(|| {
                format!(
                    "'{raw}' is not a task status (one of NotStarted, InProgress, Completed, WaitingOnOthers, Deferred)."
                )
            })
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the task form holds and what `POST /api/tasks` accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl TaskDraft {
    pub fn parse(&self) -> Result<NewTask, FieldErrors> {
        let mut errors = FieldErrors::new();
        let subject = Subject::parse(&self.subject)
            .map_err(|e| errors.add("subject", e))
            .ok();
        let due_date = if self.due_date.trim().is_empty() {
            None
        } else {
            parse_date(&self.due_date, "due date")
                .map_err(|e| errors.add("dueDate", e))
                .ok()
        };
        let status = TaskStatus::parse(&self.status)
            .map_err(|e| errors.add("status", e))
            .ok();
        let body = parse_optional_text(&self.body, MAX_BODY_CHARS, "description")
            .map_err(|e| errors.add("body", e))
            .ok()
            .flatten();
        match (subject, status) {
            (Some(subject), Some(status)) if errors.is_empty() => Ok(NewTask {
                subject,
                due_date,
                status,
                body,
            }),
            _ => Err(errors),
        }
    }
}

/// A task as stored in the mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
            body: String::new(),
        };
        let errors = draft.parse().unwrap_err();
        assert!(errors.get("dueDate").is_some());
        assert!(errors.get("status").unwrap().contains("not a task status"));
    }

    #[test]
    fn status_round_trips_through_its_wire_name() {
        for status in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(status.as_str()), Ok(status));
        }
    }
}
