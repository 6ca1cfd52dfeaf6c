//! Reading Microsoft's documentation as the Graph contract tests need it: the fixtures of
//! `tests/graph_fixtures/`, the property names of a transcribed table, the values a row lists.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use proxy::mailbox::PreparedAppointment;
use serde_json::Value;

pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/graph_fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names in the first column of a transcribed property table, lower-cased (the
/// dateTimeTimeZone page capitalises them; JSON does not).
pub fn documented(page: &str) -> BTreeSet<String> {
    fixture(&format!("properties/{page}.md"))
        .lines()
        .filter_map(|line| line.trim().strip_prefix('|'))
        .filter_map(|row| row.split('|').next())
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| {
            !name.is_empty()
                && !name.starts_with(':')
                && name != "property"
                && name != "relationship"
        })
        .collect()
}

/// The keys of `object` that `page` does not document.
pub fn undocumented(object: &Value, page: &str) -> Vec<String> {
    let known = documented(page);
    object
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {object}"))
        .keys()
        .filter(|key| !known.contains(&key.to_ascii_lowercase()))
        .cloned()
        .collect()
}

pub fn assert_documented(object: &Value, page: &str) {
    let extra = undocumented(object, page);
    assert!(
        extra.is_empty(),
        "{page} documents no {extra:?} (in {object})"
    );
}

/// The values a table row lists as "Possible values are: `a`, `b`".
pub fn possible_values(page: &str, property: &str) -> BTreeSet<String> {
    let text = fixture(&format!("properties/{page}.md"));
    let row = text
        .lines()
        .find(|line| line.starts_with(&format!("|{property}|")))
        .unwrap_or_else(|| panic!("no row {property} in {page}"));
    row.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

pub fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

pub fn appointment() -> PreparedAppointment {
    PreparedAppointment {
        subject: "Budget review".into(),
        start: utc("2026-12-01T08:00:00Z"),
        end: utc("2026-12-01T09:30:00Z"),
        location: Some("Room 4.12".into()),
        body: Some("Agenda: budget".into()),
        time_zone: "Europe/Paris".into(),
        details: model::MeetingDetails::default(),
    }
}
