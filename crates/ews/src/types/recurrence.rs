//! Recurrence patterns and ranges (`t:Recurrence` of calendar items and tasks).
//!
//! - [Recurrence (calendar item)](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurrence-recurrencetype)
//! - [Recurrence (task)](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurrence-taskrecurrencetype)

use serde::{Deserialize, Serialize};

use super::datetime::EwsDate;
use crate::error::EwsError;
use crate::xml::{XmlReader, XmlWriter, str_enum};

str_enum!(
    /// `t:DayOfWeekType`
    DayOfWeek {
        Sunday = "Sunday",
        Monday = "Monday",
        Tuesday = "Tuesday",
        Wednesday = "Wednesday",
        Thursday = "Thursday",
        Friday = "Friday",
        Saturday = "Saturday",
        Day = "Day",
        Weekday = "Weekday",
        WeekendDay = "WeekendDay",
    }
);
str_enum!(
    /// `t:DayOfWeekIndexType`
    DayOfWeekIndex { First = "First", Second = "Second", Third = "Third", Fourth = "Fourth", Last = "Last" }
);
str_enum!(
    /// `t:MonthNamesType`
    Month {
        January = "January",
        February = "February",
        March = "March",
        April = "April",
        May = "May",
        June = "June",
        July = "July",
        August = "August",
        September = "September",
        October = "October",
        November = "November",
        December = "December",
    }
);

/// Recurrence pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum RecurrencePattern {
    /// Every `interval` days.
    Daily {
        interval: i32,
    },
    /// Every `interval` weeks on these days.
    #[serde(rename_all = "camelCase")]
    Weekly {
        interval: i32,
        days_of_week: Vec<DayOfWeek>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_day_of_week: Option<DayOfWeek>,
    },
    /// Every `interval` months on day `day_of_month`.
    #[serde(rename_all = "camelCase")]
    AbsoluteMonthly {
        interval: i32,
        day_of_month: i32,
    },
    /// Every `interval` months on e.g. the second Tuesday.
    #[serde(rename_all = "camelCase")]
    RelativeMonthly {
        interval: i32,
        days_of_week: DayOfWeek,
        day_of_week_index: DayOfWeekIndex,
    },
    /// Every year on `month` `day_of_month`.
    #[serde(rename_all = "camelCase")]
    AbsoluteYearly {
        day_of_month: i32,
        month: Month,
    },
    /// Every year on e.g. the last Friday of `month`.
    #[serde(rename_all = "camelCase")]
    RelativeYearly {
        days_of_week: DayOfWeek,
        day_of_week_index: DayOfWeekIndex,
        month: Month,
    },
    /// Tasks only: regenerate `interval` days/weeks/months/years after completion.
    DailyRegeneration {
        interval: i32,
    },
    WeeklyRegeneration {
        interval: i32,
    },
    MonthlyRegeneration {
        interval: i32,
    },
    YearlyRegeneration {
        interval: i32,
    },
}

/// Recurrence range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum RecurrenceRange {
    #[serde(rename_all = "camelCase")]
    NoEnd { start_date: EwsDate },
    #[serde(rename_all = "camelCase")]
    EndDate {
        start_date: EwsDate,
        end_date: EwsDate,
    },
    #[serde(rename_all = "camelCase")]
    Numbered {
        start_date: EwsDate,
        number_of_occurrences: i32,
    },
}

/// `t:Recurrence` (calendar item). Regeneration patterns are only valid on tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recurrence {
    pub pattern: RecurrencePattern,
    pub range: RecurrenceRange,
}

/// `t:Recurrence` of a task (same shape, regeneration patterns allowed).
pub type TaskRecurrence = Recurrence;

impl Recurrence {
    pub(crate) fn write(&self, w: &mut XmlWriter, name: &str) -> Result<(), EwsError> {
        w.start(name, &[])?;
        match &self.pattern {
            RecurrencePattern::Daily { interval } => {
                w.start("t:DailyRecurrence", &[])?;
                w.value("t:Interval", interval)?;
                w.end("t:DailyRecurrence")?;
            }
            RecurrencePattern::Weekly {
                interval,
                days_of_week,
                first_day_of_week,
            } => {
                if days_of_week.is_empty() {
                    return Err(EwsError::InvalidRequest(
                        "weekly recurrence needs at least one day".into(),
                    ));
                }
                w.start("t:WeeklyRecurrence", &[])?;
                w.value("t:Interval", interval)?;
                let days: Vec<&str> = days_of_week.iter().map(|d| d.as_str()).collect();
                w.elem("t:DaysOfWeek", &days.join(" "))?;
                w.opt("t:FirstDayOfWeek", first_day_of_week)?;
                w.end("t:WeeklyRecurrence")?;
            }
            RecurrencePattern::AbsoluteMonthly {
                interval,
                day_of_month,
            } => {
                w.start("t:AbsoluteMonthlyRecurrence", &[])?;
                w.value("t:Interval", interval)?;
                w.value("t:DayOfMonth", day_of_month)?;
                w.end("t:AbsoluteMonthlyRecurrence")?;
            }
            RecurrencePattern::RelativeMonthly {
                interval,
                days_of_week,
                day_of_week_index,
            } => {
                w.start("t:RelativeMonthlyRecurrence", &[])?;
                w.value("t:Interval", interval)?;
                w.value("t:DaysOfWeek", days_of_week)?;
                w.value("t:DayOfWeekIndex", day_of_week_index)?;
                w.end("t:RelativeMonthlyRecurrence")?;
            }
            RecurrencePattern::AbsoluteYearly {
                day_of_month,
                month,
            } => {
                w.start("t:AbsoluteYearlyRecurrence", &[])?;
                w.value("t:DayOfMonth", day_of_month)?;
                w.value("t:Month", month)?;
                w.end("t:AbsoluteYearlyRecurrence")?;
            }
            RecurrencePattern::RelativeYearly {
                days_of_week,
                day_of_week_index,
                month,
            } => {
                w.start("t:RelativeYearlyRecurrence", &[])?;
                w.value("t:DaysOfWeek", days_of_week)?;
                w.value("t:DayOfWeekIndex", day_of_week_index)?;
                w.value("t:Month", month)?;
                w.end("t:RelativeYearlyRecurrence")?;
            }
            RecurrencePattern::DailyRegeneration { interval }
            | RecurrencePattern::WeeklyRegeneration { interval }
            | RecurrencePattern::MonthlyRegeneration { interval }
            | RecurrencePattern::YearlyRegeneration { interval } => {
                let n = match &self.pattern {
                    RecurrencePattern::DailyRegeneration { .. } => "t:DailyRegeneration",
                    RecurrencePattern::WeeklyRegeneration { .. } => "t:WeeklyRegeneration",
                    RecurrencePattern::MonthlyRegeneration { .. } => "t:MonthlyRegeneration",
                    _ => "t:YearlyRegeneration",
                };
                w.start(n, &[])?;
                w.value("t:Interval", interval)?;
                w.end(n)?;
            }
        }
        match &self.range {
            RecurrenceRange::NoEnd { start_date } => {
                w.start("t:NoEndRecurrence", &[])?;
                w.value("t:StartDate", start_date)?;
                w.end("t:NoEndRecurrence")?;
            }
            RecurrenceRange::EndDate {
                start_date,
                end_date,
            } => {
                w.start("t:EndDateRecurrence", &[])?;
                w.value("t:StartDate", start_date)?;
                w.value("t:EndDate", end_date)?;
                w.end("t:EndDateRecurrence")?;
            }
            RecurrenceRange::Numbered {
                start_date,
                number_of_occurrences,
            } => {
                w.start("t:NumberedRecurrence", &[])?;
                w.value("t:StartDate", start_date)?;
                w.value("t:NumberOfOccurrences", number_of_occurrences)?;
                w.end("t:NumberedRecurrence")?;
            }
        }
        w.end(name)
    }

    /// Reads the children of a `t:Recurrence` element.
    pub(crate) fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut pattern = None;
        let mut range = None;
        while let Some(c) = r.next_child()? {
            let local = c.local().to_vec();
            // Collect the simple children of the pattern/range element.
            let mut interval = None;
            let mut days = None::<String>;
            let mut first_day = None;
            let mut dom = None;
            let mut idx = None;
            let mut month = None;
            let mut start_date = None;
            let mut end_date = None;
            let mut count = None;
            let known = matches!(
                local.as_slice(),
                b"DailyRecurrence"
                    | b"WeeklyRecurrence"
                    | b"AbsoluteMonthlyRecurrence"
                    | b"RelativeMonthlyRecurrence"
                    | b"AbsoluteYearlyRecurrence"
                    | b"RelativeYearlyRecurrence"
                    | b"DailyRegeneration"
                    | b"WeeklyRegeneration"
                    | b"MonthlyRegeneration"
                    | b"YearlyRegeneration"
                    | b"NoEndRecurrence"
                    | b"EndDateRecurrence"
                    | b"NumberedRecurrence"
            );
            if !known {
                r.skip()?;
                continue;
            }
            while let Some(f) = r.next_child()? {
                match f.local() {
                    b"Interval" => interval = Some(r.value::<i32>()?),
                    b"DaysOfWeek" => days = Some(r.text()?),
                    b"FirstDayOfWeek" => first_day = Some(r.value::<DayOfWeek>()?),
                    b"DayOfMonth" => dom = Some(r.value::<i32>()?),
                    b"DayOfWeekIndex" => idx = Some(r.value::<DayOfWeekIndex>()?),
                    b"Month" => month = Some(r.value::<Month>()?),
                    b"StartDate" => start_date = Some(r.value::<EwsDate>()?),
                    b"EndDate" => end_date = Some(r.value::<EwsDate>()?),
                    b"NumberOfOccurrences" => count = Some(r.value::<i32>()?),
                    _ => r.skip()?,
                }
            }
            let name = String::from_utf8_lossy(&local).into_owned();
            let need = |what: &str| EwsError::Malformed {
                path: format!("{}/{}", r.path(), name),
                message: format!("missing {what}"),
            };
            let one_day = |d: &Option<String>| -> Result<DayOfWeek, EwsError> {
                let s = d.as_deref().ok_or_else(|| need("DaysOfWeek"))?;
                s.parse::<DayOfWeek>().map_err(|m| EwsError::Malformed {
                    path: format!("{}/{}/DaysOfWeek", r.path(), name),
                    message: format!("{m} '{s}'"),
                })
            };
            match local.as_slice() {
                b"DailyRecurrence" => {
                    pattern = Some(RecurrencePattern::Daily {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                    })
                }
                b"WeeklyRecurrence" => {
                    let s = days.ok_or_else(|| need("DaysOfWeek"))?;
                    let mut list = Vec::new();
                    for d in s.split_ascii_whitespace() {
                        list.push(d.parse::<DayOfWeek>().map_err(|m| EwsError::Malformed {
                            path: format!("{}/{}/DaysOfWeek", r.path(), name),
                            message: format!("{m} '{d}'"),
                        })?);
                    }
                    pattern = Some(RecurrencePattern::Weekly {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                        days_of_week: list,
                        first_day_of_week: first_day,
                    })
                }
                b"AbsoluteMonthlyRecurrence" => {
                    pattern = Some(RecurrencePattern::AbsoluteMonthly {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                        day_of_month: dom.ok_or_else(|| need("DayOfMonth"))?,
                    })
                }
                b"RelativeMonthlyRecurrence" => {
                    pattern = Some(RecurrencePattern::RelativeMonthly {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                        days_of_week: one_day(&days)?,
                        day_of_week_index: idx.ok_or_else(|| need("DayOfWeekIndex"))?,
                    })
                }
                b"AbsoluteYearlyRecurrence" => {
                    pattern = Some(RecurrencePattern::AbsoluteYearly {
                        day_of_month: dom.ok_or_else(|| need("DayOfMonth"))?,
                        month: month.ok_or_else(|| need("Month"))?,
                    })
                }
                b"RelativeYearlyRecurrence" => {
                    pattern = Some(RecurrencePattern::RelativeYearly {
                        days_of_week: one_day(&days)?,
                        day_of_week_index: idx.ok_or_else(|| need("DayOfWeekIndex"))?,
                        month: month.ok_or_else(|| need("Month"))?,
                    })
                }
                b"DailyRegeneration" => {
                    pattern = Some(RecurrencePattern::DailyRegeneration {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                    })
                }
                b"WeeklyRegeneration" => {
                    pattern = Some(RecurrencePattern::WeeklyRegeneration {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                    })
                }
                b"MonthlyRegeneration" => {
                    pattern = Some(RecurrencePattern::MonthlyRegeneration {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                    })
                }
                b"YearlyRegeneration" => {
                    pattern = Some(RecurrencePattern::YearlyRegeneration {
                        interval: interval.ok_or_else(|| need("Interval"))?,
                    })
                }
                b"NoEndRecurrence" => {
                    range = Some(RecurrenceRange::NoEnd {
                        start_date: start_date.ok_or_else(|| need("StartDate"))?,
                    })
                }
                b"EndDateRecurrence" => {
                    range = Some(RecurrenceRange::EndDate {
                        start_date: start_date.ok_or_else(|| need("StartDate"))?,
                        end_date: end_date.ok_or_else(|| need("EndDate"))?,
                    })
                }
                _ => {
                    range = Some(RecurrenceRange::Numbered {
                        start_date: start_date.ok_or_else(|| need("StartDate"))?,
                        number_of_occurrences: count.ok_or_else(|| need("NumberOfOccurrences"))?,
                    })
                }
            }
        }
        match (pattern, range) {
            (Some(pattern), Some(range)) => Ok(Recurrence { pattern, range }),
            (None, _) => Err(r.err("Recurrence without a pattern")),
            (_, None) => Err(r.err("Recurrence without a range")),
        }
    }
}
