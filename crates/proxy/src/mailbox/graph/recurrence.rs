//! `patternedRecurrence` (events and To Do tasks) from and to the model's [`Recurrence`].
//!
//! recurrencePattern <https://learn.microsoft.com/graph/api/resources/recurrencepattern>,
//! recurrenceRange <https://learn.microsoft.com/graph/api/resources/recurrencerange>. Only the
//! properties a pattern type requires are sent ("any property that you include that does not
//! have a supported value would result in an error").

use chrono::NaiveDate;
use model::{Pattern, Recurrence, RecurrenceEnd, WeekOfMonth, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternedRecurrence {
    pub pattern: RecurrencePattern,
    pub range: RecurrenceRange,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurrencePattern {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub interval: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_of_week: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day_of_week: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurrenceRange {
    #[serde(rename = "type")]
    pub kind: String,
    pub start_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_occurrences: Option<u32>,
}

fn day_name(day: Weekday) -> String {
    serde_json::to_value(day)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn day_of(name: &str) -> Option<Weekday> {
    serde_json::from_value(serde_json::Value::String(name.to_ascii_lowercase())).ok()
}

fn index_name(week: WeekOfMonth) -> &'static str {
    match week {
        WeekOfMonth::First => "first",
        WeekOfMonth::Second => "second",
        WeekOfMonth::Third => "third",
        WeekOfMonth::Fourth => "fourth",
        WeekOfMonth::Last => "last",
    }
}

fn index_of(name: Option<&str>) -> Option<WeekOfMonth> {
    // "Default is `first`."
    Some(
        match name.unwrap_or("first").to_ascii_lowercase().as_str() {
            "first" => WeekOfMonth::First,
            "second" => WeekOfMonth::Second,
            "third" => WeekOfMonth::Third,
            "fourth" => WeekOfMonth::Fourth,
            "last" => WeekOfMonth::Last,
            _ => return None,
        },
    )
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

impl PatternedRecurrence {
    pub fn from_model(recurrence: &Recurrence) -> Self {
        let base = |kind: &str, interval: u32| RecurrencePattern {
            kind: kind.into(),
            interval,
            ..RecurrencePattern::default()
        };
        let pattern = match &recurrence.pattern {
            Pattern::Daily { interval } => base("daily", *interval),
            Pattern::Weekly { interval, days } => RecurrencePattern {
                days_of_week: Some(days.iter().copied().map(day_name).collect()),
                // Required for weekly; weeks start on Monday, as the form's day order does.
                first_day_of_week: Some("monday".into()),
                ..base("weekly", *interval)
            },
            Pattern::MonthlyOnDay { interval, day } => RecurrencePattern {
                day_of_month: Some(*day),
                ..base("absoluteMonthly", *interval)
            },
            Pattern::MonthlyOnWeekday {
                interval,
                week,
                weekday,
            } => RecurrencePattern {
                days_of_week: Some(vec![day_name(*weekday)]),
                index: Some(index_name(*week).into()),
                ..base("relativeMonthly", *interval)
            },
            Pattern::Yearly { month, day } => RecurrencePattern {
                day_of_month: Some(*day),
                month: Some(*month),
                ..base("absoluteYearly", 1)
            },
        };
        let start_date = date_text(recurrence.start_date);
        let range = match recurrence.end {
            RecurrenceEnd::Never => RecurrenceRange {
                kind: "noEnd".into(),
                start_date,
                ..RecurrenceRange::default()
            },
            RecurrenceEnd::Until { date } => RecurrenceRange {
                kind: "endDate".into(),
                start_date,
                end_date: Some(date_text(date)),
                number_of_occurrences: None,
            },
            RecurrenceEnd::Count { count } => RecurrenceRange {
                kind: "numbered".into(),
                start_date,
                end_date: None,
                number_of_occurrences: Some(count),
            },
        };
        Self { pattern, range }
    }

    /// The model's rule, or `None` for what the form cannot show (yearly on a weekday, yearly
    /// every N years, several weekdays a month): the item still reads, without its rule.
    pub fn to_model(&self) -> Option<Recurrence> {
        let p = &self.pattern;
        let interval = p.interval.max(1);
        let days: Vec<Weekday> = p
            .days_of_week
            .iter()
            .flatten()
            .filter_map(|d| day_of(d))
            .collect();
        let pattern = match p.kind.to_ascii_lowercase().as_str() {
            "daily" => Pattern::Daily { interval },
            "weekly" if !days.is_empty() => {
                let mut days = days;
                days.sort();
                days.dedup();
                Pattern::Weekly { interval, days }
            }
            "absolutemonthly" => Pattern::MonthlyOnDay {
                interval,
                day: p.day_of_month?,
            },
            "relativemonthly" if days.len() == 1 => Pattern::MonthlyOnWeekday {
                interval,
                week: index_of(p.index.as_deref())?,
                weekday: days[0],
            },
            "absoluteyearly" if interval == 1 => Pattern::Yearly {
                month: p.month?,
                day: p.day_of_month?,
            },
            _ => return None,
        };
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let r = &self.range;
        let end = match r.kind.to_ascii_lowercase().as_str() {
            "noend" => RecurrenceEnd::Never,
            "enddate" => RecurrenceEnd::Until {
                date: date(r.end_date.as_deref()?)?,
            },
            "numbered" => RecurrenceEnd::Count {
                count: r.number_of_occurrences?,
            },
            _ => return None,
        };
        Some(Recurrence {
            pattern,
            start_date: date(&r.start_date)?,
            end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_pattern_goes_there_and_back() {
        let start = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let patterns = [
            Pattern::Daily { interval: 2 },
            Pattern::Weekly {
                interval: 1,
                days: vec![Weekday::Monday, Weekday::Tuesday],
            },
            Pattern::MonthlyOnDay {
                interval: 3,
                day: 8,
            },
            Pattern::MonthlyOnWeekday {
                interval: 1,
                week: WeekOfMonth::Second,
                weekday: Weekday::Tuesday,
            },
            Pattern::Yearly { month: 12, day: 8 },
        ];
        let ends = [
            RecurrenceEnd::Never,
            RecurrenceEnd::Count { count: 10 },
            RecurrenceEnd::Until {
                date: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
            },
        ];
        for pattern in patterns {
            for end in ends {
                let recurrence = Recurrence {
                    pattern: pattern.clone(),
                    start_date: start,
                    end,
                };
                let wire = PatternedRecurrence::from_model(&recurrence);
                assert_eq!(wire.to_model(), Some(recurrence));
            }
        }
        let relative_yearly = PatternedRecurrence {
            pattern: RecurrencePattern {
                kind: "relativeYearly".into(),
                interval: 1,
                days_of_week: Some(vec!["friday".into()]),
                month: Some(11),
                ..RecurrencePattern::default()
            },
            range: RecurrenceRange {
                kind: "noEnd".into(),
                start_date: "2026-11-27".into(),
                ..RecurrenceRange::default()
            },
        };
        assert_eq!(relative_yearly.to_model(), None);
    }
}
