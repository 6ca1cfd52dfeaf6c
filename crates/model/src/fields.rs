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

/// Validation messages keyed by JSON field name (`subject`, `start`, `dueDate`, …).
///
/// A `BTreeMap` keeps the order stable, so messages and JSON output are deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the first problem found for a field; later ones for the same field are
    /// dropped so that the user sees one clear message per input.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
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
                for (field, message) in b.err().unwrap_or_default().0 {
                    errors.add(&field, message);
                }
                Err(errors)
            }
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (field, message) in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{field}: {message}")?;
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
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("Enter a subject.".into());
        }
        let chars = trimmed.chars().count();
        if chars > MAX_SUBJECT_CHARS {
            return Err(format!(
                "The subject is {chars} characters long; Exchange allows at most {MAX_SUBJECT_CHARS}."
            ));
        }
        if trimmed.chars().any(is_forbidden_control) {
            return Err("The subject contains control characters.".into());
        }
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
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        let well_formed = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        if well_formed {
            Ok(Self(name.to_owned()))
        } else {
            Err(format!(
                "'{raw}' is not a time zone name such as Europe/Paris."
            ))
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
pub fn parse_local_date_time(raw: &str, what: &str) -> Result<NaiveDateTime, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(format!("Enter the {what} date and time."));
    }
    time_text::date_time(raw).ok_or_else(|| {
        format!("'{raw}' is not a valid {what} date and time (expected YYYY-MM-DDTHH:MM).")
    })
}

/// Parses what `<input type="date">` produces: `2026-12-01`.
pub fn parse_date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    time_text::date(raw)
        .ok_or_else(|| format!("'{raw}' is not a valid {what} (expected YYYY-MM-DD)."))
}

/// Optional free text (location, body): empty means absent.
pub fn parse_optional_text(
    raw: &str,
    max_chars: usize,
    what: &str,
) -> Result<Option<String>, String> {
    let chars = raw.chars().count();
    if chars > max_chars {
        return Err(format!(
            "The {what} is {chars} characters long; at most {max_chars} are allowed."
        ));
    }
    if raw.chars().any(is_forbidden_control) {
        return Err(format!("The {what} contains control characters."));
    }
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(raw.to_owned()))
    }
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
        assert!(parse_local_date_time("2026-12-01T09:30", "start").is_ok());
        assert!(parse_local_date_time("2026-12-01T09:30:15", "start").is_ok());
        assert!(parse_local_date_time("2026-12-01T09:30:15.250", "start").is_ok());
        let err = parse_local_date_time("2026-13-01T09:30", "start").unwrap_err();
        assert!(err.contains("not a valid start"), "{err}");
        assert!(
            parse_local_date_time("", "end")
                .unwrap_err()
                .contains("Enter the end")
        );
    }

    #[test]
    fn field_errors_keep_the_first_message() {
        let mut errors = FieldErrors::new();
        errors.add("start", "first");
        errors.add("start", "second");
        assert_eq!(errors.get("start"), Some("first"));
        assert_eq!(errors.to_string(), "start: first");
    }
}
