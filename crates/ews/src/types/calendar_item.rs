//! `t:CalendarItem`.
//!
//! - [CalendarItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendaritem)
//! - [StartTimeZone](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/starttimezone)

use serde::{Deserialize, Serialize};

use super::datetime::EwsDateTime;
use super::enums::{CalendarItemType, LegacyFreeBusy, ResponseType};
use super::item_fields::{ItemFields, ItemKind};
use super::mailbox::{Attendee, Mailbox, read_single_recipient, write_single_recipient};
use super::recurrence::Recurrence;
use crate::error::EwsError;
use crate::xml::{Elem, XmlReader, XmlWriter};

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

/// A calendar item (appointment or meeting): the shared item fields, then its own. Every
/// field is optional (see [`ItemFields`]); read-only ones (Organizer, MyResponseType,
/// IsMeeting...) must not be set in CreateItem.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CalendarItem {
    #[serde(flatten)]
    pub item: ItemFields,
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
    /// Reads the children of a `t:CalendarItem` element (already opened).
    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        CalendarItem::default().read_children(r)
    }
}

impl ItemKind for CalendarItem {
    fn element(&self) -> &str {
        "t:CalendarItem"
    }
    fn item(&self) -> &ItemFields {
        &self.item
    }
    fn item_mut(&mut self) -> &mut ItemFields {
        &mut self.item
    }

    fn write_own(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
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

    fn read_own(&mut self, r: &mut XmlReader<'_>, c: &Elem<'_>) -> Result<(), EwsError> {
        match c.local() {
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
}
