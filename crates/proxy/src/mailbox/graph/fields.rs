//! What makes an event a meeting (attendees, rooms, reminder, free/busy, importance, privacy,
//! categories, recurrence; and, read back, organizer, the user's answer, cancellation) in
//! Graph's terms: the `event` properties of the same names, `attendee`, `emailAddress`,
//! `responseStatus`, `recipient`. Flattened into the event bodies of `wire.rs`.

use model::{Appointment, Attendee, Importance, MeetingDetails, ResponseStatus, ShowAs};
use serde::{Deserialize, Serialize};

use super::recurrence::PatternedRecurrence;

/// `emailAddress`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub address: String,
}

/// `responseStatus` (read only: Graph sets it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct GraphResponseStatus {
    #[serde(default)]
    pub response: Option<String>,
}

impl GraphResponseStatus {
    fn to_model(&self) -> ResponseStatus {
        match self.response.as_deref().unwrap_or_default() {
            "organizer" => ResponseStatus::Organizer,
            "accepted" => ResponseStatus::Accepted,
            "tentativelyAccepted" => ResponseStatus::Tentative,
            "declined" => ResponseStatus::Declined,
            // `none`, `notResponded`
            _ => ResponseStatus::None,
        }
    }
}

/// `attendee`: `type` is `required`, `optional` or `resource` (a room).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphAttendee {
    #[serde(default)]
    pub email_address: EmailAddress,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, skip_serializing)]
    pub status: Option<GraphResponseStatus>,
}

impl GraphAttendee {
    fn invite(address: &str, kind: &str) -> Self {
        Self {
            email_address: EmailAddress {
                name: String::new(),
                address: address.to_owned(),
            },
            kind: kind.into(),
            status: None,
        }
    }

    fn to_model(&self) -> Attendee {
        Attendee {
            email: self.email_address.address.clone(),
            name: self.email_address.name.clone(),
            response: self
                .status
                .as_ref()
                .map(GraphResponseStatus::to_model)
                .unwrap_or_default(),
        }
    }
}

/// `recipient` (the organizer).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    #[serde(default)]
    pub email_address: EmailAddress,
}

/// A documented enum value as the model's, through their shared camelCase names.
fn named<T: serde::de::DeserializeOwned>(value: Option<&str>) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value?.to_owned())).ok()
}

/// The meeting part of an event body (POST and PATCH).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingFields {
    pub is_all_day: bool,
    pub is_reminder_on: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_minutes_before_start: Option<u32>,
    /// `free`, `tentative`, `busy`, `oof`, `workingElsewhere`: the model's names.
    pub show_as: ShowAs,
    pub importance: Importance,
    /// `normal` or `private` (the form has one "private" box).
    pub sensitivity: &'static str,
    pub categories: Vec<String>,
    /// Graph sends the invitations when an event with attendees is created, and the
    /// updates when one is changed.
    pub attendees: Vec<GraphAttendee>,
    /// Left out when the form sets none: PATCH leaves a series a series, and an occurrence
    /// (which has no rule of its own) is never given one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<PatternedRecurrence>,
}

impl MeetingFields {
    pub fn new(details: &MeetingDetails) -> Self {
        let invite = |addresses: &[String], kind: &str| {
            addresses
                .iter()
                .map(|a| GraphAttendee::invite(a, kind))
                .collect::<Vec<_>>()
        };
        let mut attendees = invite(&details.required_attendees, "required");
        attendees.extend(invite(&details.optional_attendees, "optional"));
        attendees.extend(invite(&details.rooms, "resource"));
        Self {
            is_all_day: details.all_day,
            is_reminder_on: details.reminder_minutes.is_some(),
            reminder_minutes_before_start: details.reminder_minutes,
            show_as: details.show_as,
            importance: details.importance,
            sensitivity: if details.private { "private" } else { "normal" },
            categories: details.categories.clone(),
            attendees,
            recurrence: details
                .recurrence
                .as_ref()
                .map(PatternedRecurrence::from_model),
        }
    }
}

/// The meeting part of an event as Graph answers it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingRead {
    #[serde(default)]
    pub is_all_day: Option<bool>,
    #[serde(default)]
    pub is_reminder_on: Option<bool>,
    #[serde(default)]
    pub reminder_minutes_before_start: Option<u32>,
    #[serde(default)]
    pub show_as: Option<String>,
    #[serde(default)]
    pub importance: Option<String>,
    #[serde(default)]
    pub sensitivity: Option<String>,
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    #[serde(default)]
    pub attendees: Option<Vec<GraphAttendee>>,
    #[serde(default)]
    pub recurrence: Option<PatternedRecurrence>,
    #[serde(default)]
    pub organizer: Option<Recipient>,
    #[serde(default)]
    pub response_status: Option<GraphResponseStatus>,
    #[serde(default)]
    pub is_cancelled: Option<bool>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

impl MeetingRead {
    /// Puts the meeting values of a read event into `appointment`.
    pub fn fill(&self, appointment: &mut Appointment) {
        let attendees = |kind: &str| {
            self.attendees
                .iter()
                .flatten()
                .filter(|a| a.kind.eq_ignore_ascii_case(kind))
                .map(GraphAttendee::to_model)
                .collect()
        };
        *appointment = Appointment {
            all_day: self.is_all_day.unwrap_or(false),
            reminder_minutes: match self.is_reminder_on {
                Some(false) => None,
                _ => self.reminder_minutes_before_start,
            },
            // `unknown` and anything newer read as busy, the safe side for a free/busy view.
            show_as: named(self.show_as.as_deref()).unwrap_or_default(),
            importance: named(self.importance.as_deref()).unwrap_or_default(),
            private: matches!(
                self.sensitivity.as_deref(),
                Some("private" | "confidential")
            ),
            categories: self.categories.clone().unwrap_or_default(),
            required_attendees: attendees("required"),
            optional_attendees: attendees("optional"),
            rooms: attendees("resource"),
            recurrence: self
                .recurrence
                .as_ref()
                .and_then(PatternedRecurrence::to_model),
            occurrence: matches!(self.kind.as_deref(), Some("occurrence" | "exception")),
            organizer: self
                .organizer
                .as_ref()
                .map(|o| o.email_address.address.clone())
                .filter(|a| !a.is_empty()),
            my_response: self
                .response_status
                .as_ref()
                .map(GraphResponseStatus::to_model)
                .unwrap_or_default(),
            cancelled: self.is_cancelled.unwrap_or(false),
            ..std::mem::take(appointment)
        };
    }
}
