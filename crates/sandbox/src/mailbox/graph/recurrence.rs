//! Graph's [patternedRecurrence](https://learn.microsoft.com/en-us/graph/api/resources/patternedrecurrence)
//! to and from the mailbox's recurrence model (which the EWS front end and the occurrence
//! expansion share).

use chrono::NaiveDate;
use ews::types::{
    DayOfWeek, DayOfWeekIndex, EwsDate, Month, Recurrence, RecurrencePattern, RecurrenceRange,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::GraphError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternedRecurrence {
    pub pattern: Pattern,
    pub range: Range,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pattern {
    #[serde(rename = "type")]
    pub kind: PatternType,
    #[serde(default)]
    pub interval: Option<i32>,
    #[serde(default)]
    pub month: Option<u32>,
    #[serde(default)]
    pub day_of_month: Option<i32>,
    #[serde(default)]
    pub days_of_week: Vec<GraphDay>,
    #[serde(default)]
    pub first_day_of_week: Option<GraphDay>,
    #[serde(default)]
    pub index: Option<WeekIndex>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PatternType {
    Daily,
    Weekly,
    AbsoluteMonthly,
    RelativeMonthly,
    AbsoluteYearly,
    RelativeYearly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GraphDay {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeType,
    pub start_date: String,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub number_of_occurrences: Option<i32>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RangeType {
    EndDate,
    NoEnd,
    Numbered,
}

const DAYS: [(GraphDay, DayOfWeek, &str); 7] = [
    (GraphDay::Sunday, DayOfWeek::Sunday, "sunday"),
    (GraphDay::Monday, DayOfWeek::Monday, "monday"),
    (GraphDay::Tuesday, DayOfWeek::Tuesday, "tuesday"),
    (GraphDay::Wednesday, DayOfWeek::Wednesday, "wednesday"),
    (GraphDay::Thursday, DayOfWeek::Thursday, "thursday"),
    (GraphDay::Friday, DayOfWeek::Friday, "friday"),
    (GraphDay::Saturday, DayOfWeek::Saturday, "saturday"),
];

fn to_ews_day(day: GraphDay) -> DayOfWeek {
    DAYS.iter()
        .find(|(g, _, _)| *g == day)
        .map_or(DayOfWeek::Sunday, |(_, e, _)| *e)
}

/// Graph's names for one EWS day value (`weekday` is five days).
fn graph_days(day: DayOfWeek) -> Vec<&'static str> {
    match day {
        DayOfWeek::Day => DAYS.iter().map(|(_, _, n)| *n).collect(),
        DayOfWeek::Weekday => DAYS[1..6].iter().map(|(_, _, n)| *n).collect(),
        DayOfWeek::WeekendDay => vec!["saturday", "sunday"],
        single => DAYS
            .iter()
            .filter(|(_, e, _)| *e == single)
            .map(|(_, _, n)| *n)
            .collect(),
    }
}

/// Relative patterns name one EWS day value: a single day, every day, weekdays or weekend days.
fn one_day_value(days: &[GraphDay]) -> Result<DayOfWeek, GraphError> {
    let mut wanted: Vec<DayOfWeek> = days.iter().map(|d| to_ews_day(*d)).collect();
    wanted.sort_by_key(|d| d.as_str());
    wanted.dedup();
    let set = |list: &[DayOfWeek]| {
        let mut list = list.to_vec();
        list.sort_by_key(|d| d.as_str());
        list
    };
    use DayOfWeek::*;
    if let [single] = wanted.as_slice() {
        return Ok(*single);
    }
    if wanted
        == set(&[
            Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday,
        ])
    {
        return Ok(Day);
    }
    if wanted == set(&[Monday, Tuesday, Wednesday, Thursday, Friday]) {
        return Ok(Weekday);
    }
    if wanted == set(&[Saturday, Sunday]) {
        return Ok(WeekendDay);
    }
    Err(GraphError::invalid_property(
        "recurrence.pattern.daysOfWeek",
        "a relative pattern needs one day, all days, the weekdays or the weekend days",
    ))
}

fn to_ews_index(index: WeekIndex) -> DayOfWeekIndex {
    match index {
        WeekIndex::First => DayOfWeekIndex::First,
        WeekIndex::Second => DayOfWeekIndex::Second,
        WeekIndex::Third => DayOfWeekIndex::Third,
        WeekIndex::Fourth => DayOfWeekIndex::Fourth,
        WeekIndex::Last => DayOfWeekIndex::Last,
    }
}

fn month(number: Option<u32>) -> Result<Month, GraphError> {
    number
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| Month::ALL.get(i as usize).copied())
        .ok_or_else(|| GraphError::invalid_property("recurrence.pattern.month", "must be 1 to 12"))
}

fn date(value: &str, property: &str) -> Result<EwsDate, GraphError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map(EwsDate::new)
        .map_err(|_| GraphError::invalid_property(property, "expected a date like 2026-12-01"))
}

impl PatternedRecurrence {
    pub fn to_ews(&self) -> Result<Recurrence, GraphError> {
        let p = &self.pattern;
        let interval = p.interval.unwrap_or(1);
        if !(1..=999).contains(&interval) {
            return Err(GraphError::invalid_property(
                "recurrence.pattern.interval",
                "must be 1 to 999",
            ));
        }
        let day_of_month = || {
            p.day_of_month
                .filter(|d| (1..=31).contains(d))
                .ok_or_else(|| {
                    GraphError::invalid_property("recurrence.pattern.dayOfMonth", "must be 1 to 31")
                })
        };
        let index = to_ews_index(p.index.unwrap_or(WeekIndex::First));
        let pattern = match p.kind {
            PatternType::Daily => RecurrencePattern::Daily { interval },
            PatternType::Weekly => {
                if p.days_of_week.is_empty() {
                    return Err(GraphError::invalid_property(
                        "recurrence.pattern.daysOfWeek",
                        "a weekly pattern needs at least one day",
                    ));
                }
                let mut days: Vec<DayOfWeek> =
                    p.days_of_week.iter().map(|d| to_ews_day(*d)).collect();
                days.dedup();
                RecurrencePattern::Weekly {
                    interval,
                    days_of_week: days,
                    first_day_of_week: Some(to_ews_day(
                        p.first_day_of_week.unwrap_or(GraphDay::Sunday),
                    )),
                }
            }
            PatternType::AbsoluteMonthly => RecurrencePattern::AbsoluteMonthly {
                interval,
                day_of_month: day_of_month()?,
            },
            PatternType::RelativeMonthly => RecurrencePattern::RelativeMonthly {
                interval,
                days_of_week: one_day_value(&p.days_of_week)?,
                day_of_week_index: index,
            },
            PatternType::AbsoluteYearly => RecurrencePattern::AbsoluteYearly {
                day_of_month: day_of_month()?,
                month: month(p.month)?,
            },
            PatternType::RelativeYearly => RecurrencePattern::RelativeYearly {
                days_of_week: one_day_value(&p.days_of_week)?,
                day_of_week_index: index,
                month: month(p.month)?,
            },
        };
        let r = &self.range;
        let start_date = date(&r.start_date, "recurrence.range.startDate")?;
        let range = match r.kind {
            RangeType::NoEnd => RecurrenceRange::NoEnd { start_date },
            RangeType::EndDate => {
                let end = r.end_date.as_deref().ok_or_else(|| {
                    GraphError::invalid_property("recurrence.range.endDate", "is required")
                })?;
                let end_date = date(end, "recurrence.range.endDate")?;
                if end_date.date < start_date.date {
                    return Err(GraphError::invalid_property(
                        "recurrence.range.endDate",
                        "is before startDate",
                    ));
                }
                RecurrenceRange::EndDate {
                    start_date,
                    end_date,
                }
            }
            RangeType::Numbered => RecurrenceRange::Numbered {
                start_date,
                number_of_occurrences: r
                    .number_of_occurrences
                    .filter(|n| (1..=999).contains(n))
                    .ok_or_else(|| {
                        GraphError::invalid_property(
                            "recurrence.range.numberOfOccurrences",
                            "must be 1 to 999",
                        )
                    })?,
            },
        };
        Ok(Recurrence { pattern, range })
    }
}

fn index_name(index: DayOfWeekIndex) -> &'static str {
    match index {
        DayOfWeekIndex::First => "first",
        DayOfWeekIndex::Second => "second",
        DayOfWeekIndex::Third => "third",
        DayOfWeekIndex::Fourth => "fourth",
        DayOfWeekIndex::Last => "last",
    }
}

fn month_number(month: Month) -> usize {
    Month::ALL
        .iter()
        .position(|m| *m == month)
        .map_or(1, |i| i + 1)
}

/// The Graph form of a stored recurrence (`null` for regeneration patterns, tasks only).
pub fn to_graph(recurrence: &Recurrence, zone_name: &str) -> Value {
    let (kind, interval, month, day_of_month, days, index) = match &recurrence.pattern {
        RecurrencePattern::Daily { interval } => ("daily", *interval, 0, 0, vec![], None),
        RecurrencePattern::Weekly {
            interval,
            days_of_week,
            ..
        } => (
            "weekly",
            *interval,
            0,
            0,
            days_of_week.iter().flat_map(|d| graph_days(*d)).collect(),
            None,
        ),
        RecurrencePattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => ("absoluteMonthly", *interval, 0, *day_of_month, vec![], None),
        RecurrencePattern::RelativeMonthly {
            interval,
            days_of_week,
            day_of_week_index,
        } => (
            "relativeMonthly",
            *interval,
            0,
            0,
            graph_days(*days_of_week),
            Some(*day_of_week_index),
        ),
        RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        } => (
            "absoluteYearly",
            1,
            month_number(*month),
            *day_of_month,
            vec![],
            None,
        ),
        RecurrencePattern::RelativeYearly {
            days_of_week,
            day_of_week_index,
            month,
        } => (
            "relativeYearly",
            1,
            month_number(*month),
            0,
            graph_days(*days_of_week),
            Some(*day_of_week_index),
        ),
        _ => return Value::Null,
    };
    let first_day = match &recurrence.pattern {
        RecurrencePattern::Weekly {
            first_day_of_week: Some(day),
            ..
        } => graph_days(*day).first().copied().unwrap_or("sunday"),
        _ => "sunday",
    };
    let (range_kind, start, end, count) = match &recurrence.range {
        RecurrenceRange::NoEnd { start_date } => ("noEnd", start_date, None, 0),
        RecurrenceRange::EndDate {
            start_date,
            end_date,
        } => ("endDate", start_date, Some(end_date), 0),
        RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences,
        } => ("numbered", start_date, None, *number_of_occurrences),
    };
    json!({
        "pattern": {
            "type": kind,
            "interval": interval,
            "month": month,
            "dayOfMonth": day_of_month,
            "daysOfWeek": days,
            "firstDayOfWeek": first_day,
            "index": index_name(index.unwrap_or(DayOfWeekIndex::First)),
        },
        "range": {
            "type": range_kind,
            "startDate": start.date.format("%Y-%m-%d").to_string(),
            "endDate": end.map_or_else(|| "0001-01-01".to_owned(), |d| d.date.format("%Y-%m-%d").to_string()),
            "recurrenceTimeZone": zone_name,
            "numberOfOccurrences": count,
        }
    })
}
