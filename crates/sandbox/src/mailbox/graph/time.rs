//! Graph's [dateTimeTimeZone](https://learn.microsoft.com/en-us/graph/api/resources/datetimetimezone):
//! a wall-clock `dateTime` plus a `timeZone` that may be a Windows id (`Pacific Standard
//! Time`) or an IANA name (`Europe/Paris`); and the `Prefer: outlook.timezone` header that picks
//! the zone answers are written in.

use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Timelike, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::GraphError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    pub date_time: String,
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// A zone as a client named it, with the IANA zone used for arithmetic and the Windows id the
/// store keeps (recurrence expansion and the EWS front end read Windows ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub iana: String,
    pub windows: Option<String>,
}

impl Zone {
    pub fn utc() -> Self {
        Self {
            name: "UTC".into(),
            iana: "UTC".into(),
            windows: Some("UTC".into()),
        }
    }

    /// A Windows id or an IANA name; `None` when it is neither.
    pub fn named(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return None;
        }
        if let Some(iana) = ews::time_zone::windows_to_iana(name, None) {
            return Some(Self {
                name: name.to_owned(),
                iana: iana.to_owned(),
                windows: Some(name.to_owned()),
            });
        }
        ews::time_zone::parse_zone(name).ok()?;
        Some(Self {
            name: name.to_owned(),
            iana: name.to_owned(),
            windows: ews::time_zone::iana_to_windows(name).map(str::to_owned),
        })
    }

    /// The zone the store recorded for an item (a Windows id), UTC when none or unknown.
    pub fn stored(windows: Option<&str>) -> Self {
        windows.and_then(Self::named).unwrap_or_else(Self::utc)
    }
}

fn parse_local(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M"))
        .ok()
}

/// An ISO 8601 instant as query strings carry it (`2026-12-01T00:00:00Z`, with an offset, or
/// without one, which Graph reads as UTC).
pub fn parse_query_instant(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| parse_local(value).map(|local| local.and_utc()))
}

impl DateTimeTimeZone {
    /// The instant it names and the zone it was given in. `property` names the field in errors.
    pub fn resolve(&self, property: &str) -> Result<(DateTime<Utc>, Zone), GraphError> {
        let zone = match self.time_zone.as_deref() {
            None => Zone::utc(),
            Some(name) => Zone::named(name).ok_or_else(|| {
                GraphError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "TimeZoneNotSupportedException",
                    format!("A valid TimeZone value must be specified in '{property}'. The following TimeZone value is not supported: '{}'.", truncated(name)),
                )
            })?,
        };
        let text = self.date_time.trim();
        if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
            return Ok((with_offset.with_timezone(&Utc), zone));
        }
        let local = parse_local(text).ok_or_else(|| {
            GraphError::invalid_property(
                property,
                format!(
                    "'{}' is not an ISO 8601 date and time",
                    truncated(&self.date_time)
                ),
            )
        })?;
        let instant = ews::time_zone::local_to_utc(local, &zone.iana)
            .map_err(|e| GraphError::invalid_property(property, e))?;
        Ok((instant, zone))
    }
}

/// At most 64 characters of a client's value, for error messages.
pub fn truncated(value: &str) -> String {
    value.chars().take(64).collect()
}

/// `{dateTime, timeZone}` of an instant written in `zone`, Graph's 7-digit fraction included.
pub fn to_graph(instant: DateTime<Utc>, zone: &Zone) -> Value {
    let local =
        ews::time_zone::utc_to_local(instant, &zone.iana).unwrap_or_else(|_| instant.naive_utc());
    json!({
        "dateTime": format!(
            "{}.{:07}",
            local.format("%Y-%m-%dT%H:%M:%S"),
            local.nanosecond() / 100
        ),
        "timeZone": zone.name,
    })
}

/// Timestamps such as `createdDateTime`: UTC, ISO 8601.
pub fn timestamp(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The zone of `Prefer: outlook.timezone="…"`; UTC without one (as Graph), and for an unknown
/// zone too.
pub fn preferred_zone(headers: &HeaderMap) -> Zone {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|preference| {
            let (name, value) = preference.trim().split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("outlook.timezone")
                .then(|| value.trim().trim_matches('"').to_owned())
        })
        .find_map(|zone| Zone::named(&zone))
        .unwrap_or_else(Zone::utc)
}
