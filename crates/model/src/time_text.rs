//! Dates and times as the forms and the JSON API write them, read without chrono's
//! general-purpose parsers.
//!
//! `NaiveDateTime::parse_from_str`, `NaiveDate::from_str` and `DateTime::from_str` interpret
//! format descriptions at run time; using any of them puts that whole interpreter (format
//! items, `Parsed` and its resolution rules, RFC 2822 names) into the widget's wasm. The readers
//! here accept exactly the strings those calls accepted for the formats this crate uses, with
//! the same values: the tests compare them with chrono on thousands of spellings.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// What chrono's `%Y-%m-%d` reads, as the whole of `text`.
pub fn date(text: &str) -> Option<NaiveDate> {
    let mut scan = Scan(text);
    let date = scan.date()?;
    scan.end()?;
    Some(date)
}

/// What `NaiveDate::from_str` reads: `%Y-%m-%d` with whitespace allowed around every part.
pub fn date_with_spaces(text: &str) -> Option<NaiveDate> {
    let mut scan = Scan(text);
    let year = scan.year()?;
    scan.skip_spaces();
    scan.literal("-")?;
    let month = scan.number(2)?;
    scan.skip_spaces();
    scan.literal("-")?;
    let day = scan.number(2)?;
    scan.skip_spaces();
    scan.end()?;
    ymd(year, month, day)
}

/// What chrono reads with any of `%Y-%m-%dT%H:%M`, `%Y-%m-%dT%H:%M:%S` and
/// `%Y-%m-%dT%H:%M:%S%.f`, as the whole of `text`.
pub fn date_time(text: &str) -> Option<NaiveDateTime> {
    let mut scan = Scan(text);
    let date = scan.date()?;
    scan.literal("T")?;
    let hour = scan.number(2)?;
    scan.literal(":")?;
    let minute = scan.number(2)?;
    let (second, nano) = if scan.rest().is_empty() {
        (0, 0)
    } else {
        scan.literal(":")?;
        let second = scan.number(2)?;
        let nano = if scan.rest().starts_with('.') {
            scan.literal(".")?;
            scan.fraction()?
        } else {
            0
        };
        (second, nano)
    };
    scan.end()?;
    let time = time(hour, minute, second, nano)?;
    Some(date.and_time(time))
}

/// An hour, minute and second (60 is a leap second, as chrono reads it) plus nanoseconds.
fn time(hour: i64, minute: i64, second: i64, nano: u32) -> Option<NaiveTime> {
    if !(0..=23).contains(&hour) || !(0..=59).contains(&minute) {
        return None;
    }
    let (second, leap) = match second {
        0..=59 => (second, 0),
        60 => (59, 1_000_000_000),
        _ => return None,
    };
    NaiveTime::from_hms_nano_opt(hour as u32, minute as u32, second as u32, leap + nano)
}

fn ymd(year: i64, month: i64, day: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )
}

/// A cursor over the text, reading fields the way chrono's format items do.
struct Scan<'a>(&'a str);

impl Scan<'_> {
    fn rest(&self) -> &str {
        self.0
    }

    fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }

    fn skip_spaces(&mut self) {
        self.0 = self.0.trim_start();
    }

    fn literal(&mut self, expected: &str) -> Option<()> {
        self.0 = self.0.strip_prefix(expected)?;
        Some(())
    }

    /// `%Y-%m-%d` (a numeric field skips the whitespace before it; a literal does not).
    fn date(&mut self) -> Option<NaiveDate> {
        let year = self.year()?;
        self.literal("-")?;
        let month = self.number(2)?;
        self.literal("-")?;
        let day = self.number(2)?;
        ymd(year, month, day)
    }

    /// Up to four digits, or a sign and any number of digits.
    fn year(&mut self) -> Option<i64> {
        self.skip_spaces();
        if let Some(rest) = self.0.strip_prefix('-') {
            self.0 = rest;
            0i64.checked_sub(self.digits(usize::MAX)?.0)
        } else if let Some(rest) = self.0.strip_prefix('+') {
            self.0 = rest;
            Some(self.digits(usize::MAX)?.0)
        } else {
            Some(self.digits(4)?.0)
        }
    }

    /// One to `max` digits after optional whitespace.
    fn number(&mut self, max: usize) -> Option<i64> {
        self.skip_spaces();
        Some(self.digits(max)?.0)
    }

    /// `Z`, `z`, or a sign (`+`, `-` or U+2212 minus) and `HH:MM`, any hour that keeps the
    /// offset within a day.
    fn utc_offset(&mut self) -> Option<FixedOffset> {
        if let Some(rest) = self.0.strip_prefix(['Z', 'z']) {
            self.0 = rest;
            return FixedOffset::east_opt(0);
        }
        let sign = if let Some(rest) = self.0.strip_prefix('+') {
            self.0 = rest;
            1
        } else {
            self.0 = self.0.strip_prefix(['-', '\u{2212}'])?;
            -1
        };
        let hours = self.exactly_two_digits()?;
        self.literal(":")?;
        let minutes = self.exactly_two_digits().filter(|m| *m < 60)?;
        FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
    }

    fn exactly_two_digits(&mut self) -> Option<i32> {
        let pair = self
            .0
            .get(..2)
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))?;
        self.0 = &self.0[2..];
        pair.parse().ok()
    }

    /// `%.f` after its dot: one to nine significant digits, later digits ignored.
    fn fraction(&mut self) -> Option<u32> {
        let (value, count) = self.digits(9)?;
        self.0 = self.0.trim_start_matches(|c: char| c.is_ascii_digit());
        let scale = 10i64.pow(9 - count as u32);
        u32::try_from(value * scale).ok()
    }

    /// One to `max` ASCII digits: their value and how many there were.
    fn digits(&mut self, max: usize) -> Option<(i64, usize)> {
        let count = self
            .0
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if count == 0 {
            return None;
        }
        let value = self.0.as_bytes()[..count].iter().try_fold(0i64, |n, d| {
            n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
        })?;
        self.0 = &self.0[count..];
        Some((value, count))
    }
}

/// An RFC 3339 instant, read as `DateTime::parse_from_rfc3339` reads it (which would bring
/// chrono's scanners into the wasm): `YYYY-MM-DD`, `T`, `t` or a space, `HH:MM:SS`, an optional
/// fraction (digits past the ninth ignored), then `Z`, `z` or a `±HH:MM` offset below a day.
pub fn rfc3339_instant(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let digit_pair = |at: usize| -> Option<u32> {
        let pair = bytes.get(at..at + 2)?;
        pair.iter().try_fold(0, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let separator = |at: usize, allowed: &[u8]| bytes.get(at).filter(|b| allowed.contains(b));
    let year = digit_pair(0)? * 100 + digit_pair(2)?;
    separator(4, b"-")?;
    let month = digit_pair(5)?;
    separator(7, b"-")?;
    let day = digit_pair(8)?;
    separator(10, b"Tt ")?;
    let hour = digit_pair(11)?;
    separator(13, b":")?;
    let minute = digit_pair(14)?;
    separator(16, b":")?;
    let second = digit_pair(17)?;
    let date = ymd(i64::from(year), i64::from(month), i64::from(day))?;
    // The first 19 bytes are ASCII, so 19 and 20 are character boundaries.
    let mut scan = Scan(&text[19..]);
    let nano = if scan.literal(".").is_some() {
        scan.fraction()?
    } else {
        0
    };
    let time = time(i64::from(hour), i64::from(minute), i64::from(second), nano)?;
    let offset = scan.utc_offset()?;
    scan.end()?;
    date.and_time(time)
        .checked_sub_offset(offset)
        .map(|utc| utc.and_utc())
}

/// Serde for `DateTime<Utc>` as RFC 3339: written as chrono writes it
/// (`2026-12-01T09:00:00Z`), read with chrono's strict RFC 3339 reader rather than its
/// relaxed `FromStr` (which also takes `+0000`, `UTC` and stray spaces, none of which the
/// proxy writes).
pub mod rfc3339 {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        rfc3339_instant(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("'{text}' is not an RFC 3339 date and time"))
        })
    }
}

/// Serde for `Option<NaiveDate>` as `YYYY-MM-DD` or null: written as chrono writes it, read as
/// `NaiveDate::from_str` reads it.
pub mod optional_date {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        let Some(text) = Option::<std::borrow::Cow<str>>::deserialize(deserializer)? else {
            return Ok(None);
        };
        date_with_spaces(&text).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("'{text}' is not a date such as 2026-12-01"))
        })
    }
}

/// Serde for `Option<DateTime<Utc>>` as RFC 3339 or null.
pub mod optional_rfc3339 {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        let Some(text) = Option::<std::borrow::Cow<str>>::deserialize(deserializer)? else {
            return Ok(None);
        };
        rfc3339_instant(&text).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("'{text}' is not an RFC 3339 date and time"))
        })
    }
}

/// Serde for `NaiveDate` as `YYYY-MM-DD` (chrono's serde would pull its format parser in).
pub mod calendar_date {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(value: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        date_with_spaces(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("'{text}' is not a date such as 2026-12-01"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of the given parts, concatenated.
    fn spellings(parts: &[&[&str]]) -> Vec<String> {
        parts.iter().fold(vec![String::new()], |acc, choices| {
            acc.iter()
                .flat_map(|prefix| choices.iter().map(move |c| format!("{prefix}{c}")))
                .collect()
        })
    }

    const YEARS: &[&str] = &[
        "2026",
        "0",
        "99",
        "0000",
        "20261",
        "+12345",
        "-0001",
        "+",
        "-",
        " 2026",
        "x",
        "+99999999999999999999",
    ];
    const DASHES: &[&str] = &["-", " -", "- ", ""];
    const MONTHS: &[&str] = &["1", "02", "12", "13", "00", " 3", "001", ""];
    const DAYS: &[&str] = &["1", "28", "29", "30", "31", "00", " 5", "5 ", ""];

    #[test]
    fn dates_read_as_chrono_reads_them() {
        let inputs = spellings(&[YEARS, DASHES, MONTHS, DASHES, DAYS]);
        assert!(inputs.len() > 10_000);
        let mut accepted = 0;
        for input in &inputs {
            let chrono = NaiveDate::parse_from_str(input, "%Y-%m-%d").ok();
            assert_eq!(date(input), chrono, "%Y-%m-%d on {input:?}");
            let chrono_from_str = input.parse::<NaiveDate>().ok();
            assert_eq!(
                date_with_spaces(input),
                chrono_from_str,
                "from_str on {input:?}"
            );
            accepted += usize::from(chrono.is_some());
        }
        assert!(accepted > 100, "the corpus should hold valid dates too");
    }

    #[test]
    fn date_times_read_as_chrono_reads_them() {
        let dates: &[&str] = &["2026-02-28", "2026-2-29", "2024-02-29", "+12345-01-01"];
        let hours: &[&str] = &["T09", "T9", "T 9", "T24", "t09", " T09", "T"];
        let minutes: &[&str] = &[":30", ":5", ":60", ": 1", ":", ""];
        let seconds: &[&str] = &["", ":15", ":60", ":61", ":5", ":", ": 7"];
        let fractions: &[&str] = &[
            "",
            ".",
            ".2",
            ".250",
            ".123456789",
            ".1234567891234",
            "x",
            " ",
        ];
        let inputs = spellings(&[dates, hours, minutes, seconds, fractions]);
        let mut accepted = 0;
        for input in &inputs {
            let chrono = [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M:%S%.f",
            ]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(input, format).ok());
            assert_eq!(date_time(input), chrono, "{input:?}");
            accepted += usize::from(chrono.is_some());
        }
        assert!(
            accepted > 100,
            "the corpus should hold valid date-times too"
        );
    }

    #[test]
    fn instants_read_as_chrono_reads_them() {
        let dates: &[&str] = &[
            "2026-12-01",
            "2024-02-29",
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "0000-01-01",
            "9999-12-31",
            "2026-1-01",
            "2026/12/01",
            "2O26-12-01",
            "+2026-12-01",
        ];
        let separators: &[&str] = &["T", "t", " ", "_", ""];
        let times: &[&str] = &[
            "09:30:15", "00:00:00", "23:59:59", "24:00:00", "12:60:00", "23:59:60", "23:59:61",
            "9:30:15", "09:30", "09-30-15",
        ];
        let fractions: &[&str] = &["", ".", ".5", ".123456789", ".1234567891234", ".x"];
        let offsets: &[&str] = &[
            "Z",
            "z",
            "",
            "+01:00",
            "-05:30",
            "\u{2212}02:00",
            "+23:59",
            "+24:00",
            "-23:59",
            "+01:60",
            "+0100",
            "+01",
            "+1:00",
            "+01:0",
            "Z ",
            " Z",
            "+01:00:00",
            "UTC",
        ];
        let inputs = spellings(&[dates, separators, times, fractions, offsets]);
        let mut accepted = 0;
        for input in &inputs {
            let chrono = DateTime::parse_from_rfc3339(input)
                .ok()
                .map(|t| t.with_timezone(&Utc));
            assert_eq!(rfc3339_instant(input), chrono, "{input:?}");
            accepted += usize::from(chrono.is_some());
        }
        assert!(accepted > 1000, "the corpus should hold valid instants too");
        for short in [
            "",
            "2026-12-01",
            "2026-12-01T09:30:1",
            "2026-12-01T09:30:15+0",
        ] {
            assert_eq!(rfc3339_instant(short), None, "{short:?}");
        }
        let leap = rfc3339_instant("2016-12-31T23:59:60.5+01:00").unwrap();
        assert_eq!(leap.to_rfc3339(), "2016-12-31T22:59:60.500+00:00");
    }

    #[test]
    fn instants_and_dates_round_trip_through_json() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Both {
            #[serde(with = "rfc3339")]
            at: DateTime<Utc>,
            #[serde(default, with = "optional_date")]
            on: Option<NaiveDate>,
        }
        let json = r#"{"at":"2026-12-01T08:00:00.5+01:00","on":"2026-12-01"}"#;
        let both: Both = serde_json::from_str(json).unwrap();
        assert_eq!(both.at.to_rfc3339(), "2026-12-01T07:00:00.500+00:00");
        assert_eq!(
            serde_json::to_string(&both).unwrap(),
            r#"{"at":"2026-12-01T07:00:00.500Z","on":"2026-12-01"}"#
        );
        let none: Both =
            serde_json::from_str(r#"{"at":"2026-12-01T07:00:00Z","on":null}"#).unwrap();
        assert_eq!(none.on, None);
        let missing: Both = serde_json::from_str(r#"{"at":"2026-12-01T07:00:00Z"}"#).unwrap();
        assert_eq!(missing.on, None);
        assert!(serde_json::from_str::<Both>(r#"{"at":"yesterday"}"#).is_err());
        assert!(
            serde_json::from_str::<Both>(r#"{"at":"2026-12-01T07:00:00Z","on":"2026-13-01"}"#)
                .is_err()
        );
    }
}
