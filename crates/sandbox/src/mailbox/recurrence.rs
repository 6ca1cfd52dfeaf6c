//! Recurring calendar items: the occurrences a CalendarView (and free/busy) shows, computed
//! from the master's pattern and range in the zone it was planned in, so a weekly 09:00
//! meeting stays at 09:00 local time across daylight-saving changes.
//!
//! Patterns: <https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/recurrence-patterns-and-ews>

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use ews::types::{
    CalendarItem, CalendarItemType, DayOfWeek, DayOfWeekIndex, EwsDateTime, ItemId, Month,
    Recurrence, RecurrencePattern, RecurrenceRange,
};

/// Upper bound on generated dates per expansion: a daily series over the two-year window a
/// calendar view may span stays far below it, and a malformed pattern cannot loop forever.
const MAX_STEPS: usize = 20_000;

/// Separates a master's id from the occurrence number in occurrence ids.
const OCCURRENCE_MARK: &str = ".occ";

/// The id of the `index`-th occurrence (1-based) of a master.
pub fn occurrence_id(master_id: &str, index: usize) -> String {
    format!("{master_id}{OCCURRENCE_MARK}{index}")
}

/// `(master id, index)` of an occurrence id.
pub fn parse_occurrence_id(id: &str) -> Option<(&str, usize)> {
    let (master, index) = id.rsplit_once(OCCURRENCE_MARK)?;
    let index = index.parse().ok().filter(|i| *i >= 1)?;
    Some((master, index))
}

fn weekdays(day: DayOfWeek) -> Vec<Weekday> {
    use Weekday::*;
    match day {
        DayOfWeek::Sunday => vec![Sun],
        DayOfWeek::Monday => vec![Mon],
        DayOfWeek::Tuesday => vec![Tue],
        DayOfWeek::Wednesday => vec![Wed],
        DayOfWeek::Thursday => vec![Thu],
        DayOfWeek::Friday => vec![Fri],
        DayOfWeek::Saturday => vec![Sat],
        DayOfWeek::Day => vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun],
        DayOfWeek::Weekday => vec![Mon, Tue, Wed, Thu, Fri],
        DayOfWeek::WeekendDay => vec![Sat, Sun],
    }
}

fn month_number(month: Month) -> u32 {
    match month {
        Month::January => 1,
        Month::February => 2,
        Month::March => 3,
        Month::April => 4,
        Month::May => 5,
        Month::June => 6,
        Month::July => 7,
        Month::August => 8,
        Month::September => 9,
        Month::October => 10,
        Month::November => 11,
        Month::December => 12,
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

/// Day `day` of the month, or its last day when the month is shorter (Exchange's rule).
fn clamped_day(year: i32, month: u32, day: i32) -> Option<NaiveDate> {
    let day = u32::try_from(day.max(1))
        .ok()?
        .min(days_in_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The first/second/…/last day of the month that is one of `days`.
fn relative_day(
    year: i32,
    month: u32,
    days: DayOfWeek,
    index: DayOfWeekIndex,
) -> Option<NaiveDate> {
    let wanted = weekdays(days);
    let matching: Vec<NaiveDate> = (1..=days_in_month(year, month))
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .filter(|d| wanted.contains(&d.weekday()))
        .collect();
    match index {
        DayOfWeekIndex::First => matching.first().copied(),
        DayOfWeekIndex::Second => matching.get(1).copied(),
        DayOfWeekIndex::Third => matching.get(2).copied(),
        DayOfWeekIndex::Fourth => matching.get(3).copied(),
        DayOfWeekIndex::Last => matching.last().copied(),
    }
}

/// `None` past the years chrono can represent.
fn add_months(year: i32, month: u32, months: i64) -> Option<(i32, u32)> {
    let total = i64::from(year)
        .checked_mul(12)?
        .checked_add(i64::from(month) - 1)?
        .checked_add(months)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    Some((year, u32::try_from(total.rem_euclid(12) + 1).ok()?))
}

/// Occurrence dates in order, from the range's start, stopping after `until` (inclusive) or the
/// range's end; at most `MAX_STEPS` candidates are looked at.
pub fn dates(recurrence: &Recurrence, until: NaiveDate) -> Vec<NaiveDate> {
    let (start, end, count) = match &recurrence.range {
        RecurrenceRange::NoEnd { start_date } => (start_date.date, None, None),
        RecurrenceRange::EndDate {
            start_date,
            end_date,
        } => (start_date.date, Some(end_date.date), None),
        RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences,
        } => (
            start_date.date,
            None,
            Some(usize::try_from(*number_of_occurrences).unwrap_or(0)),
        ),
    };
    let last = end.map_or(until, |e| e.min(until));
    let mut out = Vec::new();
    let push = |date: NaiveDate, out: &mut Vec<NaiveDate>| -> bool {
        // false = stop generating
        if date > last || count.is_some_and(|c| out.len() >= c) {
            return false;
        }
        if date >= start {
            out.push(date);
        }
        true
    };
    let interval = |i: i32| i64::from(i.max(1));
    match &recurrence.pattern {
        RecurrencePattern::Daily { interval: i } => {
            let mut date = start;
            for _ in 0..MAX_STEPS {
                if !push(date, &mut out) {
                    break;
                }
                // Checked: a hostile interval must end the series, not overflow the calendar.
                match date.checked_add_signed(Duration::days(interval(*i))) {
                    Some(next) => date = next,
                    None => break,
                }
            }
        }
        RecurrencePattern::Weekly {
            interval: i,
            days_of_week,
            first_day_of_week,
        } => {
            let first = first_day_of_week
                .map(weekdays)
                .and_then(|d| d.first().copied())
                .unwrap_or(Weekday::Sun);
            let mut wanted: Vec<Weekday> = days_of_week.iter().flat_map(|d| weekdays(*d)).collect();
            wanted
                .sort_by_key(|d| (7 + d.num_days_from_sunday() - first.num_days_from_sunday()) % 7);
            wanted.dedup();
            let back =
                (7 + start.weekday().num_days_from_sunday() - first.num_days_from_sunday()) % 7;
            let Some(mut week) = start.checked_sub_signed(Duration::days(i64::from(back))) else {
                return out;
            };
            'weeks: for _ in 0..MAX_STEPS / 7 {
                for day in &wanted {
                    let offset =
                        (7 + day.num_days_from_sunday() - first.num_days_from_sunday()) % 7;
                    let Some(date) = week.checked_add_signed(Duration::days(i64::from(offset)))
                    else {
                        break 'weeks;
                    };
                    if !push(date, &mut out) {
                        break 'weeks;
                    }
                }
                match week.checked_add_signed(Duration::weeks(interval(*i))) {
                    Some(next) => week = next,
                    None => break,
                }
            }
        }
        RecurrencePattern::AbsoluteMonthly {
            interval: i,
            day_of_month,
        } => {
            for step in 0..MAX_STEPS as i64 {
                let Some((y, m)) = add_months(
                    start.year(),
                    start.month(),
                    step.saturating_mul(interval(*i)),
                ) else {
                    break;
                };
                let Some(date) = clamped_day(y, m, *day_of_month) else {
                    break;
                };
                if !push(date, &mut out) {
                    break;
                }
            }
        }
        RecurrencePattern::RelativeMonthly {
            interval: i,
            days_of_week,
            day_of_week_index,
        } => {
            for step in 0..MAX_STEPS as i64 {
                let Some((y, m)) = add_months(
                    start.year(),
                    start.month(),
                    step.saturating_mul(interval(*i)),
                ) else {
                    break;
                };
                let Some(date) = relative_day(y, m, *days_of_week, *day_of_week_index) else {
                    continue;
                };
                if !push(date, &mut out) {
                    break;
                }
            }
        }
        RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        } => {
            for year in start.year()..start.year() + 200 {
                let Some(date) = clamped_day(year, month_number(*month), *day_of_month) else {
                    break;
                };
                if !push(date, &mut out) {
                    break;
                }
            }
        }
        RecurrencePattern::RelativeYearly {
            days_of_week,
            day_of_week_index,
            month,
        } => {
            for year in start.year()..start.year() + 200 {
                let Some(date) = relative_day(
                    year,
                    month_number(*month),
                    *days_of_week,
                    *day_of_week_index,
                ) else {
                    continue;
                };
                if !push(date, &mut out) {
                    break;
                }
            }
        }
        // Regeneration patterns belong to tasks; a calendar item with one has no series.
        _ => {}
    }
    out
}

/// The zone a series repeats in: the master's StartTimeZone, else UTC.
fn zone_of(master: &CalendarItem) -> &'static str {
    master
        .start_time_zone
        .as_ref()
        .and_then(|z| z.id.as_deref())
        .and_then(|id| ews::time_zone::windows_to_iana(id, None))
        .unwrap_or("UTC")
}

/// A local time in `zone`; a time skipped by a spring-forward change moves forward by the
/// length of the gap (RFC 5545's rule; 30 minutes on Lord Howe Island, an hour elsewhere).
fn local_instant(local: NaiveDateTime, zone: &str) -> Option<DateTime<Utc>> {
    ews::time_zone::local_to_utc_shifting_gaps(local, zone).ok()
}

/// Occurrences of `master` (a stored recurring master with UTC Start/End) overlapping
/// `[from, to)`, as calendar items of type Occurrence with their own ids.
pub fn occurrences(
    master: &CalendarItem,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<CalendarItem> {
    expand(master, to)
        .into_iter()
        .filter(|o| instants(o).is_some_and(|(s, e)| s < to && e > from))
        .collect()
}

/// The `index`-th occurrence (1-based), if the series has one.
pub fn nth_occurrence(master: &CalendarItem, index: usize) -> Option<CalendarItem> {
    let horizon = Utc::now() + Duration::days(365 * 50);
    expand(master, horizon)
        .into_iter()
        .nth(index.checked_sub(1)?)
}

fn instants(item: &CalendarItem) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((item.start.as_ref()?.to_utc()?, item.end.as_ref()?.to_utc()?))
}

fn expand(master: &CalendarItem, to: DateTime<Utc>) -> Vec<CalendarItem> {
    let (Some(recurrence), Some((start, end))) = (master.recurrence.as_ref(), instants(master))
    else {
        return Vec::new();
    };
    let Some(master_id) = master.item.item_id.as_ref() else {
        return Vec::new();
    };
    let zone = zone_of(master);
    let Ok(local_start) = ews::time_zone::utc_to_local(start, zone) else {
        return Vec::new();
    };
    let duration = end - start;
    let until = to
        .checked_add_signed(Duration::days(1))
        .unwrap_or(to)
        .date_naive();
    dates(recurrence, until)
        .into_iter()
        .enumerate()
        .filter_map(|(i, date)| {
            let occurrence_start = local_instant(date.and_time(local_start.time()), zone)?;
            let mut occurrence = master.clone();
            occurrence.item.item_id = Some(ItemId {
                id: occurrence_id(&master_id.id, i + 1),
                change_key: master_id.change_key.clone(),
            });
            occurrence.start = Some(EwsDateTime::utc(occurrence_start));
            occurrence.end = Some(EwsDateTime::utc(
                occurrence_start.checked_add_signed(duration)?,
            ));
            occurrence.calendar_item_type = Some(CalendarItemType::Occurrence);
            occurrence.is_recurring = Some(true);
            occurrence.recurrence = None;
            Some(occurrence)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ews::types::{EwsDate, ItemFields};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn series(pattern: RecurrencePattern, range: RecurrenceRange) -> Recurrence {
        Recurrence { pattern, range }
    }

    fn from(s: &str) -> EwsDate {
        EwsDate::new(day(s))
    }

    fn shown(dates: Vec<NaiveDate>) -> Vec<String> {
        dates.into_iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn weekly_on_several_days_with_an_interval() {
        let r = series(
            RecurrencePattern::Weekly {
                interval: 2,
                days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Thursday],
                first_day_of_week: Some(DayOfWeek::Monday),
            },
            RecurrenceRange::Numbered {
                start_date: from("2026-12-03"),
                number_of_occurrences: 4,
            },
        );
        // Starts on Thursday the 3rd; every other week.
        assert_eq!(
            shown(dates(&r, day("2027-12-31"))),
            ["2026-12-03", "2026-12-14", "2026-12-17", "2026-12-28"]
        );
    }

    #[test]
    fn hostile_intervals_end_the_series_instead_of_panicking() {
        for pattern in [
            RecurrencePattern::Daily { interval: i32::MAX },
            RecurrencePattern::Weekly {
                interval: i32::MAX,
                days_of_week: vec![DayOfWeek::Day],
                first_day_of_week: None,
            },
            RecurrencePattern::AbsoluteMonthly {
                interval: i32::MAX,
                day_of_month: i32::MAX,
            },
            RecurrencePattern::RelativeMonthly {
                interval: i32::MAX,
                days_of_week: DayOfWeek::Weekday,
                day_of_week_index: DayOfWeekIndex::Last,
            },
        ] {
            let r = series(
                pattern,
                RecurrenceRange::NoEnd {
                    start_date: from("2026-12-01"),
                },
            );
            let found = dates(&r, NaiveDate::MAX);
            assert!(!found.is_empty() && found.len() <= MAX_STEPS, "{found:?}");
        }
    }

    #[test]
    fn monthly_and_yearly_patterns() {
        let absolute = series(
            RecurrencePattern::AbsoluteMonthly {
                interval: 1,
                day_of_month: 31,
            },
            RecurrenceRange::EndDate {
                start_date: from("2027-01-31"),
                end_date: from("2027-04-30"),
            },
        );
        assert_eq!(
            shown(dates(&absolute, day("2030-01-01"))),
            ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
        );
        let relative = series(
            RecurrencePattern::RelativeMonthly {
                interval: 1,
                days_of_week: DayOfWeek::Tuesday,
                day_of_week_index: DayOfWeekIndex::Second,
            },
            RecurrenceRange::Numbered {
                start_date: from("2026-12-01"),
                number_of_occurrences: 3,
            },
        );
        assert_eq!(
            shown(dates(&relative, day("2030-01-01"))),
            ["2026-12-08", "2027-01-12", "2027-02-09"]
        );
        let last_weekday = series(
            RecurrencePattern::RelativeYearly {
                days_of_week: DayOfWeek::Weekday,
                day_of_week_index: DayOfWeekIndex::Last,
                month: Month::May,
            },
            RecurrenceRange::NoEnd {
                start_date: from("2026-01-01"),
            },
        );
        assert_eq!(
            shown(dates(&last_weekday, day("2027-12-31"))),
            ["2026-05-29", "2027-05-31"]
        );
        let birthday = series(
            RecurrencePattern::AbsoluteYearly {
                day_of_month: 29,
                month: Month::February,
            },
            RecurrenceRange::Numbered {
                start_date: from("2027-01-01"),
                number_of_occurrences: 2,
            },
        );
        assert_eq!(
            shown(dates(&birthday, day("2040-01-01"))),
            ["2027-02-28", "2028-02-29"]
        );
    }

    #[test]
    fn occurrences_keep_local_time_across_dst_and_get_their_own_ids() {
        let master = CalendarItem {
            item: ItemFields {
                item_id: Some(ItemId::with_change_key("M1", "CK")),
                ..Default::default()
            },
            start: Some(EwsDateTime::parse("2026-03-23T08:00:00Z").unwrap()), // 09:00 Paris (UTC+1)
            end: Some(EwsDateTime::parse("2026-03-23T08:30:00Z").unwrap()),
            start_time_zone: Some(ews::types::TimeZoneRef::id("Romance Standard Time")),
            recurrence: Some(series(
                RecurrencePattern::Daily { interval: 7 },
                RecurrenceRange::NoEnd {
                    start_date: from("2026-03-23"),
                },
            )),
            ..CalendarItem::default()
        };
        let window_start = DateTime::parse_from_rfc3339("2026-03-23T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let window_end = DateTime::parse_from_rfc3339("2026-04-07T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let found = occurrences(&master, window_start, window_end);
        let starts: Vec<String> = found
            .iter()
            .map(|o| o.start.unwrap().to_utc().unwrap().to_rfc3339())
            .collect();
        // After the 29 March change, 09:00 Paris is 07:00 UTC.
        assert_eq!(
            starts,
            [
                "2026-03-23T08:00:00+00:00",
                "2026-03-30T07:00:00+00:00",
                "2026-04-06T07:00:00+00:00"
            ]
        );
        assert_eq!(found[1].item.item_id.as_ref().unwrap().id, "M1.occ2");
        assert_eq!(
            found[1].calendar_item_type,
            Some(CalendarItemType::Occurrence)
        );
        assert_eq!(parse_occurrence_id("M1.occ2"), Some(("M1", 2)));
        assert_eq!(nth_occurrence(&master, 3).unwrap().start, found[2].start);
    }

    #[test]
    fn an_occurrence_in_a_half_hour_spring_gap_moves_by_the_gap() {
        // Lord Howe Island springs forward 30 minutes (02:00 -> 02:30, +10:30 -> +11:00) on
        // Sunday 4 October 2026, so that day's 02:15 does not exist and becomes 02:45.
        let master = CalendarItem {
            item: ItemFields {
                item_id: Some(ItemId::with_change_key("LH", "CK")),
                ..Default::default()
            },
            start: Some(EwsDateTime::parse("2026-10-02T15:45:00Z").unwrap()), // 3 Oct 02:15 local
            end: Some(EwsDateTime::parse("2026-10-02T16:15:00Z").unwrap()),
            start_time_zone: Some(ews::types::TimeZoneRef::id("Lord Howe Standard Time")),
            recurrence: Some(series(
                RecurrencePattern::Daily { interval: 1 },
                RecurrenceRange::Numbered {
                    start_date: from("2026-10-03"),
                    number_of_occurrences: 3,
                },
            )),
            ..CalendarItem::default()
        };
        let window_start = DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let window_end = DateTime::parse_from_rfc3339("2026-10-08T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let starts: Vec<String> = occurrences(&master, window_start, window_end)
            .iter()
            .map(|o| o.start.unwrap().to_utc().unwrap().to_rfc3339())
            .collect();
        assert_eq!(
            starts,
            [
                "2026-10-02T15:45:00+00:00", // 02:15 +10:30
                "2026-10-03T15:45:00+00:00", // 02:45 +11:00 (shifted by the 30-minute gap)
                "2026-10-04T15:15:00+00:00", // 02:15 +11:00
            ]
        );
    }
}
