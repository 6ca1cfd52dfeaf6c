//! A meeting's details between the model and EWS calendar items: attendees and rooms
//! (`t:RequiredAttendees`, `t:OptionalAttendees`, `t:Resources`), reminder, free/busy,
//! importance, sensitivity, categories, all-day and recurrence.
//!
//! Recurrence types: <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/recurrence-recurrencetype>

use ews::types::{
    Attendee as EwsAttendee, CalendarItem, CalendarItemType, DayOfWeek, DayOfWeekIndex, EwsDate,
    Importance as EwsImportance, LegacyFreeBusy, Month, Recurrence as EwsRecurrence,
    RecurrencePattern, RecurrenceRange, ResponseType, Sensitivity,
};
use model::{
    Appointment, Attendee, Importance, MeetingDetails, Pattern, Recurrence, RecurrenceEnd,
    ResponseStatus, ShowAs, WeekOfMonth, Weekday,
};

/// Writes `details` into the item CreateItem/UpdateItem sends.
pub fn fill(item: &mut CalendarItem, details: &MeetingDetails) {
    item.is_all_day_event = Some(details.all_day);
    item.item.reminder_is_set = Some(details.reminder_minutes.is_some());
    item.item.reminder_minutes_before_start = details
        .reminder_minutes
        .map(|m| i32::try_from(m).unwrap_or(i32::MAX));
    item.legacy_free_busy_status = Some(free_busy(details.show_as));
    item.item.importance = Some(importance_to_ews(details.importance));
    item.item.sensitivity = Some(if details.private {
        Sensitivity::Private
    } else {
        Sensitivity::Normal
    });
    item.item.categories = (!details.categories.is_empty()).then(|| details.categories.clone());
    let invite = |addresses: &[String]| addresses.iter().map(EwsAttendee::new).collect();
    item.required_attendees = invite(&details.required_attendees);
    item.optional_attendees = invite(&details.optional_attendees);
    item.resources = invite(&details.rooms);
    item.recurrence = details.recurrence.as_ref().map(to_ews_recurrence);
}

/// Reads the details of an item Exchange returned into `appointment`.
pub fn read(item: &CalendarItem, appointment: &mut Appointment) {
    appointment.all_day = item.is_all_day_event.unwrap_or(false);
    appointment.reminder_minutes = match (
        item.item.reminder_is_set,
        item.item.reminder_minutes_before_start,
    ) {
        (Some(true), Some(minutes)) => u32::try_from(minutes).ok(),
        _ => None,
    };
    appointment.show_as = item.legacy_free_busy_status.map_or(ShowAs::Busy, show_as);
    appointment.importance = importance_from_ews(item.item.importance);
    appointment.private = matches!(
        item.item.sensitivity,
        Some(Sensitivity::Private | Sensitivity::Confidential)
    );
    appointment.categories = item.item.categories.clone().unwrap_or_default();
    let people = |list: &[EwsAttendee]| list.iter().filter_map(attendee).collect();
    appointment.required_attendees = people(&item.required_attendees);
    appointment.optional_attendees = people(&item.optional_attendees);
    appointment.rooms = people(&item.resources);
    appointment.recurrence = item.recurrence.as_ref().and_then(from_ews_recurrence);
    appointment.occurrence = matches!(
        item.calendar_item_type,
        Some(CalendarItemType::Occurrence | CalendarItemType::Exception)
    );
    appointment.organizer = item
        .organizer
        .as_ref()
        .and_then(|o| o.email_address.clone());
    appointment.my_response = item.my_response_type.map_or(ResponseStatus::None, response);
    appointment.cancelled = item.is_cancelled.unwrap_or(false);
}

pub fn importance_to_ews(importance: Importance) -> EwsImportance {
    match importance {
        Importance::Low => EwsImportance::Low,
        Importance::Normal => EwsImportance::Normal,
        Importance::High => EwsImportance::High,
    }
}

pub fn importance_from_ews(importance: Option<EwsImportance>) -> Importance {
    match importance {
        Some(EwsImportance::Low) => Importance::Low,
        Some(EwsImportance::High) => Importance::High,
        _ => Importance::Normal,
    }
}

/// How Exchange's free/busy status shows; no data is not free (a meeting there may clash).
pub fn show_as(status: LegacyFreeBusy) -> ShowAs {
    match status {
        LegacyFreeBusy::Free => ShowAs::Free,
        LegacyFreeBusy::Tentative => ShowAs::Tentative,
        LegacyFreeBusy::Oof => ShowAs::Oof,
        LegacyFreeBusy::WorkingElsewhere => ShowAs::WorkingElsewhere,
        LegacyFreeBusy::Busy | LegacyFreeBusy::NoData => ShowAs::Busy,
    }
}

fn free_busy(show_as: ShowAs) -> LegacyFreeBusy {
    match show_as {
        ShowAs::Free => LegacyFreeBusy::Free,
        ShowAs::Tentative => LegacyFreeBusy::Tentative,
        ShowAs::Busy => LegacyFreeBusy::Busy,
        ShowAs::Oof => LegacyFreeBusy::Oof,
        ShowAs::WorkingElsewhere => LegacyFreeBusy::WorkingElsewhere,
    }
}

fn response(kind: ResponseType) -> ResponseStatus {
    match kind {
        ResponseType::Organizer => ResponseStatus::Organizer,
        ResponseType::Accept => ResponseStatus::Accepted,
        ResponseType::Tentative => ResponseStatus::Tentative,
        ResponseType::Decline => ResponseStatus::Declined,
        ResponseType::Unknown | ResponseType::NoResponseReceived => ResponseStatus::None,
    }
}

fn attendee(entry: &EwsAttendee) -> Option<Attendee> {
    Some(Attendee {
        email: entry.mailbox.email_address.clone()?,
        name: entry.mailbox.name.clone().unwrap_or_default(),
        response: entry.response_type.map_or(ResponseStatus::None, response),
    })
}

fn day(weekday: Weekday) -> DayOfWeek {
    match weekday {
        Weekday::Monday => DayOfWeek::Monday,
        Weekday::Tuesday => DayOfWeek::Tuesday,
        Weekday::Wednesday => DayOfWeek::Wednesday,
        Weekday::Thursday => DayOfWeek::Thursday,
        Weekday::Friday => DayOfWeek::Friday,
        Weekday::Saturday => DayOfWeek::Saturday,
        Weekday::Sunday => DayOfWeek::Sunday,
    }
}

fn weekday(day: DayOfWeek) -> Option<Weekday> {
    Some(match day {
        DayOfWeek::Monday => Weekday::Monday,
        DayOfWeek::Tuesday => Weekday::Tuesday,
        DayOfWeek::Wednesday => Weekday::Wednesday,
        DayOfWeek::Thursday => Weekday::Thursday,
        DayOfWeek::Friday => Weekday::Friday,
        DayOfWeek::Saturday => Weekday::Saturday,
        DayOfWeek::Sunday => Weekday::Sunday,
        // "Day", "Weekday", "WeekendDay": patterns the form does not offer.
        DayOfWeek::Day | DayOfWeek::Weekday | DayOfWeek::WeekendDay => return None,
    })
}

const WEEKS: [(WeekOfMonth, DayOfWeekIndex); 5] = [
    (WeekOfMonth::First, DayOfWeekIndex::First),
    (WeekOfMonth::Second, DayOfWeekIndex::Second),
    (WeekOfMonth::Third, DayOfWeekIndex::Third),
    (WeekOfMonth::Fourth, DayOfWeekIndex::Fourth),
    (WeekOfMonth::Last, DayOfWeekIndex::Last),
];

const MONTHS: [Month; 12] = [
    Month::January,
    Month::February,
    Month::March,
    Month::April,
    Month::May,
    Month::June,
    Month::July,
    Month::August,
    Month::September,
    Month::October,
    Month::November,
    Month::December,
];

fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub fn to_ews_recurrence(rule: &Recurrence) -> EwsRecurrence {
    let pattern = match &rule.pattern {
        Pattern::Daily { interval } => RecurrencePattern::Daily {
            interval: int(*interval),
        },
        Pattern::Weekly { interval, days } => RecurrencePattern::Weekly {
            interval: int(*interval),
            days_of_week: days.iter().copied().map(day).collect(),
            first_day_of_week: None,
        },
        Pattern::MonthlyOnDay { interval, day } => RecurrencePattern::AbsoluteMonthly {
            interval: int(*interval),
            day_of_month: int(*day),
        },
        Pattern::MonthlyOnWeekday {
            interval,
            week,
            weekday,
        } => RecurrencePattern::RelativeMonthly {
            interval: int(*interval),
            days_of_week: day(*weekday),
            day_of_week_index: WEEKS
                .iter()
                .find(|(w, _)| w == week)
                .map_or(DayOfWeekIndex::Last, |(_, i)| *i),
        },
        Pattern::Yearly { month, day } => RecurrencePattern::AbsoluteYearly {
            day_of_month: int(*day),
            month: MONTHS[(*month as usize).clamp(1, 12) - 1],
        },
    };
    let start_date = EwsDate::new(rule.start_date);
    let range = match rule.end {
        RecurrenceEnd::Never => RecurrenceRange::NoEnd { start_date },
        RecurrenceEnd::Until { date } => RecurrenceRange::EndDate {
            start_date,
            end_date: EwsDate::new(date),
        },
        RecurrenceEnd::Count { count } => RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences: int(count),
        },
    };
    EwsRecurrence { pattern, range }
}

/// The rule of a series, when it is one the form can show (others read as no rule).
pub fn from_ews_recurrence(rule: &EwsRecurrence) -> Option<Recurrence> {
    let positive = |n: i32| u32::try_from(n).ok().filter(|n| *n > 0);
    let pattern = match &rule.pattern {
        RecurrencePattern::Daily { interval } => Pattern::Daily {
            interval: positive(*interval)?,
        },
        RecurrencePattern::Weekly {
            interval,
            days_of_week,
            ..
        } => Pattern::Weekly {
            interval: positive(*interval)?,
            days: days_of_week
                .iter()
                .map(|d| weekday(*d))
                .collect::<Option<Vec<_>>>()?,
        },
        RecurrencePattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => Pattern::MonthlyOnDay {
            interval: positive(*interval)?,
            day: positive(*day_of_month)?,
        },
        RecurrencePattern::RelativeMonthly {
            interval,
            days_of_week,
            day_of_week_index,
        } => Pattern::MonthlyOnWeekday {
            interval: positive(*interval)?,
            week: WEEKS.iter().find(|(_, i)| i == day_of_week_index)?.0,
            weekday: weekday(*days_of_week)?,
        },
        RecurrencePattern::AbsoluteYearly {
            day_of_month,
            month,
        } => Pattern::Yearly {
            month: MONTHS.iter().position(|m| m == month)? as u32 + 1,
            day: positive(*day_of_month)?,
        },
        _ => return None,
    };
    let (start_date, end) = match &rule.range {
        RecurrenceRange::NoEnd { start_date } => (start_date, RecurrenceEnd::Never),
        RecurrenceRange::EndDate {
            start_date,
            end_date,
        } => (
            start_date,
            RecurrenceEnd::Until {
                date: end_date.date,
            },
        ),
        RecurrenceRange::Numbered {
            start_date,
            number_of_occurrences,
        } => (
            start_date,
            RecurrenceEnd::Count {
                count: positive(*number_of_occurrences)?,
            },
        ),
    };
    Some(Recurrence {
        pattern,
        start_date: start_date.date,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn every_rule_the_form_offers_survives_the_round_trip() {
        let start_date = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let until = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let patterns = [
            Pattern::Daily { interval: 3 },
            Pattern::Weekly {
                interval: 2,
                days: vec![Weekday::Monday, Weekday::Thursday],
            },
            Pattern::MonthlyOnDay {
                interval: 1,
                day: 8,
            },
            Pattern::MonthlyOnWeekday {
                interval: 1,
                week: WeekOfMonth::Second,
                weekday: Weekday::Tuesday,
            },
            Pattern::Yearly { month: 12, day: 8 },
        ];
        for pattern in patterns {
            for end in [
                RecurrenceEnd::Never,
                RecurrenceEnd::Until { date: until },
                RecurrenceEnd::Count { count: 10 },
            ] {
                let rule = Recurrence {
                    pattern: pattern.clone(),
                    start_date,
                    end,
                };
                assert_eq!(
                    from_ews_recurrence(&to_ews_recurrence(&rule)).as_ref(),
                    Some(&rule)
                );
            }
        }
    }
}
