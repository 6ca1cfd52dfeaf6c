//! Microsoft Graph's JSON: the bodies we send and the parts of Graph's answers we read, with
//! their conversions from and to the model. Only properties Microsoft documents for the
//! resources are sent (the test suite checks them against the documented property tables).
//!
//! Resources: event <https://learn.microsoft.com/graph/api/resources/event>, dateTimeTimeZone,
//! itemBody, location, singleValueLegacyExtendedProperty; To Do's in `todo_wire.rs`.

use chrono::{DateTime, NaiveDateTime, Utc};
use model::Appointment;
use serde::{Deserialize, Serialize};

use super::fields::{MeetingFields, MeetingRead};
use crate::mailbox::{MailboxError, PreparedAppointment};

pub use super::todo_wire::{
    GraphTaskStatus, LINKED_APPLICATION, LinkedResource, NewTodoTask, TodoFields, TodoTask,
    TodoTaskList,
};

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

/// `dateTimeTimeZone`: a wall-clock time and the zone it is read in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    pub date_time: String,
    #[serde(default)]
    pub time_zone: String,
}

impl DateTimeTimeZone {
    pub(crate) fn at(local: NaiveDateTime, zone: &str) -> Self {
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
    pub(crate) fn text(content: &str) -> Self {
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

/// The event's own fields, as the form sets them: the body of `PATCH /me/events/{id}` and
/// the main part of `POST /me/events`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventFields {
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<ItemBody>,
    pub start: DateTimeTimeZone,
    pub end: DateTimeTimeZone,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(flatten)]
    pub meeting: MeetingFields,
}

impl EventFields {
    /// What a create sends: nothing optional is sent empty.
    pub fn new(appointment: &PreparedAppointment) -> Self {
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
            meeting: MeetingFields::new(&appointment.details),
        }
    }

    /// What an edit sends: an emptied body or location is sent empty, so that it is
    /// cleared rather than left as it was.
    pub fn changes(appointment: &PreparedAppointment) -> Self {
        let mut fields = Self::new(appointment);
        fields.body.get_or_insert_with(|| ItemBody::text(""));
        fields.location.get_or_insert_with(Location::default);
        fields
    }
}

/// The body of `POST /me/events`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEvent {
    #[serde(flatten)]
    pub fields: EventFields,
    /// Graph's own guard against a retried POST creating the event twice.
    pub transaction_id: String,
    /// The same id, where a `$filter` can find it (transactionId is not documented as
    /// filterable; extended properties are).
    pub single_value_extended_properties: Vec<ExtendedProperty>,
}

impl NewEvent {
    pub fn new(appointment: &PreparedAppointment, client_request_id: &str) -> Self {
        Self {
            fields: EventFields::new(appointment),
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
    #[serde(flatten)]
    pub meeting: MeetingRead,
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
        let mut appointment = Appointment {
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
        };
        self.meeting.fill(&mut appointment);
        Ok(appointment)
    }
}

/// A page of a collection: `value` and, when more follow, `@odata.nextLink`.
#[derive(Clone, Debug, Deserialize)]
pub struct Collection<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// The opaque part of an entity tag (`W/"abc"` → `abc`): what the API hands out as the
/// item's version, since its `If-Match` takes one quoted opaque tag.
pub fn opaque_tag(etag: &str) -> &str {
    let tag = etag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    tag.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag)
}

/// The entity tag Graph compares `If-Match` with, from the version the API handed out:
/// Outlook items' `@odata.etag` is `W/"<changeKey>"`, To Do's `W/"<tag>"`.
pub fn graph_etag(version: &str) -> String {
    format!("W/\"{version}\"")
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
}
