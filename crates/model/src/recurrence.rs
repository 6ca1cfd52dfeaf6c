//! How an appointment or a task repeats: the form's recurrence draft (selects as enums, typed
//! numbers and dates as text), and the validated rule both backends map (EWS and Graph name
//! the patterns alike).

use chrono::{Datelike, NaiveDate, Weekday as ChronoWeekday};
use serde::{Deserialize, Serialize};

use crate::fields::{Field, FieldErrors, Problem};

pub const MAX_INTERVAL: u32 = 99;
pub const MAX_OCCURRENCES: u32 = 999;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn of(date: NaiveDate) -> Self {
        match date.weekday() {
            ChronoWeekday::Mon => Weekday::Monday,
            ChronoWeekday::Tue => Weekday::Tuesday,
            ChronoWeekday::Wed => Weekday::Wednesday,
            ChronoWeekday::Thu => Weekday::Thursday,
            ChronoWeekday::Fri => Weekday::Friday,
            ChronoWeekday::Sat => Weekday::Saturday,
            ChronoWeekday::Sun => Weekday::Sunday,
        }
    }
}

/// Which of a month's weekdays ("the second Tuesday"); `Last` also stands for a fifth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum WeekOfMonth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

impl WeekOfMonth {
    pub const ALL: [WeekOfMonth; 5] = [
        WeekOfMonth::First,
        WeekOfMonth::Second,
        WeekOfMonth::Third,
        WeekOfMonth::Fourth,
        WeekOfMonth::Last,
    ];

    /// Where `date` falls: the 8th–14th are the second, a day in the month's last seven the
    /// last (so "the last Friday" stays the last, also in months with four Fridays).
    pub fn of(date: NaiveDate) -> Self {
        let next_week = date + chrono::Days::new(7);
        if next_week.month() != date.month() {
            return WeekOfMonth::Last;
        }
        match (date.day() - 1) / 7 {
            0 => WeekOfMonth::First,
            1 => WeekOfMonth::Second,
            2 => WeekOfMonth::Third,
            _ => WeekOfMonth::Fourth,
        }
    }
}

impl Repeat {
    pub const ALL: [Repeat; 5] = [
        Repeat::Daily,
        Repeat::Weekly,
        Repeat::Monthly,
        Repeat::MonthlyNth,
        Repeat::Yearly,
    ];
}

impl Ends {
    pub const ALL: [Ends; 3] = [Ends::Never, Ends::On, Ends::After];
}

impl RecurrenceDraft {
    pub fn new(repeat: Repeat) -> Self {
        Self {
            repeat,
            interval: String::new(),
            days: Vec::new(),
            ends: Ends::Never,
            until: String::new(),
            count: String::new(),
        }
    }
}

/// The form's "repeat" choice. The day (of the week, of the month, of the year) comes from
/// the start date, as in Outlook, except for weekly meetings, which name their days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Repeat {
    Daily,
    Weekly,
    /// On the start's day of the month (the 15th).
    Monthly,
    /// On the start's weekday of the month (the second Tuesday).
    MonthlyNth,
    Yearly,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Ends {
    #[default]
    Never,
    /// On the date in `until`.
    On,
    /// After `count` occurrences.
    After,
}

/// The recurrence part of the form: selects as enums, typed numbers and dates as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecurrenceDraft {
    pub repeat: Repeat,
    /// Every N days/weeks/months; empty = 1.
    #[serde(default)]
    pub interval: String,
    /// Weekly only; empty = the start's weekday.
    #[serde(default)]
    pub days: Vec<Weekday>,
    #[serde(default)]
    pub ends: Ends,
    /// `YYYY-MM-DD` when `ends` is `on`.
    #[serde(default)]
    pub until: String,
    /// When `ends` is `after`.
    #[serde(default)]
    pub count: String,
}

/// A validated rule, anchored on the start date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Pattern {
    Daily {
        interval: u32,
    },
    Weekly {
        interval: u32,
        days: Vec<Weekday>,
    },
    MonthlyOnDay {
        interval: u32,
        day: u32,
    },
    MonthlyOnWeekday {
        interval: u32,
        week: WeekOfMonth,
        weekday: Weekday,
    },
    Yearly {
        month: u32,
        day: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum RecurrenceEnd {
    Never,
    Until {
        #[serde(with = "crate::time_text::calendar_date")]
        date: NaiveDate,
    },
    Count {
        count: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Recurrence {
    pub pattern: Pattern,
    /// The first day of the series (the start's date in the meeting's zone).
    #[serde(with = "crate::time_text::calendar_date")]
    pub start_date: NaiveDate,
    pub end: RecurrenceEnd,
}

impl RecurrenceDraft {
    /// The rule for a series starting on `start`; problems are keyed `recurrence.<field>`.
    pub fn parse(&self, start: NaiveDate, errors: &mut FieldErrors) -> Option<Recurrence> {
        let interval = match self.interval.trim() {
            "" => Some(1),
            text => match text.parse::<u32>() {
                Ok(n) if (1..=MAX_INTERVAL).contains(&n) => Some(n),
                _ => {
                    errors.add(
                        Field::RecurrenceInterval,
                        Problem::OutOfRange {
                            min: 1,
                            max: MAX_INTERVAL,
                        },
                    );
                    None
                }
            },
        };
        let end = match self.ends {
            Ends::Never => Some(RecurrenceEnd::Never),
            Ends::On => match crate::time_text::date(self.until.trim()) {
                Some(date) if date >= start => Some(RecurrenceEnd::Until { date }),
                Some(_) => {
                    errors.add(Field::RecurrenceUntil, Problem::BeforeStart);
                    None
                }
                None => {
                    errors.add(Field::RecurrenceUntil, Problem::Malformed);
                    None
                }
            },
            Ends::After => match self.count.trim().parse::<u32>() {
                Ok(count) if (1..=MAX_OCCURRENCES).contains(&count) => {
                    Some(RecurrenceEnd::Count { count })
                }
                _ => {
                    errors.add(
                        Field::RecurrenceCount,
                        Problem::OutOfRange {
                            min: 1,
                            max: MAX_OCCURRENCES,
                        },
                    );
                    None
                }
            },
        };
        let interval = interval?;
        let pattern = match self.repeat {
            Repeat::Daily => Pattern::Daily { interval },
            Repeat::Weekly => {
                // In week order without repeats: picked from the week rather than sorted (a
                // sort instantiated for one small list is 4 KB of the widget's wasm).
                let days = if self.days.is_empty() {
                    vec![Weekday::of(start)]
                } else {
                    Weekday::ALL
                        .into_iter()
                        .filter(|day| self.days.contains(day))
                        .collect()
                };
                Pattern::Weekly { interval, days }
            }
            Repeat::Monthly => Pattern::MonthlyOnDay {
                interval,
                day: start.day(),
            },
            Repeat::MonthlyNth => Pattern::MonthlyOnWeekday {
                interval,
                week: WeekOfMonth::of(start),
                weekday: Weekday::of(start),
            },
            Repeat::Yearly => Pattern::Yearly {
                month: start.month(),
                day: start.day(),
            },
        };
        Some(Recurrence {
            pattern,
            start_date: start,
            end: end?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        crate::time_text::date(text).unwrap()
    }

    fn draft(repeat: Repeat) -> RecurrenceDraft {
        RecurrenceDraft::new(repeat)
    }

    #[test]
    fn the_start_date_anchors_each_pattern() {
        // Tuesday 8 December 2026: the second Tuesday.
        let start = day("2026-12-08");
        let mut errors = FieldErrors::new();
        let weekly = draft(Repeat::Weekly).parse(start, &mut errors).unwrap();
        assert_eq!(
            weekly.pattern,
            Pattern::Weekly {
                interval: 1,
                days: vec![Weekday::Tuesday]
            }
        );
        let nth = draft(Repeat::MonthlyNth).parse(start, &mut errors).unwrap();
        assert_eq!(
            nth.pattern,
            Pattern::MonthlyOnWeekday {
                interval: 1,
                week: WeekOfMonth::Second,
                weekday: Weekday::Tuesday
            }
        );
        let yearly = draft(Repeat::Yearly).parse(start, &mut errors).unwrap();
        assert_eq!(yearly.pattern, Pattern::Yearly { month: 12, day: 8 });
        assert!(errors.is_empty());
        // The 29th of a 31-day month is in its last seven days.
        assert_eq!(WeekOfMonth::of(day("2026-12-29")), WeekOfMonth::Last);
        assert_eq!(WeekOfMonth::of(day("2026-12-22")), WeekOfMonth::Fourth);
    }

    #[test]
    fn every_bad_part_is_named() {
        let start = day("2026-12-08");
        let mut bad = draft(Repeat::Daily);
        bad.interval = "0".into();
        bad.ends = Ends::On;
        bad.until = "2026-12-01".into();
        let mut errors = FieldErrors::new();
        assert_eq!(bad.parse(start, &mut errors), None);
        assert!(errors.get(Field::RecurrenceInterval).is_some());
        assert_eq!(
            errors.get(Field::RecurrenceUntil),
            Some(&Problem::BeforeStart)
        );
        let mut count = draft(Repeat::Weekly);
        count.ends = Ends::After;
        count.count = "1000".into();
        let mut errors = FieldErrors::new();
        assert_eq!(count.parse(start, &mut errors), None);
        assert!(errors.get(Field::RecurrenceCount).is_some());
    }
}
