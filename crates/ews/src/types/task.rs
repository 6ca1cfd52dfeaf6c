//! `t:Task`.
//!
//! [Task](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/task)

use serde::{Deserialize, Serialize};

use super::datetime::EwsDateTime;
use super::enums::TaskStatus;
use super::item_fields::{ItemFields, ItemKind};
use super::recurrence::TaskRecurrence;
use crate::error::EwsError;
use crate::xml::{Elem, XmlReader, XmlWriter};

/// A task: the shared item fields, then its own. Every field is optional (see
/// [`ItemFields`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Task {
    #[serde(flatten)]
    pub item: ItemFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_count: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete_date: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_complete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_recurring: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<TaskRecurrence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_description: Option<String>,
}

impl Task {
    /// Reads the children of a `t:Task` element (already opened).
    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        Task::default().read_children(r)
    }
}

impl ItemKind for Task {
    fn element(&self) -> &str {
        "t:Task"
    }
    fn item(&self) -> &ItemFields {
        &self.item
    }
    fn item_mut(&mut self) -> &mut ItemFields {
        &mut self.item
    }

    fn write_own(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.opt("t:ChangeCount", &self.change_count)?;
        w.opt("t:CompleteDate", &self.complete_date)?;
        w.opt("t:DueDate", &self.due_date)?;
        w.opt("t:IsComplete", &self.is_complete)?;
        w.opt("t:IsRecurring", &self.is_recurring)?;
        w.opt("t:Owner", &self.owner)?;
        w.opt("t:PercentComplete", &self.percent_complete)?;
        if let Some(rec) = &self.recurrence {
            rec.write(w, "t:Recurrence")?;
        }
        w.opt("t:StartDate", &self.start_date)?;
        w.opt("t:Status", &self.status)?;
        w.opt("t:StatusDescription", &self.status_description)?;
        Ok(())
    }

    fn read_own(&mut self, r: &mut XmlReader<'_>, c: &Elem<'_>) -> Result<(), EwsError> {
        match c.local() {
            b"ChangeCount" => self.change_count = Some(r.value()?),
            b"CompleteDate" => self.complete_date = Some(r.value()?),
            b"DueDate" => self.due_date = Some(r.value()?),
            b"IsComplete" => self.is_complete = Some(r.value()?),
            b"IsRecurring" => self.is_recurring = Some(r.value()?),
            b"Owner" => self.owner = Some(r.text()?),
            b"PercentComplete" => self.percent_complete = Some(r.value()?),
            b"Recurrence" => self.recurrence = Some(TaskRecurrence::read(r)?),
            b"StartDate" => self.start_date = Some(r.value()?),
            b"Status" => self.status = Some(r.value()?),
            b"StatusDescription" => self.status_description = Some(r.text()?),
            _ => r.skip()?,
        }
        Ok(())
    }
}
