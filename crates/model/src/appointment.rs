//! Appointments: the form's draft, the validated new appointment, and the stored one.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fields::{
    FieldErrors, MAX_BODY_CHARS, MAX_LOCATION_CHARS, Subject, TimeZoneName, parse_local_date_time,
    parse_optional_text,
};

/// What the appointment form holds and what `POST /api/appointments` accepts.
///
/// `start`/`end` are wall-clock times in `timeZone` (the browser's IANA zone), exactly as
/// `<input type="datetime-local">` gives them. Unknown JSON fields are rejected so that a
/// misspelt field is an error instead of silently lost input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppointmentDraft {
    pub subject: String,
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub body: String,
    /// IANA zone of `start`/`end`; absent means UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A validated appointment, ready to be sent to Exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAppointment {
    pub subject: Subject,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub location: Option<String>,
    pub body: Option<String>,
    pub time_zone: Option<TimeZoneName>,
}

impl AppointmentDraft {
    /// Validates every field and reports all problems at once, keyed by field name.
    pub fn parse(&self) -> Result<NewAppointment, FieldErrors> {
        let mut errors = FieldErrors::new();
        let subject = Subject::parse(&self.subject)
            .map_err(|e| errors.add("subject", e))
            .ok();
        let start = parse_local_date_time(&self.start, "start")
            .map_err(|e| errors.add("start", e))
            .ok();
        let end = parse_local_date_time(&self.end, "end")
            .map_err(|e| errors.add("end", e))
            .ok();
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            errors.add("end", "The end must be after the start.");
        }
        let location = parse_optional_text(&self.location, MAX_LOCATION_CHARS, "location")
            .map_err(|e| errors.add("location", e))
            .ok()
            .flatten();
        let body = parse_optional_text(&self.body, MAX_BODY_CHARS, "description")
            .map_err(|e| errors.add("body", e))
            .ok()
            .flatten();
        let time_zone = match self.time_zone.as_deref() {
            None => None,
            Some(raw) => TimeZoneName::parse(raw)
                .map_err(|e| errors.add("timeZone", e))
                .ok(),
        };
        match (subject, start, end) {
            (Some(subject), Some(start), Some(end)) if errors.is_empty() => Ok(NewAppointment {
                subject,
                start,
                end,
                location,
                body,
                time_zone,
            }),
            _ => Err(errors),
        }
    }
}

/// An appointment as stored in the mailbox (created, or read back via the calendar view).
/// Times are instants in UTC; the widget shows them in the viewer's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    /// EWS ItemId (or Graph event id): opaque.
    pub id: String,
    /// EWS ChangeKey; empty for backends without one.
    #[serde(default)]
    pub change_key: String,
    pub subject: String,
    #[serde(with = "crate::time_text::rfc3339")]
    pub start: DateTime<Utc>,
    #[serde(with = "crate::time_text::rfc3339")]
    pub end: DateTime<Utc>,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> AppointmentDraft {
        AppointmentDraft {
            subject: "Design review".into(),
            start: "2026-12-01T09:00".into(),
            end: "2026-12-01T10:00".into(),
            location: "Room 4.12".into(),
            body: "Agenda".into(),
            time_zone: Some("Europe/Paris".into()),
        }
    }

    #[test]
    fn a_complete_draft_parses() {
        let appointment = draft().parse().expect("valid");
        assert_eq!(appointment.subject.as_str(), "Design review");
        assert_eq!(appointment.location.as_deref(), Some("Room 4.12"));
        assert_eq!(appointment.time_zone.unwrap().as_str(), "Europe/Paris");
    }

    #[test]
    fn end_before_start_is_reported_on_end() {
        let mut bad = draft();
        bad.end = "2026-12-01T08:00".into();
        let errors = bad.parse().unwrap_err();
        assert_eq!(errors.get("end"), Some("The end must be after the start."));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = AppointmentDraft {
            subject: " ".into(),
            start: "tomorrow".into(),
            end: String::new(),
            location: "x".repeat(300),
            body: String::new(),
            time_zone: Some("not a zone".into()),
        };
        let errors = bad.parse().unwrap_err();
        for field in ["subject", "start", "end", "location", "timeZone"] {
            assert!(
                errors.get(field).is_some(),
                "missing error for {field}: {errors}"
            );
        }
    }

    #[test]
    fn json_uses_camel_case_and_rejects_unknown_fields() {
        let json = r#"{"subject":"s","start":"2026-12-01T09:00","end":"2026-12-01T10:00","timeZone":"UTC"}"#;
        let parsed: AppointmentDraft = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.time_zone.as_deref(), Some("UTC"));
        let unknown = r#"{"subject":"s","start":"a","end":"b","colour":"red"}"#;
        let err = serde_json::from_str::<AppointmentDraft>(unknown).unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
    }
}
