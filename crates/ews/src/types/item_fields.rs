//! The `t:ItemType` part every item kind shares: one struct, one reader, one writer, used by
//! [`super::CalendarItem`], [`super::Task`] and [`super::OtherItem`].
//!
//! [ItemType](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/item)

use serde::{Deserialize, Serialize};

use super::body::Body;
use super::datetime::EwsDateTime;
use super::enums::{Importance, Sensitivity};
use super::extended_property::{ExtendedFieldUri, ExtendedProperty};
use super::item_id::ItemId;
use super::{read_strings, write_strings};
use crate::error::EwsError;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

/// The `t:ItemType` elements this crate models. Every field is optional: requests send only
/// what is set, responses carry what the ItemShape asked for. Read-only fields (ItemId,
/// DateTimeCreated, LastModifiedTime...) must not be set in CreateItem.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemFields {
    /// Id and ChangeKey.
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
    /// `None`: not sent / not returned. `Some(vec![])` is written as nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time_created: Option<EwsDateTime>,
    /// When the reminder fires (a task's reminder is set by this).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_due_by: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_is_set: Option<bool>,
    /// A calendar item's reminder, relative to its start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_minutes_before_start: Option<i32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extended_properties: Vec<ExtendedProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub culture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<EwsDateTime>,
}

impl ItemFields {
    /// Value of an extended property on this item.
    pub fn extended_property(&self, field: &ExtendedFieldUri) -> Option<&str> {
        self.extended_properties
            .iter()
            .find(|p| p.field.same_property(field))
            .and_then(|p| p.value.as_deref())
    }

    /// Writes the set fields in types.xsd's `ItemType` sequence order; an item kind's own
    /// elements follow them.
    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
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
        w.opt(
            "t:ReminderMinutesBeforeStart",
            &self.reminder_minutes_before_start,
        )?;
        for p in &self.extended_properties {
            p.write(w)?;
        }
        w.opt("t:Culture", &self.culture)?;
        w.opt("t:LastModifiedTime", &self.last_modified_time)
    }

    /// Reads `c` (consuming it) if it is one of these fields; false leaves it unread.
    pub(crate) fn read_field(
        &mut self,
        r: &mut XmlReader<'_>,
        c: &Elem<'_>,
    ) -> Result<bool, EwsError> {
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
            b"ReminderMinutesBeforeStart" => self.reminder_minutes_before_start = Some(r.value()?),
            b"ExtendedProperty" => self.extended_properties.push(ExtendedProperty::read(r)?),
            b"Culture" => self.culture = Some(r.text()?),
            b"LastModifiedTime" => self.last_modified_time = Some(r.value()?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// An item kind derived from `t:ItemType`: the shared fields plus its own elements, which
/// the schema places after the shared ones.
pub(crate) trait ItemKind: Default {
    /// The element, e.g. `t:CalendarItem`.
    fn element(&self) -> &str;
    fn item(&self) -> &ItemFields;
    fn item_mut(&mut self) -> &mut ItemFields;
    /// Writes the kind's own set fields, in schema order.
    fn write_own(&self, w: &mut XmlWriter) -> Result<(), EwsError>;
    /// Reads one of the kind's own fields (consuming it); unknown ones are skipped.
    fn read_own(&mut self, r: &mut XmlReader<'_>, c: &Elem<'_>) -> Result<(), EwsError>;

    fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        let name = self.element();
        w.start(name, &[])?;
        self.item().write(w)?;
        self.write_own(w)?;
        w.end(name)
    }

    /// Reads the children of the item's element (already opened into `self`).
    fn read_children(mut self, r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        while let Some(c) = r.next_child()? {
            if c.ns != Ns::Types {
                r.skip()?;
            } else if !self.item_mut().read_field(r, &c)? {
                self.read_own(r, &c)?;
            }
        }
        Ok(self)
    }
}
