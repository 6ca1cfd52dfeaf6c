//! An appointment ready for any backend: the form's wall-clock times resolved to instants.

use chrono::{DateTime, Utc};
use ews::time_zone::TimeZoneError;
use model::{
    Appointment, Attendee, Field, FieldErrors, MeetingDetails, NewAppointment, Problem,
    ResponseStatus,
};

/// What a backend needs to create an appointment; protocol details (EWS's Windows zone ids,
/// Graph's `dateTimeTimeZone`) are derived from it by each backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedAppointment {
    pub subject: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub location: Option<String>,
    pub body: Option<String>,
    /// The IANA zone the form was filled in (UTC when it named none), so that the mailbox
    /// shows the meeting in the zone it was planned in.
    pub time_zone: String,
    pub details: MeetingDetails,
}

impl PreparedAppointment {
    /// Resolves the form's wall-clock times in its zone (absent = UTC) to instants; every
    /// problem is reported under its field's name.
    pub fn resolve(appointment: &NewAppointment) -> Result<Self, FieldErrors> {
        let zone = appointment.time_zone.as_ref().map_or("UTC", |z| z.as_str());
        let mut errors = FieldErrors::new();
        let mut convert = |local, field: Field| match ews::time_zone::local_to_utc(local, zone) {
            Ok(instant) => Some(instant),
            Err(TimeZoneError::UnknownZone(_)) => {
                errors.add(
                    Field::TimeZone,
                    format!("'{zone}' is not a known time zone."),
                );
                None
            }
            Err(TimeZoneError::NonexistentLocalTime { next_valid, .. }) => {
                errors.add(
                    field,
                    format!(
                        "This time does not exist in {zone} (the clocks jump forward); the first valid time is {}.",
                        next_valid.format("%H:%M")
                    ),
                );
                None
            }
            Err(other) => {
                errors.add(field, other.to_string());
                None
            }
        };
        let start = convert(appointment.start, Field::Start);
        let end = convert(appointment.end, Field::End);
        match (start, end) {
            (Some(start), Some(end)) if errors.is_empty() => {
                // Wall-clock order was checked by the model; across a fall-back change a later
                // wall time can still be an earlier instant.
                if end <= start {
                    errors.add(Field::End, Problem::BeforeStart);
                    return Err(errors);
                }
                Ok(Self {
                    subject: appointment.subject.as_str().to_owned(),
                    start,
                    end,
                    location: appointment.location.clone(),
                    body: appointment.body.clone(),
                    time_zone: zone.to_owned(),
                    details: appointment.details.clone(),
                })
            }
            _ => Err(errors),
        }
    }

    /// The appointment as created: what we sent, under the id (and change key or ETag) the
    /// mailbox gave it.
    pub fn created(&self, id: String, change_key: String) -> Appointment {
        let details = &self.details;
        let invited =
            |addresses: &[String]| addresses.iter().map(|a| Attendee::invited(a)).collect();
        Appointment {
            id,
            change_key,
            subject: self.subject.clone(),
            start: self.start,
            end: self.end,
            location: self.location.clone().unwrap_or_default(),
            body: self.body.clone().unwrap_or_default(),
            all_day: details.all_day,
            reminder_minutes: details.reminder_minutes,
            show_as: details.show_as,
            importance: details.importance,
            private: details.private,
            categories: details.categories.clone(),
            required_attendees: invited(&details.required_attendees),
            optional_attendees: invited(&details.optional_attendees),
            rooms: invited(&details.rooms),
            recurrence: details.recurrence.clone(),
            occurrence: false,
            organizer: None,
            my_response: if details.invites_anyone() {
                ResponseStatus::Organizer
            } else {
                ResponseStatus::None
            },
            cancelled: false,
        }
    }
}
