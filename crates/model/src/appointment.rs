//! Appointments: the form's draft, the validated new appointment, and the stored one.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::fields::{
    Field, FieldErrors, MAX_BODY_CHARS, MAX_LOCATION_CHARS, Problem, Subject, TimeZoneName,
    parse_local_date_time, parse_optional_text,
};
use crate::meeting::{
    Attendee, Importance, MAX_INVITEES, ResponseStatus, ShowAs, parse_addresses, parse_categories,
    parse_reminder,
};
use crate::recurrence::{Recurrence, RecurrenceDraft};

/// What the appointment form holds and what `POST /api/appointments` accepts.
///
/// `start`/`end` are wall-clock times in `timeZone` (the browser's IANA zone), exactly as
/// `<input type="datetime-local">` gives them. Unknown JSON fields are rejected so that a
/// misspelt field is an error instead of silently lost input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// All day: only the dates of `start` and `end` count (both days included).
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_day: bool,
    /// Minutes before the start; empty = no reminder.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reminder: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub show_as: ShowAs,
    #[serde(default, skip_serializing_if = "is_default")]
    pub importance: Importance,
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// E-mail addresses; any invitee makes the appointment a meeting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_attendees: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_attendees: Vec<String>,
    /// Room mailboxes (booked as resources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<RecurrenceDraft>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl AppointmentDraft {
    /// Sets the start; when start and end both read as times (dates, all day), the end moves
    /// along so that the appointment keeps its length.
    pub fn move_start(&mut self, start: String) {
        if self.all_day {
            if let (Ok(old), Ok(end), Ok(new)) = (
                parse_day(&self.start),
                parse_day(&self.end),
                parse_day(&start),
            ) && let Some(moved) = new.checked_add_signed(end - old)
            {
                self.end = date_text(moved);
            }
        } else if let (Ok(old), Ok(end), Ok(new)) = (
            parse_local_date_time(&self.start),
            parse_local_date_time(&self.end),
            parse_local_date_time(&start),
        ) && end > old
            && let Some(moved) = new.checked_add_signed(end - old)
        {
            self.end = format!(
                "{}T{:02}:{:02}",
                date_text(moved.date()),
                moved.hour(),
                moved.minute()
            );
        }
        self.start = start;
    }

    /// All day or not: the dates stay, the times go (all day) or come back as 09:00–10:00.
    pub fn set_all_day(&mut self, all_day: bool) {
        for (text, time) in [(&mut self.start, "T09:00"), (&mut self.end, "T10:00")] {
            match (all_day, text.split_once('T')) {
                (true, Some((date, _))) => *text = date.to_owned(),
                (false, None) if !text.is_empty() => text.push_str(time),
                _ => {}
            }
        }
        self.all_day = all_day;
    }
}

/// `YYYY-MM-DD`, as `<input type="date">` shows it.
fn date_text(date: chrono::NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// A validated appointment, ready to be sent to Exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAppointment {
    pub subject: Subject,
    /// For all-day appointments: midnight of the first day and midnight after the last.
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub location: Option<String>,
    pub body: Option<String>,
    pub time_zone: Option<TimeZoneName>,
    pub details: MeetingDetails,
}

/// Everything beyond the when and where, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeetingDetails {
    pub all_day: bool,
    pub reminder_minutes: Option<u32>,
    pub show_as: ShowAs,
    pub importance: Importance,
    pub private: bool,
    pub categories: Vec<String>,
    pub required_attendees: Vec<String>,
    pub optional_attendees: Vec<String>,
    pub rooms: Vec<String>,
    pub recurrence: Option<Recurrence>,
}

impl MeetingDetails {
    /// Anyone invited: the appointment is a meeting and invitations go out.
    pub fn invites_anyone(&self) -> bool {
        !(self.required_attendees.is_empty()
            && self.optional_attendees.is_empty()
            && self.rooms.is_empty())
    }
}

/// An all-day date: `YYYY-MM-DD`, or a date-time whose time is ignored.
fn parse_day(text: &str) -> Result<chrono::NaiveDate, Problem> {
    let text = text.trim();
    let date_part = text.split_once('T').map_or(text, |(date, _)| date);
    crate::fields::parse_date(date_part)
}

impl AppointmentDraft {
    /// Validates every field and reports all problems at once, keyed by field name.
    pub fn parse(&self) -> Result<NewAppointment, FieldErrors> {
        let mut errors = FieldErrors::new();
        let subject = Subject::parse(&self.subject)
            .map_err(|e| errors.add(Field::Subject, e))
            .ok();
        let (start, end) = if self.all_day {
            let first = parse_day(&self.start)
                .map_err(|e| errors.add(Field::Start, e))
                .ok();
            let last = parse_day(&self.end)
                .map_err(|e| errors.add(Field::End, e))
                .ok();
            if let (Some(first), Some(last)) = (first, last)
                && last < first
            {
                errors.add(Field::End, Problem::BeforeStart);
            }
            (
                first.map(|d| d.and_time(chrono::NaiveTime::MIN)),
                last.and_then(|d| d.succ_opt())
                    .map(|d| d.and_time(chrono::NaiveTime::MIN)),
            )
        } else {
            let start = parse_local_date_time(&self.start)
                .map_err(|e| errors.add(Field::Start, e))
                .ok();
            let end = parse_local_date_time(&self.end)
                .map_err(|e| errors.add(Field::End, e))
                .ok();
            if let (Some(start), Some(end)) = (start, end)
                && end <= start
            {
                errors.add(Field::End, Problem::BeforeStart);
            }
            (start, end)
        };
        let details = self.parse_details(start.map(|s| s.date()), &mut errors);
        let location = parse_optional_text(&self.location, MAX_LOCATION_CHARS)
            .map_err(|e| errors.add(Field::Location, e))
            .ok()
            .flatten();
        let body = parse_optional_text(&self.body, MAX_BODY_CHARS)
            .map_err(|e| errors.add(Field::Body, e))
            .ok()
            .flatten();
        let time_zone = match self.time_zone.as_deref() {
            None => None,
            Some(raw) => TimeZoneName::parse(raw)
                .map_err(|e| errors.add(Field::TimeZone, e))
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
                details,
            }),
            _ => Err(errors),
        }
    }

    fn parse_details(
        &self,
        start: Option<chrono::NaiveDate>,
        errors: &mut FieldErrors,
    ) -> MeetingDetails {
        let required_attendees =
            parse_addresses(&self.required_attendees, Field::RequiredAttendees, errors);
        let mut optional_attendees =
            parse_addresses(&self.optional_attendees, Field::OptionalAttendees, errors);
        // Someone both required and optional is required.
        optional_attendees
            .retain(|o| !required_attendees.iter().any(|r| r.eq_ignore_ascii_case(o)));
        let rooms = parse_addresses(&self.rooms, Field::Rooms, errors);
        if required_attendees.len() + optional_attendees.len() + rooms.len() > MAX_INVITEES {
            errors.add(
                Field::RequiredAttendees,
                Problem::TooMany {
                    max: MAX_INVITEES as u32,
                },
            );
        }
        let recurrence = match (&self.recurrence, start) {
            (Some(draft), Some(start)) => draft.parse(start, errors),
            _ => None,
        };
        MeetingDetails {
            all_day: self.all_day,
            reminder_minutes: parse_reminder(&self.reminder, errors),
            show_as: self.show_as,
            importance: self.importance,
            private: self.private,
            categories: parse_categories(&self.categories, errors),
            required_attendees,
            optional_attendees,
            rooms,
            recurrence,
        }
    }
}

/// An appointment as stored in the mailbox (created, or read back via the calendar view).
/// Times are instants in UTC; the widget shows them in the viewer's zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_day: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_minutes: Option<u32>,
    #[serde(default)]
    pub show_as: ShowAs,
    #[serde(default)]
    pub importance: Importance,
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_attendees: Vec<Attendee>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_attendees: Vec<Attendee>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<Attendee>,
    /// The series' rule, on the series itself (calendar views list occurrences without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
    /// One occurrence of a recurring series (as calendar views list them).
    #[serde(default, skip_serializing_if = "is_false")]
    pub occurrence: bool,
    /// The organiser's address, for meetings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizer: Option<String>,
    /// The user's own part: `organizer` for meetings they organise, their answer for
    /// invitations, `none` for appointments without attendees.
    #[serde(default)]
    pub my_response: ResponseStatus,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cancelled: bool,
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
            ..AppointmentDraft::default()
        }
    }

    #[test]
    fn a_meeting_parses_with_people_rooms_and_a_weekly_rule() {
        use crate::recurrence::{Ends, Pattern, RecurrenceEnd, Repeat, Weekday};
        let mut meeting = draft();
        meeting.required_attendees = vec!["bob@example.com".into(), "carol@example.com".into()];
        meeting.optional_attendees = vec!["Bob@Example.com".into(), "dan@example.com".into()];
        meeting.rooms = vec!["room-412@example.com".into()];
        meeting.reminder = "15".into();
        meeting.recurrence = Some(RecurrenceDraft {
            repeat: Repeat::Weekly,
            interval: "2".into(),
            days: vec![Weekday::Thursday, Weekday::Monday, Weekday::Thursday],
            ends: Ends::After,
            until: String::new(),
            count: "10".into(),
        });
        let parsed = meeting.parse().expect("valid");
        let details = parsed.details;
        assert!(details.invites_anyone());
        assert_eq!(
            details.optional_attendees,
            ["dan@example.com"],
            "Bob is required already"
        );
        assert_eq!(details.reminder_minutes, Some(15));
        let rule = details.recurrence.unwrap();
        assert_eq!(
            rule.pattern,
            Pattern::Weekly {
                interval: 2,
                days: vec![Weekday::Monday, Weekday::Thursday]
            }
        );
        assert_eq!(rule.end, RecurrenceEnd::Count { count: 10 });
        assert_eq!(rule.start_date.to_string(), "2026-12-01");
    }

    #[test]
    fn all_day_takes_the_dates_and_includes_the_last_day() {
        let mut holiday = draft();
        holiday.all_day = true;
        holiday.start = "2026-12-24".into();
        holiday.end = "2026-12-26T00:00".into();
        let parsed = holiday.parse().expect("valid");
        assert_eq!(parsed.start.to_string(), "2026-12-24 00:00:00");
        assert_eq!(parsed.end.to_string(), "2026-12-27 00:00:00");
        holiday.end = "2026-12-23".into();
        let errors = holiday.parse().unwrap_err();
        assert_eq!(errors.get(Field::End), Some(&Problem::BeforeStart));
    }

    #[test]
    fn a_bad_invitee_is_reported_under_its_list() {
        let mut meeting = draft();
        meeting.rooms = vec!["Room 4.12".into()];
        let errors = meeting.parse().unwrap_err();
        assert_eq!(
            errors.message(Field::Rooms).as_deref(),
            Some("'Room 4.12' is not an e-mail address.")
        );
    }

    #[test]
    fn moving_the_start_keeps_the_length_and_all_day_keeps_the_dates() {
        let mut meeting = draft();
        meeting.end = "2026-12-01T10:30".into();
        meeting.move_start("2026-12-31T23:00".into());
        assert_eq!(meeting.end, "2027-01-01T00:30");
        meeting.set_all_day(true);
        assert_eq!(
            (&*meeting.start, &*meeting.end),
            ("2026-12-31", "2027-01-01")
        );
        meeting.move_start("2027-02-27".into());
        assert_eq!(meeting.end, "2027-02-28");
        meeting.set_all_day(false);
        assert_eq!(meeting.end, "2027-02-28T10:00");
        // An end that does not read as a time is left for the user to fix.
        meeting.end = "soon".into();
        meeting.move_start("2027-03-01T09:00".into());
        assert_eq!(meeting.end, "soon");
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
        assert_eq!(
            errors.message(Field::End).as_deref(),
            Some("The end must be after the start.")
        );
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
            ..AppointmentDraft::default()
        };
        let errors = bad.parse().unwrap_err();
        for field in [
            Field::Subject,
            Field::Start,
            Field::End,
            Field::Location,
            Field::TimeZone,
        ] {
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
