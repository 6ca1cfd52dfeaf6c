//! `xs:dateTime` and `xs:date` values as EWS sends them: with `Z`, with an offset, or
//! without a zone (then interpreted in the request's time zone context).
//!
//! [Time zones and EWS](https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/time-zones-and-ews-in-exchange)

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::xml::XmlValue;

/// An `xs:dateTime`. `offset: None` means "no zone designator" (floating local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EwsDateTime {
    pub local: NaiveDateTime,
    pub offset: Option<FixedOffset>,
}

impl EwsDateTime {
    /// A UTC instant (written with `Z`).
    pub fn utc(dt: DateTime<Utc>) -> Self {
        EwsDateTime {
            local: dt.naive_utc(),
            offset: Some(FixedOffset::east_opt(0).expect("0 is valid")),
        }
    }
    /// A local time without zone designator.
    pub fn floating(local: NaiveDateTime) -> Self {
        EwsDateTime {
            local,
            offset: None,
        }
    }
    /// The instant, if the value carries a zone.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        let off = self.offset?;
        off.from_local_datetime(&self.local)
            .single()
            .map(|d| d.with_timezone(&Utc))
    }
    /// Parse `YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = crate::xml::trim_value(s);
        if let Some(v) = fast_parse(s.as_bytes()) {
            return Ok(v);
        }
        let bad = || "invalid dateTime".to_string();
        if s.len() < 19 || !s.is_char_boundary(19) {
            return Err(bad());
        }
        let (zone_at, offset) = split_zone(s, 19).ok_or_else(bad)?;
        let local = NaiveDateTime::parse_from_str(&s[..zone_at], "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| bad())?;
        Ok(EwsDateTime { local, offset })
    }
}

/// Fast path for the common `YYYY-MM-DDThh:mm:ss` (+ `Z` or nothing); None -> slow path.
fn fast_parse(b: &[u8]) -> Option<EwsDateTime> {
    if !(b.len() == 19 || (b.len() == 20 && b[19] == b'Z')) {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let local = date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    let offset = if b.len() == 20 {
        Some(FixedOffset::east_opt(0)?)
    } else {
        None
    };
    Some(EwsDateTime { local, offset })
}

/// Find a zone designator at the end of `s` (searching from `from`).
fn split_zone(s: &str, from: usize) -> Option<(usize, Option<FixedOffset>)> {
    if let Some(stripped) = s.strip_suffix('Z') {
        if stripped.len() >= from {
            return Some((stripped.len(), FixedOffset::east_opt(0)));
        }
        return None;
    }
    if s.len() >= from + 6 && s.is_char_boundary(s.len() - 6) && s[s.len() - 6..].is_ascii() {
        let tail = &s[s.len() - 6..];
        let b = tail.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
            let h: i32 = tail[1..3].parse().ok()?;
            let m: i32 = tail[4..6].parse().ok()?;
            if h > 14 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) * if b[0] == b'-' { -1 } else { 1 };
            return Some((s.len() - 6, Some(FixedOffset::east_opt(secs)?)));
        }
    }
    Some((s.len(), None))
}

fn write_zone(f: &mut fmt::Formatter<'_>, offset: Option<FixedOffset>) -> fmt::Result {
    match offset {
        None => Ok(()),
        Some(o) if o.local_minus_utc() == 0 => f.write_str("Z"),
        Some(o) => {
            let s = o.local_minus_utc();
            let sign = if s < 0 { '-' } else { '+' };
            let a = s.abs();
            write!(f, "{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
        }
    }
}

impl fmt::Display for EwsDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.local.nanosecond() == 0 {
            write!(f, "{}", self.local.format("%Y-%m-%dT%H:%M:%S"))?;
        } else {
            let frac = format!("{:09}", self.local.nanosecond() % 1_000_000_000);
            write!(
                f,
                "{}.{}",
                self.local.format("%Y-%m-%dT%H:%M:%S"),
                frac.trim_end_matches('0')
            )?;
        }
        write_zone(f, self.offset)
    }
}

impl FromStr for EwsDateTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EwsDateTime::parse(s)
    }
}

impl From<DateTime<Utc>> for EwsDateTime {
    fn from(d: DateTime<Utc>) -> Self {
        EwsDateTime::utc(d)
    }
}

impl XmlValue for EwsDateTime {
    fn parse_xml(s: &str) -> Result<Self, String> {
        EwsDateTime::parse(s)
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl Serialize for EwsDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EwsDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        EwsDateTime::parse(&s).map_err(|e| serde::de::Error::custom(format!("{e} '{s}'")))
    }
}

/// An `xs:date`, optionally with a zone (EWS writes recurrence dates like `2006-10-26-07:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EwsDate {
    pub date: NaiveDate,
    pub offset: Option<FixedOffset>,
}

impl EwsDate {
    pub fn new(date: NaiveDate) -> Self {
        EwsDate { date, offset: None }
    }
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = crate::xml::trim_value(s);
        let bad = || "invalid date".to_string();
        if s.len() < 10 || !s.is_char_boundary(10) {
            return Err(bad());
        }
        let (zone_at, offset) = split_zone(s, 10).ok_or_else(bad)?;
        let date = NaiveDate::parse_from_str(&s[..zone_at], "%Y-%m-%d").map_err(|_| bad())?;
        Ok(EwsDate { date, offset })
    }
}

impl fmt::Display for EwsDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date.format("%Y-%m-%d"))?;
        write_zone(f, self.offset)
    }
}

impl From<NaiveDate> for EwsDate {
    fn from(d: NaiveDate) -> Self {
        EwsDate::new(d)
    }
}

impl XmlValue for EwsDate {
    fn parse_xml(s: &str) -> Result<Self, String> {
        EwsDate::parse(s)
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl Serialize for EwsDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EwsDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        EwsDate::parse(&s).map_err(|e| serde::de::Error::custom(format!("{e} '{s}'")))
    }
}
