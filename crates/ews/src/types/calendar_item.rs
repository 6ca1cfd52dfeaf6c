//! `t:CalendarItem`.

use serde::{Deserialize, Serialize};

use super::body::Body;
use super::datetime::EwsDateTime;
use super::enums::{CalendarItemType, Importance, LegacyFreeBusy, ResponseType, Sensitivity};
use super::extended_property::ExtendedProperty;
use super::item_id::ItemId;
use super::mailbox::{Attendee, Mailbox, read_single_recipient, write_single_recipient};
use super::recurrence::Recurrence;
use super::{read_strings, write_strings};
use crate::error::EwsError;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

/// `StartTimeZone` / `EndTimeZone` (a `TimeZoneDefinitionType` referenced by Windows id).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeZoneRef {
    /// Windows time zone id, e.g. `Romance Standard Time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl TimeZoneRef {
    pub fn id(id: impl Into<String>) -> Self {
        TimeZoneRef {
            id: Some(id.into()),
            name: None,
        }
    }
    pub(crate) fn write(&self, w: &mut XmlWriter, name: &str) -> Result<(), EwsError> {
        let mut a = Vec::new();
        if let Some(id) = &self.id {
            a.push(("Id", id.as_str()));
        }
        if let Some(n) = &self.name {
            a.push(("Name", n.as_str()));
        }
        w.empty(name, &a)
    }
    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        let v = TimeZoneRef {
            id: r.attr(e, "Id")?,
            name: r.attr(e, "Name")?,
        };
        r.skip()?;
        Ok(v)
    }
}

/// A calendar item (appointment or meeting). Every field is optional: requests send only
/// what is set, responses carry what the ItemShape asked for. Read-only fields (ItemId,
/// Organizer, MyResponseType, IsMeeting...) must not be set in CreateItem.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CalendarItem {
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_due_by: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_is_set: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_minutes_before_start: Option<i32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extended_properties: Vec<ExtendedProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<EwsDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_all_day_event: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy_free_busy_status: Option<LegacyFreeBusy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_meeting: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_cancelled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_recurring: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_item_type: Option<CalendarItemType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_response_type: Option<ResponseType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizer: Option<Mailbox>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_attendees: Vec<Attendee>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub optional_attendees: Vec<Attendee>,
    /// Rooms and equipment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Attendee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time_zone: Option<TimeZoneRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time_zone: Option<TimeZoneRef>,
}

impl CalendarItem {
    /// Writes `<t:CalendarItem>` with the set fields in types.xsd sequence order.
    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("t:CalendarItem", &[])?;
        self.write_fields(w)?;
        w.end("t:CalendarItem")
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
        w.opt(
            "t:ReminderMinutesBeforeStart",
            &self.reminder_minutes_before_start,
        )?;
        for p in &self.extended_properties {
            p.write(w)?;
        }
        w.opt("t:LastModifiedTime", &self.last_modified_time)?;
        w.opt("t:UID", &self.uid)?;
        w.opt("t:Start", &self.start)?;
        w.opt("t:End", &self.end)?;
        w.opt("t:IsAllDayEvent", &self.is_all_day_event)?;
        w.opt("t:LegacyFreeBusyStatus", &self.legacy_free_busy_status)?;
        w.opt("t:Location", &self.location)?;
        w.opt("t:IsMeeting", &self.is_meeting)?;
        w.opt("t:IsCancelled", &self.is_cancelled)?;
        w.opt("t:IsRecurring", &self.is_recurring)?;
        w.opt("t:CalendarItemType", &self.calendar_item_type)?;
        w.opt("t:MyResponseType", &self.my_response_type)?;
        if let Some(o) = &self.organizer {
            write_single_recipient(o, w, "t:Organizer")?;
        }
        Attendee::write_list(&self.required_attendees, w, "t:RequiredAttendees")?;
        Attendee::write_list(&self.optional_attendees, w, "t:OptionalAttendees")?;
        Attendee::write_list(&self.resources, w, "t:Resources")?;
        w.opt("t:Duration", &self.duration)?;
        if let Some(rec) = &self.recurrence {
            rec.write(w, "t:Recurrence")?;
        }
        if let Some(tz) = &self.start_time_zone {
            tz.write(w, "t:StartTimeZone")?;
        }
        if let Some(tz) = &self.end_time_zone {
            tz.write(w, "t:EndTimeZone")?;
        }
        Ok(())
    }

    /// Reads the children of a `t:CalendarItem` element (already opened).
    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut it = CalendarItem::default();
        while let Some(c) = r.next_child()? {
            if c.ns != Ns::Types {
                r.skip()?;
                continue;
            }
            it.read_field(r, &c)?;
        }
        Ok(it)
    }

    /// Reads one field element (consumes it); unknown ones are skipped.
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
            b"ReminderMinutesBeforeStart" => self.reminder_minutes_before_start = Some(r.value()?),
            b"ExtendedProperty" => self.extended_properties.push(ExtendedProperty::read(r)?),
            b"LastModifiedTime" => self.last_modified_time = Some(r.value()?),
            b"UID" => self.uid = Some(r.text()?),
            b"Start" => self.start = Some(r.value()?),
            b"End" => self.end = Some(r.value()?),
            b"IsAllDayEvent" => self.is_all_day_event = Some(r.value()?),
            b"LegacyFreeBusyStatus" => self.legacy_free_busy_status = Some(r.value()?),
            b"Location" => self.location = Some(r.text()?),
            b"IsMeeting" => self.is_meeting = Some(r.value()?),
            b"IsCancelled" => self.is_cancelled = Some(r.value()?),
            b"IsRecurring" => self.is_recurring = Some(r.value()?),
            b"CalendarItemType" => self.calendar_item_type = Some(r.value()?),
            b"MyResponseType" => self.my_response_type = Some(r.value()?),
            b"Organizer" => self.organizer = Some(read_single_recipient(r)?),
            b"RequiredAttendees" => self.required_attendees = Attendee::read_list(r)?,
            b"OptionalAttendees" => self.optional_attendees = Attendee::read_list(r)?,
            b"Resources" => self.resources = Attendee::read_list(r)?,
            b"Duration" => self.duration = Some(r.text()?),
            b"Recurrence" => self.recurrence = Some(Recurrence::read(r)?),
            b"StartTimeZone" => self.start_time_zone = Some(TimeZoneRef::read(r, c)?),
            b"EndTimeZone" => self.end_time_zone = Some(TimeZoneRef::read(r, c)?),
            _ => r.skip()?,
        }
        Ok(())
    }

    /// Value of an extended property on this item.
    pub fn extended_property(&self, field: &super::ExtendedFieldUri) -> Option<&str> {
        self.extended_properties
            .iter()
            .find(|p| p.field.same_property(field))
            .and_then(|p| p.value.as_deref())
    }
}
