//! What makes an appointment a meeting: attendees and rooms, reminder, free/busy, importance,
//! privacy and categories — the draft as the form holds it, and the validated values both
//! backends map (EWS and Graph name them alike). How it repeats is in [`crate::recurrence`].

use serde::{Deserialize, Serialize};

use crate::fields::{Field, FieldErrors, Problem};

/// Most people (attendees and rooms together) one meeting invites.
pub const MAX_INVITEES: usize = 500;
pub const MAX_CATEGORIES: usize = 50;
pub const MAX_CATEGORY_CHARS: usize = 255;
/// Four weeks: Outlook's longest reminder.
pub const MAX_REMINDER_MINUTES: u32 = 40_320;

/// How the time shows in the user's free/busy (Graph `showAs`, EWS LegacyFreeBusyStatus).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ShowAs {
    Free,
    Tentative,
    #[default]
    Busy,
    Oof,
    WorkingElsewhere,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Importance {
    Low,
    #[default]
    Normal,
    High,
}

impl ShowAs {
    pub const ALL: [ShowAs; 5] = [
        ShowAs::Free,
        ShowAs::Tentative,
        ShowAs::Busy,
        ShowAs::Oof,
        ShowAs::WorkingElsewhere,
    ];
}

impl Importance {
    pub const ALL: [Importance; 3] = [Importance::Low, Importance::Normal, Importance::High];
}

/// An invitee's answer, as the organiser sees it (and, for `my_response`, the user's own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum ResponseStatus {
    #[default]
    None,
    Organizer,
    Accepted,
    Tentative,
    Declined,
}

/// A person or room invited to a stored meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub response: ResponseStatus,
}

impl ResponseStatus {
    pub const ALL: [ResponseStatus; 5] = [
        ResponseStatus::None,
        ResponseStatus::Organizer,
        ResponseStatus::Accepted,
        ResponseStatus::Tentative,
        ResponseStatus::Declined,
    ];
}

impl Attendee {
    pub fn invited(email: &str) -> Self {
        Self {
            email: email.to_owned(),
            name: String::new(),
            response: ResponseStatus::None,
        }
    }
}

/// A plausible e-mail address: one `@`, something on both sides, a dot in the domain, no
/// spaces; the mailbox server decides whether it exists.
pub fn is_plausible_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
}

/// The addresses of one attendee list, trimmed, without repeats (compared ignoring ASCII case,
/// as the required/optional overlap is: Unicode case tables would weigh more in the wasm than
/// any address they could tell apart); each bad one is reported under `field`.
pub fn parse_addresses(raw: &[String], field: Field, errors: &mut FieldErrors) -> Vec<String> {
    let mut addresses: Vec<String> = Vec::new();
    for entry in raw {
        let address = entry.trim();
        if address.is_empty() {
            continue;
        }
        if !is_plausible_address(address) {
            errors.add(field, Problem::NotAnAddress(address.to_owned()));
            continue;
        }
        if !addresses.iter().any(|a| a.eq_ignore_ascii_case(address)) {
            addresses.push(address.to_owned());
        }
    }
    addresses
}

/// Category names: trimmed, non-empty, without repeats.
pub fn parse_categories(raw: &[String], errors: &mut FieldErrors) -> Vec<String> {
    let mut categories: Vec<String> = Vec::new();
    for entry in raw {
        let name = entry.trim();
        if name.is_empty() || categories.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            continue;
        }
        if name.chars().count() > MAX_CATEGORY_CHARS {
            errors.add(
                Field::Categories,
                Problem::TooLong {
                    max: MAX_CATEGORY_CHARS as u32,
                },
            );
            continue;
        }
        categories.push(name.to_owned());
    }
    if categories.len() > MAX_CATEGORIES {
        errors.add(
            Field::Categories,
            Problem::TooMany {
                max: MAX_CATEGORIES as u32,
            },
        );
    }
    categories
}

/// `reminder`: empty = none, else minutes before the start.
pub fn parse_reminder(raw: &str, errors: &mut FieldErrors) -> Option<u32> {
    match raw.trim() {
        "" | "none" => None,
        text => match text.parse::<u32>() {
            Ok(minutes) if minutes <= MAX_REMINDER_MINUTES => Some(minutes),
            _ => {
                errors.add(
                    Field::Reminder,
                    Problem::OutOfRange {
                        min: 0,
                        max: MAX_REMINDER_MINUTES,
                    },
                );
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_repeats_dropped() {
        let mut errors = FieldErrors::new();
        let raw = vec![
            " bob@example.com ".to_owned(),
            "Bob@Example.com".to_owned(),
            String::new(),
            "carol@example.com".to_owned(),
        ];
        assert_eq!(
            parse_addresses(&raw, Field::RequiredAttendees, &mut errors),
            ["bob@example.com", "carol@example.com"]
        );
        assert!(errors.is_empty());
        for bad in [
            "bob",
            "bob@",
            "@example.com",
            "bob@example",
            "bob smith@example.com",
            "a@b@c.com",
            "x@example.com>",
        ] {
            let mut errors = FieldErrors::new();
            parse_addresses(&[bad.to_owned()], Field::Rooms, &mut errors);
            assert!(errors.get(Field::Rooms).is_some(), "{bad}");
        }
    }

    #[test]
    fn reminders_and_categories() {
        let mut errors = FieldErrors::new();
        assert_eq!(parse_reminder("", &mut errors), None);
        assert_eq!(parse_reminder("15", &mut errors), Some(15));
        assert_eq!(parse_reminder("0", &mut errors), Some(0));
        assert!(errors.is_empty());
        parse_reminder("-5", &mut errors);
        assert!(errors.get(Field::Reminder).is_some());
        let mut errors = FieldErrors::new();
        let raw = ["Blue".to_owned(), " blue ".to_owned(), "Red".to_owned()];
        assert_eq!(parse_categories(&raw, &mut errors), ["Blue", "Red"]);
    }
}
