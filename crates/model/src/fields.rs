//! Validated field newtypes and the per-field error map.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::time_text;

/// Exchange rejects subjects and locations longer than 255 characters.
pub const MAX_SUBJECT_CHARS: usize = 255;
pub const MAX_LOCATION_CHARS: usize = 255;
/// Generous for a form body, small enough that one request cannot exhaust the proxy.
pub const MAX_BODY_CHARS: usize = 100_000;

/// Declares [`Field`]: each input the API validates, with its JSON name.
macro_rules! fields {
    ($($variant:ident = $name:literal,)*) => {
        /// Every input the API validates, named as in the JSON bodies and query strings: the one
        /// vocabulary of the forms, the widget's reducer and translations, and the 422 bodies.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field {
            $($variant,)*
        }

        impl Field {
            pub const ALL: &[Field] = &[$(Field::$variant,)*];

            /// The JSON name (`subject`, `dueDate`, `recurrence.count`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Field::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Field::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

fields! {
    Subject = "subject",
    Start = "start",
    End = "end",
    Location = "location",
    Body = "body",
    TimeZone = "timeZone",
    AllDay = "allDay",
    Reminder = "reminder",
    ShowAs = "showAs",
    Importance = "importance",
    Private = "private",
    Categories = "categories",
    RequiredAttendees = "requiredAttendees",
    OptionalAttendees = "optionalAttendees",
    Rooms = "rooms",
    Recurrence = "recurrence",
    RecurrenceInterval = "recurrence.interval",
    RecurrenceDays = "recurrence.days",
    RecurrenceEnds = "recurrence.ends",
    RecurrenceUntil = "recurrence.until",
    RecurrenceCount = "recurrence.count",
    DueDate = "dueDate",
    Status = "status",
    StartDate = "startDate",
    PercentComplete = "percentComplete",
    ReminderAt = "reminderAt",
    Reply = "reply",
    Message = "message",
    Query = "q",
    Addresses = "addresses",
    DurationMinutes = "durationMinutes",
    RoomList = "roomList",
    Limit = "limit",
    Cursor = "cursor",
    SecretHash = "secretHash",
    ReturnTo = "returnTo",
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Field::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown field name `{name}`")))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with a field's input, with what a message needs: each language words it
/// (English here, for the API; the widget adds its own translations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Nothing entered where something is needed.
    Missing,
    /// Not in the field's format (a date, a date-time, a time zone name, a number).
    Malformed,
    TooLong {
        max: u32,
    },
    ControlCharacters,
    /// Before what it must follow (the start, the first day, the start date).
    BeforeStart,
    NotAnAddress(String),
    /// A whole number from `min` to `max` was expected.
    OutOfRange {
        min: u32,
        max: u32,
    },
    TooMany {
        max: u32,
    },
    /// Said by the server only (English), e.g. a time the clocks skip.
    Text(String),
}

impl From<String> for Problem {
    fn from(text: String) -> Self {
        Problem::Text(text)
    }
}

impl From<&str> for Problem {
    fn from(text: &str) -> Self {
        Problem::Text(text.to_owned())
    }
}

impl Problem {
    /// The English message, as the API sends it.
    pub fn english(&self, field: Field) -> String {
        use Field as F;
        let what = match field {
            F::Subject => "subject",
            F::Start | F::End | F::ReminderAt => "date and time",
            F::Location => "location",
            F::Body => "description",
            F::DueDate => "due date",
            F::StartDate => "start date",
            F::TimeZone => "time zone such as Europe/Paris",
            F::Categories => "category",
            F::Message => "message",
            F::RecurrenceUntil => "last date",
            _ => "value",
        };
        match self {
            Problem::Missing => format!("Enter a {what}."),
            Problem::Malformed => format!("Enter a valid {what}."),
            Problem::TooLong { max } => format!("The {what} can be at most {max} characters."),
            Problem::ControlCharacters => format!("The {what} contains control characters."),
            Problem::BeforeStart => match field {
                F::End => "The end must be after the start.".into(),
                _ => "This cannot be before the start.".into(),
            },
            Problem::NotAnAddress(text) => format!("'{text}' is not an e-mail address."),
            Problem::OutOfRange { min, max } => {
                format!("Enter a whole number from {min} to {max}.")
            }
            Problem::TooMany { max } => format!("At most {max}."),
            Problem::Text(text) => text.clone(),
        }
    }
}

/// Validation problems keyed by field, one per field, in the order of [`Field`].
///
/// On the wire it is `{ "<field name>": "<English message>" }`; read back, each message
/// becomes [`Problem::Text`] (names this model does not know are dropped). A sorted `Vec`
/// rather than a map: a handful of entries, and no second B-tree in the wasm bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Field, Problem)>);

impl Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, problem) in &self.0 {
            map.serialize_entry(field.name(), &problem.english(*field))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FieldErrors {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, String>::deserialize(deserializer)?;
        Ok(Self::from_messages(raw))
    }
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// From the wire shape: field name to message.
    pub fn from_messages(raw: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut errors = Self::new();
        for (name, text) in raw {
            if let Some(field) = Field::from_name(&name) {
                errors.add(field, Problem::Text(text));
            }
        }
        errors
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Field, Problem)> {
        self.0.iter()
    }

    pub fn remove(&mut self, field: Field) {
        self.0.retain(|(f, _)| *f != field);
    }

    /// Records the first problem found for a field; later ones for the same field are
    /// dropped so that the user sees one clear message per input.
    pub fn add(&mut self, field: Field, problem: impl Into<Problem>) {
        if let Err(at) = self.0.binary_search_by_key(&field, |(f, _)| *f) {
            self.0.insert(at, (field, problem.into()));
        }
    }

    pub fn get(&self, field: Field) -> Option<&Problem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| p)
    }

    /// The English message of `field`'s problem, if any.
    pub fn message(&self, field: Field) -> Option<String> {
        self.get(field).map(|p| p.english(field))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(value)` when no error was recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Both values, or the errors of both (so that every bad input is reported at once).
    pub fn both<A, B>(
        a: Result<A, FieldErrors>,
        b: Result<B, FieldErrors>,
    ) -> Result<(A, B), FieldErrors> {
        match (a, b) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            (a, b) => {
                let mut errors = a.err().unwrap_or_default();
                for (field, problem) in b.err().unwrap_or_default().0 {
                    errors.add(field, problem);
                }
                Err(errors)
            }
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (field, problem) in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{field}: {}", problem.english(*field))?;
        }
        Ok(())
    }
}

/// A non-empty, trimmed subject of at most 255 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Subject(String);

impl Subject {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(Problem::Missing);
        }
        check_text(trimmed, MAX_SUBJECT_CHARS)?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone name as the browser reports it (`Europe/Paris`, `UTC`).
///
/// Only the shape is checked here: the authoritative list (and the mapping to Windows
/// zone ids) lives in the proxy, so the wasm bundle does not carry the tz database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let name = raw.trim();
        let well_formed = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        if well_formed {
            Ok(Self(name.to_owned()))
        } else {
            Err(Problem::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses what `<input type="datetime-local">` produces: `2026-12-01T09:30`, optionally
/// with seconds (and fractions, which browsers emit when `step` is below a minute).
pub fn parse_local_date_time(raw: &str) -> Result<NaiveDateTime, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Problem::Missing);
    }
    time_text::date_time(raw).ok_or(Problem::Malformed)
}

/// Parses what `<input type="date">` produces: `2026-12-01`.
pub fn parse_date(raw: &str) -> Result<NaiveDate, Problem> {
    time_text::date(raw.trim()).ok_or(Problem::Malformed)
}

/// Optional free text (location, body): empty means absent.
pub fn parse_optional_text(raw: &str, max_chars: usize) -> Result<Option<String>, Problem> {
    check_text(raw, max_chars)?;
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(raw.to_owned()))
    }
}

fn check_text(text: &str, max_chars: usize) -> Result<(), Problem> {
    if text.chars().count() > max_chars {
        return Err(Problem::TooLong {
            max: max_chars as u32,
        });
    }
    if text.chars().any(is_forbidden_control) {
        return Err(Problem::ControlCharacters);
    }
    Ok(())
}

/// Characters that XML 1.0 cannot carry at all (everything below U+0020 except tab,
/// newline and carriage return). Rejecting them here keeps every EWS request well-formed.
fn is_forbidden_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_trimmed_and_required() {
        assert_eq!(Subject::parse("  Plan  ").unwrap().as_str(), "Plan");
        assert!(Subject::parse("   ").is_err());
        assert!(Subject::parse(&"x".repeat(256)).is_err());
        assert!(Subject::parse(&"é".repeat(255)).is_ok());
        assert!(Subject::parse("bell\u{7}").is_err());
    }

    #[test]
    fn time_zone_names_are_shape_checked() {
        assert!(TimeZoneName::parse("America/Argentina/Buenos_Aires").is_ok());
        assert!(TimeZoneName::parse("Etc/GMT+3").is_ok());
        assert!(TimeZoneName::parse("Europe/Paris<script>").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }

    #[test]
    fn local_date_times_accept_browser_formats() {
        assert!(parse_local_date_time("2026-12-01T09:30").is_ok());
        assert!(parse_local_date_time("2026-12-01T09:30:15").is_ok());
        assert!(parse_local_date_time("2026-12-01T09:30:15.250").is_ok());
        let err = parse_local_date_time("2026-13-01T09:30").unwrap_err();
        assert_eq!(err, Problem::Malformed);
        assert_eq!(parse_local_date_time(""), Err(Problem::Missing));
    }

    #[test]
    fn field_errors_keep_the_first_message() {
        let mut errors = FieldErrors::new();
        errors.add(Field::Start, "first");
        errors.add(Field::Start, "second");
        assert_eq!(errors.message(Field::Start).as_deref(), Some("first"));
        assert_eq!(errors.to_string(), "start: first");
    }

    #[test]
    fn field_names_round_trip_and_errors_keep_their_wire_shape() {
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(*field));
            let json = serde_json::to_string(field).unwrap();
            assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), *field);
        }
        assert_eq!(Field::RecurrenceCount.name(), "recurrence.count");
        let mut errors = FieldErrors::new();
        errors.add(Field::End, Problem::BeforeStart);
        errors.add(Field::Subject, Problem::Missing);
        let json = serde_json::to_string(&errors).unwrap();
        assert_eq!(
            json,
            r#"{"subject":"Enter a subject.","end":"The end must be after the start."}"#
        );
        let back: FieldErrors = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.get(Field::End),
            Some(&Problem::Text("The end must be after the start.".into()))
        );
    }
}
