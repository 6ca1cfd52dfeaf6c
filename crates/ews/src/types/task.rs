//! `t:Task`.

use serde::{Deserialize, Serialize};

use super::body::Body;
use super::datetime::EwsDateTime;
use super::enums::{Importance, Sensitivity, TaskStatus};
use super::extended_property::ExtendedProperty;
use super::item_id::ItemId;
use super::recurrence::TaskRecurrence;
use super::{read_strings, write_strings};
use crate::error::EwsError;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

/// A task. Every field is optional (see [`super::CalendarItem`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Task {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_folder_id: Option<ItemId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sensitivity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time_created: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_due_by: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_is_set: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extended_properties: Vec<ExtendedProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub culture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<EwsDateTime>,
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
    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("t:Task", &[])?;
        self.write_fields(w)?;
        w.end("t:Task")
    }

    pub(crate) fn write_fields(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if let Some(id) = &self.item_id {
            id.write(w, "t:ItemId")?;
        }
        if let Some(id) = &self.parent_folder_id {
            id.write(w, "t:ParentFolderId")?;
        }
        w.opt("t:ItemClass", &self.item_class)?;
        w.opt("t:Subject", &self.subject)?;
        w.opt("t:Sensitivity", &self.sensitivity)?;
        if let Some(b) = &self.body {
            b.write(w, "t:Body")?;
        }
        write_strings(w, "t:Categories", &self.categories)?;
        w.opt("t:Importance", &self.importance)?;
        w.opt("t:DateTimeCreated", &self.date_time_created)?;
        w.opt("t:ReminderDueBy", &self.reminder_due_by)?;
        w.opt("t:ReminderIsSet", &self.reminder_is_set)?;
        for p in &self.extended_properties {
            p.write(w)?;
        }
        w.opt("t:Culture", &self.culture)?;
        w.opt("t:LastModifiedTime", &self.last_modified_time)?;
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

    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut it = Task::default();
        while let Some(c) = r.next_child()? {
            if c.ns != Ns::Types {
                r.skip()?;
                continue;
            }
            it.read_field(r, &c)?;
        }
        Ok(it)
    }

    pub(crate) fn read_field(
        &mut self,
        r: &mut XmlReader<'_>,
        c: &Elem<'_>,
    ) -> Result<(), EwsError> {
        match c.local() {
            b"ItemId" => self.item_id = Some(ItemId::read(r, c)?),
            b"ParentFolderId" => self.parent_folder_id = Some(ItemId::read(r, c)?),
            b"ItemClass" => self.item_class = Some(r.text()?),
            b"Subject" => self.subject = Some(r.text()?),
            b"Sensitivity" => self.sensitivity = Some(r.value()?),
            b"Body" => self.body = Some(Body::read(r, c)?),
            b"Categories" => self.categories = Some(read_strings(r)?),
            b"Importance" => self.importance = Some(r.value()?),
            b"DateTimeCreated" => self.date_time_created = Some(r.value()?),
            b"ReminderDueBy" => self.reminder_due_by = Some(r.value()?),
            b"ReminderIsSet" => self.reminder_is_set = Some(r.value()?),
            b"ExtendedProperty" => self.extended_properties.push(ExtendedProperty::read(r)?),
            b"Culture" => self.culture = Some(r.text()?),
            b"LastModifiedTime" => self.last_modified_time = Some(r.value()?),
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

    pub fn extended_property(&self, field: &super::ExtendedFieldUri) -> Option<&str> {
        self.extended_properties
            .iter()
            .find(|p| p.field.same_property(field))
            .and_then(|p| p.value.as_deref())
    }
}
