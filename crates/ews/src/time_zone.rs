//! Time zones: browser IANA names <-> EWS Windows ids, and wall-clock <-> UTC conversion.
//!
//! The browser reports an IANA name (`Europe/Paris`); EWS names zones by Windows id
//! (`Romance Standard Time`) in `StartTimeZone`/`EndTimeZone`/`TimeZoneContext`
//! (<https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/time-zones-and-ews-in-exchange>).
//! The mapping is CLDR's `windowsZones` table plus CLDR's alias list, generated into
//! `time_zone/cldr_windows_zones.rs` by `scripts/gen-time-zones.py`; offsets and DST rules come from
//! chrono-tz (the IANA tz database).
//!
//! Wall-clock conversion rules, applied the same way everywhere:
//! - a local time that does not exist (skipped by a spring-forward change) is an error,
//!   [`TimeZoneError::NonexistentLocalTime`], which names the first valid time after the gap:
//!   silently moving a meeting the user typed would be worse than asking again
//!   ([`local_to_utc_shifting_gaps`] applies RFC 5545's shift instead, for recurrences);
//! - a local time that happens twice (fall-back change) resolves to its FIRST occurrence, the
//!   earlier instant, i.e. still on the offset in force before the change (summer time).
//!   That is what Outlook and Exchange do for a time typed into a form;
//! - an all-day date spans from the first instant of that local day to the first instant of
//!   the next one ([`local_day_bounds`]): 23 or 25 hours on a DST change day, and a day whose
//!   midnight is skipped starts at the end of the gap.

mod cldr_windows_zones;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

pub use cldr_windows_zones::CLDR_VERSION;

/// Why a time zone conversion failed. Every message names the zone and the time involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeZoneError {
    /// Not a name of the IANA time zone database (as known to chrono-tz).
    #[error("unknown time zone {0:?}: expected an IANA name such as \"Europe/Paris\"")]
    UnknownZone(String),
    /// The local time falls in a spring-forward gap.
    #[error(
        "{local} does not exist in {zone}: the clocks jump forward that day; \
         the first valid time after it is {next_valid}"
    )]
    NonexistentLocalTime {
        local: NaiveDateTime,
        zone: String,
        /// The local time at the instant the clocks jumped (end of the gap).
        next_valid: NaiveDateTime,
    },
    /// The time lies outside the range chrono can represent once shifted by the offset.
    #[error("{0} is out of the supported date range")]
    OutOfRange(String),
}

/// Zones whose rules the tz database changed after CLDR 48 last mapped them: CLDR still
/// names a Windows zone with other offsets, which would shift every meeting there by an hour
/// or more. Each maps to the Windows zone whose CLDR default has the same rules today (the
/// round-trip test over every zone proves it and flags new drift when CLDR or chrono-tz move).
const TZDB_CORRECTIONS: &[(&str, &str)] = &[
    // tzdata 2024b: -02/-01 with EU rules since March 2024, like Nuuk (CLDR: Azores, -01/+00).
    ("America/Scoresbysund", "Greenland Standard Time"),
    // tzdata 2023d+: Casey stays on +08 (CLDR: Central Pacific, +11).
    ("Antarctica/Casey", "W. Australia Standard Time"),
    // tzdata 2023d: Vostok moved to +05 in December 2023 (CLDR: Central Asia, +06).
    ("Antarctica/Vostok", "West Asia Standard Time"),
];

/// The Windows time zone id for an IANA zone name or alias, e.g. `Europe/Paris` ->
/// `Romance Standard Time`, `Asia/Calcutta` and `Asia/Kolkata` -> `India Standard Time`,
/// `Etc/UTC` and `UTC` -> `UTC`. `None` when CLDR maps no Windows zone to it.
///
/// IANA names are case-sensitive in practice but some clients lower-case them, so an exact
/// match is tried first and an ASCII case-insensitive one after.
pub fn iana_to_windows(iana: &str) -> Option<&'static str> {
    if let Some((_, windows)) = TZDB_CORRECTIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(iana))
    {
        return Some(windows);
    }
    let table = cldr_windows_zones::IANA_TO_WINDOWS;
    match table.binary_search_by(|(name, _)| name.cmp(&iana)) {
        Ok(index) => Some(table[index].1),
        Err(_) => table
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(iana))
            .map(|(_, windows)| *windows),
    }
}

/// The IANA zone for a Windows time zone id, as CLDR chooses it for `territory` (an ISO 3166
/// region code such as `"US"`, or `"001"`, the world-wide default used when `None`). A
/// territory CLDR lists no zone for falls back to the `"001"` default, as CLDR specifies.
/// The name returned is the one current in the IANA database (`Asia/Kolkata`, not
/// `Asia/Calcutta`). `None` for an unknown Windows id.
pub fn windows_to_iana(windows_id: &str, territory: Option<&str>) -> Option<&'static str> {
    const WORLD: &str = "001";
    let table = cldr_windows_zones::WINDOWS_TO_IANA;
    let find = |territory: &str| {
        table
            .binary_search_by(|(windows, region, _)| {
                (*windows, *region).cmp(&(windows_id, territory))
            })
            .ok()
            .map(|index| table[index].2)
    };
    let territory = territory.unwrap_or(WORLD);
    find(territory).or_else(|| find(WORLD)).or_else(|| {
        // Windows ids arrive from servers and config files; tolerate a case slip.
        let (windows, _, _) = table
            .iter()
            .find(|(w, _, _)| w.eq_ignore_ascii_case(windows_id))?;
        table
            .iter()
            .find(|(w, region, _)| w == windows && region.eq_ignore_ascii_case(territory))
            .or_else(|| {
                table
                    .iter()
                    .find(|(w, region, _)| w == windows && *region == WORLD)
            })
            .map(|(_, _, iana)| *iana)
    })
}

/// Parses an IANA zone name (zones and links, e.g. `US/Eastern`) into a chrono-tz zone.
pub fn parse_zone(iana: &str) -> Result<Tz, TimeZoneError> {
    iana.parse::<Tz>()
        .map_err(|_| TimeZoneError::UnknownZone(iana.to_owned()))
}

/// The UTC instant of a wall-clock time in the IANA zone `iana`.
///
/// A time skipped by a spring-forward change is an error naming the first valid time after
/// the gap; a time that happens twice resolves to its first occurrence (the earlier instant,
/// on the pre-change offset). See the module documentation.
pub fn local_to_utc(naive: NaiveDateTime, iana: &str) -> Result<DateTime<Utc>, TimeZoneError> {
    let zone = parse_zone(iana)?;
    resolve_local(&zone, naive)?.ok_or_else(|| TimeZoneError::NonexistentLocalTime {
        local: naive,
        zone: iana.to_owned(),
        next_valid: gap_end(&zone, naive)
            .and_then(|instant| local_of(&zone, instant))
            .unwrap_or(naive),
    })
}

/// Like [`local_to_utc`], but a time skipped by a spring-forward change is read with the
/// offset in force just before the change (RFC 5545 §3.3.5), i.e. moved forward by the length
/// of the gap: 02:30 in Paris on 29 March 2026 becomes 03:30 CEST, and 02:15 at Lord Howe
/// Island (a 30-minute change) becomes 02:45. For occurrences of a recurring series, which must
/// not vanish on a DST change day; a time the user typed should go through [`local_to_utc`].
pub fn local_to_utc_shifting_gaps(
    naive: NaiveDateTime,
    iana: &str,
) -> Result<DateTime<Utc>, TimeZoneError> {
    let zone = parse_zone(iana)?;
    if let Some(instant) = resolve_local(&zone, naive)? {
        return Ok(instant);
    }
    let out_of_range = || TimeZoneError::OutOfRange(naive.to_string());
    let change = gap_end(&zone, naive).ok_or_else(out_of_range)?;
    let before = change - Duration::seconds(1);
    let offset_before = zone.offset_from_utc_datetime(&before.naive_utc()).fix();
    naive
        .checked_sub_offset(offset_before)
        .map(|utc| utc.and_utc())
        .ok_or_else(out_of_range)
}

/// The wall-clock time in the IANA zone `iana` at the UTC instant `utc`.
pub fn utc_to_local(utc: DateTime<Utc>, iana: &str) -> Result<NaiveDateTime, TimeZoneError> {
    let zone = parse_zone(iana)?;
    local_of(&zone, utc).ok_or_else(|| TimeZoneError::OutOfRange(utc.to_rfc3339()))
}

/// The first instant of the local `date` in `iana`: local midnight, or the end of the gap on
/// the rare days whose midnight is skipped (e.g. `America/Santiago` in September).
pub fn start_of_local_day(date: NaiveDate, iana: &str) -> Result<DateTime<Utc>, TimeZoneError> {
    let zone = parse_zone(iana)?;
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    match resolve_local(&zone, midnight)? {
        Some(instant) => Ok(instant),
        None => {
            gap_end(&zone, midnight).ok_or_else(|| TimeZoneError::OutOfRange(midnight.to_string()))
        }
    }
}

/// The UTC span `[start, end)` of an all-day event on the local `date` in `iana`: from the
/// first instant of that day to the first instant of the next. 24 hours most days, 23 or 25
/// on a DST change day.
pub fn local_day_bounds(
    date: NaiveDate,
    iana: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), TimeZoneError> {
    let next = date
        .succ_opt()
        .ok_or_else(|| TimeZoneError::OutOfRange(date.to_string()))?;
    Ok((
        start_of_local_day(date, iana)?,
        start_of_local_day(next, iana)?,
    ))
}

/// `Ok(None)` when `naive` is in a gap; the earlier instant when it is ambiguous.
fn resolve_local(zone: &Tz, naive: NaiveDateTime) -> Result<Option<DateTime<Utc>>, TimeZoneError> {
    let offset = match zone.offset_from_local_datetime(&naive) {
        chrono::MappedLocalTime::Single(offset) => offset,
        // Two offsets: the instant computed with the larger UTC offset is the earlier one.
        chrono::MappedLocalTime::Ambiguous(first, second) => {
            if first.fix().local_minus_utc() >= second.fix().local_minus_utc() {
                first
            } else {
                second
            }
        }
        chrono::MappedLocalTime::None => return Ok(None),
    };
    naive
        .checked_sub_offset(offset.fix())
        .map(|utc| Some(utc.and_utc()))
        .ok_or_else(|| TimeZoneError::OutOfRange(naive.to_string()))
}

/// Wall-clock time of `instant` in `zone`, without chrono's panicking `naive_local`.
fn local_of(zone: &Tz, instant: DateTime<Utc>) -> Option<NaiveDateTime> {
    let offset = zone.offset_from_utc_datetime(&instant.naive_utc());
    instant.naive_utc().checked_add_offset(offset.fix())
}

/// The instant the clocks jumped over the nonexistent local time `naive`: the first instant
/// whose local time is later than `naive`. Offsets lie within ±26 h, so it is found by
/// bisection (to the second) within a day either side of `naive` read as UTC.
fn gap_end(zone: &Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    let window = Duration::hours(26);
    let mut before = naive.checked_sub_signed(window)?.and_utc().timestamp();
    let mut after = naive.checked_add_signed(window)?.and_utc().timestamp();
    let local_after = |seconds: i64| {
        DateTime::from_timestamp(seconds, 0)
            .and_then(|instant| local_of(zone, instant))
            .map(|local| local > naive)
    };
    // Invariant: local(before) <= naive < local(after).
    if local_after(before)? || !local_after(after)? {
        return None;
    }
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if local_after(middle)? {
            after = middle;
        } else {
            before = middle;
        }
    }
    DateTime::from_timestamp(after, 0)
}

#[cfg(test)]
mod tests;
