//! Finding people and rooms, and when they are free: the answers of the people picker, the
//! room picker, the room's free/busy and "find a time".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fields::{Field, FieldErrors};
use crate::meeting::{MAX_INVITEES, ShowAs, parse_addresses};

/// Shortest text the directory is searched with (one letter would list everyone).
pub const MIN_SEARCH_CHARS: usize = 2;
pub const MAX_SEARCH_CHARS: usize = 255;
/// Longest window free/busy is asked for (Exchange's own limit is 62 days).
pub const MAX_AVAILABILITY_DAYS: i64 = 42;

/// Someone (or a room) the directory knows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub is_room: bool,
}

/// A room list, or a room in one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Place {
    pub email: String,
    #[serde(default)]
    pub name: String,
}

/// `GET /api/people?q=`: the search text, checked.
pub fn parse_search(raw: &str) -> Result<String, FieldErrors> {
    let text = raw.trim();
    let mut errors = FieldErrors::new();
    let length = text.chars().count();
    if length < MIN_SEARCH_CHARS {
        errors.add(
            Field::Query,
            format!("Type at least {MIN_SEARCH_CHARS} characters of a name or address."),
        );
    } else if length > MAX_SEARCH_CHARS {
        errors.add(
            Field::Query,
            format!("Search with at most {MAX_SEARCH_CHARS} characters."),
        );
    }
    errors.into_result(text.to_owned())
}

/// `POST /api/availability`: who, over which window, for how long a meeting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AvailabilityDraft {
    pub addresses: Vec<String>,
    /// RFC 3339 instants.
    pub start: String,
    pub end: String,
    /// Length of the meeting to suggest times for; absent = no suggestions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityQuery {
    pub addresses: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub duration_minutes: Option<u32>,
}

impl AvailabilityQuery {
    /// A window of two RFC 3339 instants, for suggestions over schedules gathered elsewhere
    /// (the widget adds the user's own calendar to the attendees' free/busy); `None` when an
    /// instant does not read or the window is empty.
    pub fn window(start: &str, end: &str, duration_minutes: u32) -> Option<Self> {
        let start = crate::time_text::rfc3339_instant(start)?;
        let end = crate::time_text::rfc3339_instant(end)?;
        (start < end).then_some(Self {
            addresses: Vec::new(),
            start,
            end,
            duration_minutes: Some(duration_minutes),
        })
    }
}

impl AvailabilityDraft {
    pub fn parse(&self) -> Result<AvailabilityQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let addresses = parse_addresses(&self.addresses, Field::Addresses, &mut errors);
        if addresses.is_empty() && errors.get(Field::Addresses).is_none() {
            errors.add(Field::Addresses, "Name at least one person or room.");
        }
        if addresses.len() > MAX_INVITEES {
            errors.add(
                Field::Addresses,
                format!("At most {MAX_INVITEES} addresses."),
            );
        }
        let instant = |text: &str, field: Field, errors: &mut FieldErrors| {
            let parsed = crate::time_text::rfc3339_instant(text.trim());
            if parsed.is_none() {
                errors.add(
                    field,
                    "Expected an RFC 3339 instant such as 2026-12-01T09:00:00Z.",
                );
            }
            parsed
        };
        let start = instant(&self.start, Field::Start, &mut errors);
        let end = instant(&self.end, Field::End, &mut errors);
        if let (Some(start), Some(end)) = (start, end) {
            if end <= start {
                errors.add(Field::End, crate::fields::Problem::BeforeStart);
            } else if (end - start).num_days() > MAX_AVAILABILITY_DAYS {
                errors.add(
                    Field::End,
                    format!("Ask for at most {MAX_AVAILABILITY_DAYS} days at once."),
                );
            }
        }
        if let Some(minutes) = self.duration_minutes
            && !(5..=24 * 60).contains(&minutes)
        {
            errors.add(
                Field::DurationMinutes,
                "A meeting lasts from 5 minutes to 24 hours.",
            );
        }
        match (start, end) {
            (Some(start), Some(end)) if errors.is_empty() => Ok(AvailabilityQuery {
                addresses,
                start,
                end,
                duration_minutes: self.duration_minutes,
            }),
            _ => Err(errors),
        }
    }
}

/// A stretch of someone's time that is not free.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BusySlot {
    #[serde(with = "crate::time_text::rfc3339")]
    pub start: DateTime<Utc>,
    #[serde(with = "crate::time_text::rfc3339")]
    pub end: DateTime<Utc>,
    pub status: ShowAs,
}

/// One address's free/busy over the window; `error` when the server could not tell (an
/// unknown address, a mailbox in another organisation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub email: String,
    pub busy: Vec<BusySlot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A free time for everyone asked about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    #[serde(with = "crate::time_text::rfc3339")]
    pub start: DateTime<Utc>,
    #[serde(with = "crate::time_text::rfc3339")]
    pub end: DateTime<Utc>,
}

/// The answer of `POST /api/availability`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Availability {
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub suggestions: Vec<Slot>,
}

/// Whether time shown this way keeps someone from a meeting.
pub fn blocks(status: ShowAs) -> bool {
    !matches!(status, ShowAs::Free | ShowAs::WorkingElsewhere)
}

/// The first `wanted` free slots of `minutes` for everyone, trying starts every 30 minutes
/// from the first half hour of the window; a schedule that could not be read counts as
/// unknown, not free, so no slot is suggested past it.
pub fn suggest(
    schedules: &[Schedule],
    query: &AvailabilityQuery,
    minutes: u32,
    wanted: usize,
) -> Vec<Slot> {
    if schedules.iter().any(|s| s.error.is_some()) {
        return Vec::new();
    }
    let step = chrono::Duration::minutes(30);
    let length = chrono::Duration::minutes(i64::from(minutes));
    let epoch_minutes = query.start.timestamp().div_euclid(60);
    let aligned = epoch_minutes + (30 - epoch_minutes.rem_euclid(30)) % 30;
    let Some(mut start) = DateTime::from_timestamp(aligned * 60, 0) else {
        return Vec::new();
    };
    let mut slots = Vec::new();
    while start + length <= query.end && slots.len() < wanted {
        let end = start + length;
        let free = schedules.iter().all(|s| {
            !s.busy
                .iter()
                .any(|b| blocks(b.status) && b.start < end && start < b.end)
        });
        if free {
            slots.push(Slot { start, end });
            start = end;
        } else {
            start += step;
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        crate::time_text::rfc3339_instant(text).unwrap()
    }

    #[test]
    fn suggestions_skip_everyone_s_busy_times_but_not_free_ones() {
        let query = AvailabilityDraft {
            addresses: vec!["bob@example.com".into(), "room@example.com".into()],
            start: "2026-12-01T09:10:00Z".into(),
            end: "2026-12-01T13:00:00Z".into(),
            duration_minutes: Some(60),
        }
        .parse()
        .unwrap();
        let busy = |start: &str, end: &str, status| BusySlot {
            start: at(start),
            end: at(end),
            status,
        };
        let schedules = vec![
            Schedule {
                email: "bob@example.com".into(),
                busy: vec![busy(
                    "2026-12-01T09:30:00Z",
                    "2026-12-01T10:30:00Z",
                    ShowAs::Busy,
                )],
                error: None,
            },
            Schedule {
                email: "room@example.com".into(),
                busy: vec![
                    busy(
                        "2026-12-01T10:30:00Z",
                        "2026-12-01T11:00:00Z",
                        ShowAs::Tentative,
                    ),
                    busy("2026-12-01T11:00:00Z", "2026-12-01T12:00:00Z", ShowAs::Free),
                ],
                error: None,
            },
        ];
        let slots = suggest(&schedules, &query, 60, 3);
        let starts: Vec<String> = slots.iter().map(|s| s.start.to_rfc3339()).collect();
        assert_eq!(
            starts,
            ["2026-12-01T11:00:00+00:00", "2026-12-01T12:00:00+00:00"]
        );
        let mut unknown = schedules.clone();
        unknown[1].error = Some("no such mailbox".into());
        assert!(suggest(&unknown, &query, 60, 3).is_empty());
    }

    #[test]
    fn a_window_reads_browser_instants_and_refuses_empty_ones() {
        let query =
            AvailabilityQuery::window("2026-12-01T09:00:00.000Z", "2026-12-01T11:00:00.000Z", 60)
                .unwrap();
        let own = Schedule {
            email: String::new(),
            busy: vec![BusySlot {
                start: at("2026-12-01T09:00:00Z"),
                end: at("2026-12-01T10:00:00Z"),
                status: ShowAs::Busy,
            }],
            error: None,
        };
        let slots = suggest(&[own], &query, 60, 5);
        assert_eq!(
            slots,
            [Slot {
                start: at("2026-12-01T10:00:00Z"),
                end: at("2026-12-01T11:00:00Z")
            }]
        );
        assert!(
            AvailabilityQuery::window("2026-12-01T11:00:00Z", "2026-12-01T11:00:00Z", 30).is_none()
        );
        assert!(AvailabilityQuery::window("tomorrow", "2026-12-01T11:00:00Z", 30).is_none());
    }

    #[test]
    fn queries_name_their_problems() {
        let errors = AvailabilityDraft {
            addresses: vec![],
            start: "monday".into(),
            end: "2026-12-01T09:00:00Z".into(),
            duration_minutes: Some(1),
        }
        .parse()
        .unwrap_err();
        for field in [Field::Addresses, Field::Start, Field::DurationMinutes] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(parse_search("a").is_err());
        assert_eq!(parse_search(" bo ").unwrap(), "bo");
    }
}
