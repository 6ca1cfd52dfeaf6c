//! [GetUserAvailability](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuseravailability-operation):
//! free/busy computed from the stored calendars of people and rooms, in the time zone the
//! request describes (a Windows-style bias with standard/daylight transition rules).
//!
//! What one sees of another calendar follows Exchange's default calendar permission (free/busy
//! time only): busy type and times, never subjects, locations or item ids. A Detailed request for
//! such a mailbox is answered in the matching free/busy view, as Exchange does. Details are shown
//! for the caller's own calendar and for rooms (whose booking settings publish subject and
//! location). The sandbox has no per-calendar sharing grants: anyone else gets free/busy only.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use ews::operations::get_user_availability::{
    CalendarEvent, CalendarEventDetails, FreeBusyView, GetUserAvailability,
    GetUserAvailabilityResponse, SerializableTimeZone, TimeZoneTransition, WorkingHours,
    WorkingPeriod,
};
use ews::response::{MessageResult, ResponseError};
use ews::types::{DayOfWeek, EwsDateTime, FreeBusyViewType, Sensitivity};

use crate::mailbox::SandboxError;
use crate::mailbox::availability::{busy_type, merged_string};
use crate::mailbox::directory;
use crate::mailbox::items;
use crate::mailbox::store::ItemStore;

/// Exchange's limits on MergedFreeBusyIntervalInMinutes.
const MIN_INTERVAL: i64 = 5;
const MAX_INTERVAL: i64 = 1440;
/// Exchange refuses availability windows longer than 62 days.
const MAX_WINDOW_DAYS: i64 = 62;

/// `caller`: the mailbox the request acts as (after impersonation).
pub async fn get_user_availability(
    store: &ItemStore,
    caller: &str,
    request: &GetUserAvailability,
) -> Result<GetUserAvailabilityResponse, SandboxError> {
    let zone = &request.time_zone;
    let options = &request.free_busy_view_options;
    let start = to_utc(&options.start_time, zone);
    let end = to_utc(&options.end_time, zone);
    let interval = i64::from(options.merged_free_busy_interval_in_minutes.unwrap_or(30));
    let requested_view = options.requested_view.unwrap_or(FreeBusyViewType::Detailed);
    let problem = if end <= start {
        Some("The end time must be after the start time.")
    } else if end - start > Duration::days(MAX_WINDOW_DAYS) {
        Some("The time window is longer than 62 days.")
    } else if !(MIN_INTERVAL..=MAX_INTERVAL).contains(&interval) {
        Some("MergedFreeBusyIntervalInMinutes must be between 5 and 1440.")
    } else {
        None
    };
    let mut results: Vec<MessageResult<FreeBusyView>> = Vec::new();
    for mailbox in &request.mailbox_data {
        if let Some(problem) = problem {
            results.push(Err(ResponseError::new("ErrorInvalidTimeInterval", problem)));
            continue;
        }
        let address = mailbox.address.trim().to_lowercase();
        if !directory::is_known(&address) && !store.mailbox_exists(&address).await? {
            results.push(Err(ResponseError::new(
                "ErrorMailRecipientNotFound",
                format!("No mailbox with the address {address} exists."),
            )));
            continue;
        }
        let view = if address == caller || directory::is_room(&address) {
            requested_view
        } else {
            free_busy_only(requested_view)
        };
        let window = items::calendar_window(store, &address, start, end, items::MAX_WINDOW_ITEMS)
            .await?
            .items;
        let mut events = Vec::new();
        for item in window {
            let (Some(item_start), Some(item_end)) = (
                item.start.as_ref().and_then(EwsDateTime::to_utc),
                item.end.as_ref().and_then(EwsDateTime::to_utc),
            ) else {
                continue;
            };
            events.push((item_start, item_end, item));
        }
        let detailed = matches!(
            view,
            FreeBusyViewType::Detailed | FreeBusyViewType::DetailedMerged
        );
        let merged = matches!(
            view,
            FreeBusyViewType::MergedOnly
                | FreeBusyViewType::FreeBusyMerged
                | FreeBusyViewType::DetailedMerged
        );
        let calendar_events =
            if view == FreeBusyViewType::MergedOnly || view == FreeBusyViewType::None {
                Vec::new()
            } else {
                events
                    .iter()
                    .map(|(s, e, item)| CalendarEvent {
                        start_time: EwsDateTime::floating(to_local(*s, zone)),
                        end_time: EwsDateTime::floating(to_local(*e, zone)),
                        busy_type: busy_type(item),
                        details: detailed.then(|| {
                            let private = item.item.sensitivity == Some(Sensitivity::Private);
                            CalendarEventDetails {
                                id: (!private)
                                    .then(|| item.item.item_id.as_ref().map(|i| i.id.clone()))
                                    .flatten(),
                                subject: if private {
                                    None
                                } else {
                                    item.item.subject.clone()
                                },
                                location: if private { None } else { item.location.clone() },
                                is_meeting: item.is_meeting.unwrap_or(false),
                                is_recurring: item.is_recurring.unwrap_or(false),
                                is_exception: false,
                                is_reminder_set: item.item.reminder_is_set.unwrap_or(false),
                                is_private: private,
                            }
                        }),
                    })
                    .collect()
            };
        let merged_free_busy = merged.then(|| {
            merged_string(
                start,
                end,
                Duration::minutes(interval),
                &events
                    .iter()
                    .map(|(s, e, i)| (*s, *e, busy_type(i)))
                    .collect::<Vec<_>>(),
            )
        });
        results.push(Ok(FreeBusyView {
            free_busy_view_type: view,
            merged_free_busy,
            calendar_events,
            working_hours: (view != FreeBusyViewType::MergedOnly).then(|| WorkingHours {
                time_zone: zone.clone(),
                working_periods: vec![WorkingPeriod {
                    days_of_week: vec![
                        DayOfWeek::Monday,
                        DayOfWeek::Tuesday,
                        DayOfWeek::Wednesday,
                        DayOfWeek::Thursday,
                        DayOfWeek::Friday,
                    ],
                    start_time_in_minutes: 8 * 60,
                    end_time_in_minutes: 17 * 60,
                }],
            }),
        }));
    }
    Ok(GetUserAvailabilityResponse::new(results))
}

/// The view Exchange answers when the caller may see free/busy times but no details.
fn free_busy_only(view: FreeBusyViewType) -> FreeBusyViewType {
    match view {
        FreeBusyViewType::Detailed => FreeBusyViewType::FreeBusy,
        FreeBusyViewType::DetailedMerged => FreeBusyViewType::FreeBusyMerged,
        other => other,
    }
}

fn weekday(day: DayOfWeek) -> Option<Weekday> {
    Some(match day {
        DayOfWeek::Sunday => Weekday::Sun,
        DayOfWeek::Monday => Weekday::Mon,
        DayOfWeek::Tuesday => Weekday::Tue,
        DayOfWeek::Wednesday => Weekday::Wed,
        DayOfWeek::Thursday => Weekday::Thu,
        DayOfWeek::Friday => Weekday::Fri,
        DayOfWeek::Saturday => Weekday::Sat,
        _ => return None,
    })
}

/// The local date-time a transition happens in `year`: the DayOrder-th (5 = last) weekday of
/// the month, or, with a Year, an absolute date whose DayOrder is the day of the month.
fn transition(year: i32, rule: &TimeZoneTransition) -> Option<NaiveDateTime> {
    let month = u32::try_from(rule.month)
        .ok()
        .filter(|m| (1..=12).contains(m))?;
    let time = NaiveTime::parse_from_str(&rule.time, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(&rule.time, "%H:%M"))
        .ok()?;
    let date = if rule.year.is_some() {
        NaiveDate::from_ymd_opt(year, month, u32::try_from(rule.day_order).ok()?)?
    } else {
        let wanted = weekday(rule.day_of_week)?;
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let offset =
            (7 + wanted.num_days_from_sunday() - first.weekday().num_days_from_sunday()) % 7;
        let mut date = first + Duration::days(i64::from(offset));
        for _ in 1..rule.day_order.clamp(1, 5) {
            let next = date + Duration::days(7);
            if next.month() != month {
                break; // "fifth" means the last one
            }
            date = next;
        }
        date
    };
    Some(date.and_time(time))
}

/// Minutes to add to local time to get UTC at the instant `utc`.
fn bias_at(zone: &SerializableTimeZone, utc: DateTime<Utc>) -> i64 {
    // i64: biases come from the request and their sum must not overflow.
    let standard = i64::from(zone.bias) + i64::from(zone.standard_time.bias);
    let daylight = i64::from(zone.bias) + i64::from(zone.daylight_time.bias);
    let year = shift(utc.naive_utc(), -standard).year();
    let (Some(dst_start), Some(dst_end)) = (
        transition(year, &zone.daylight_time),
        transition(year, &zone.standard_time),
    ) else {
        return standard;
    };
    // Transitions are written in the local time in force just before them.
    let dst_start = shift(dst_start, standard);
    let dst_end = shift(dst_end, daylight);
    let now = utc.naive_utc();
    let in_daylight = if dst_start < dst_end {
        now >= dst_start && now < dst_end
    } else {
        // Southern hemisphere: summer time spans the new year.
        now >= dst_start || now < dst_end
    };
    if in_daylight { daylight } else { standard }
}

/// `t` moved by `minutes`; unchanged when that leaves chrono's range (hostile biases).
fn shift(t: NaiveDateTime, minutes: i64) -> NaiveDateTime {
    Duration::try_minutes(minutes)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(t)
}

fn to_local(utc: DateTime<Utc>, zone: &SerializableTimeZone) -> NaiveDateTime {
    shift(utc.naive_utc(), -bias_at(zone, utc))
}

/// A request time: with a zone designator as given, else local in the request's zone.
fn to_utc(value: &EwsDateTime, zone: &SerializableTimeZone) -> DateTime<Utc> {
    if let Some(utc) = value.to_utc() {
        return utc;
    }
    let standard = i64::from(zone.bias) + i64::from(zone.standard_time.bias);
    let guess = shift(value.local, standard).and_utc();
    shift(value.local, bias_at(zone, guess)).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ews::types::LegacyFreeBusy;

    fn rule(bias: i32, month: i16, day_order: i16, time: &str) -> TimeZoneTransition {
        TimeZoneTransition {
            bias,
            time: time.into(),
            day_order,
            month,
            day_of_week: DayOfWeek::Sunday,
            year: None,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn northern_and_southern_daylight_saving_rules() {
        // Paris: UTC+1, summer UTC+2 from the last Sunday of March to the last of October.
        let paris = SerializableTimeZone {
            bias: -60,
            standard_time: rule(0, 10, 5, "03:00:00"),
            daylight_time: rule(-60, 3, 5, "02:00:00"),
        };
        assert_eq!(
            to_local(utc("2026-12-01T08:00:00Z"), &paris).to_string(),
            "2026-12-01 09:00:00"
        );
        assert_eq!(
            to_local(utc("2026-07-01T08:00:00Z"), &paris).to_string(),
            "2026-07-01 10:00:00"
        );
        // 2026-03-29 01:00 UTC is 03:00 summer time (the switch happened at 02:00 local).
        assert_eq!(
            to_local(utc("2026-03-29T01:00:00Z"), &paris).to_string(),
            "2026-03-29 03:00:00"
        );
        assert_eq!(
            to_local(utc("2026-03-29T00:59:00Z"), &paris).to_string(),
            "2026-03-29 01:59:00"
        );
        // Sydney: UTC+10, summer UTC+11 from the first Sunday of October to the first of April.
        let sydney = SerializableTimeZone {
            bias: -600,
            standard_time: rule(0, 4, 1, "03:00:00"),
            daylight_time: rule(-60, 10, 1, "02:00:00"),
        };
        assert_eq!(
            to_local(utc("2026-12-01T00:00:00Z"), &sydney).to_string(),
            "2026-12-01 11:00:00"
        );
        assert_eq!(
            to_local(utc("2026-07-01T00:00:00Z"), &sydney).to_string(),
            "2026-07-01 10:00:00"
        );
        let local = EwsDateTime::parse("2026-12-01T11:00:00").unwrap();
        assert_eq!(to_utc(&local, &sydney), utc("2026-12-01T00:00:00Z"));
        assert_eq!(
            bias_at(&SerializableTimeZone::utc(), utc("2026-07-01T00:00:00Z")),
            0
        );
    }

    #[test]
    fn hostile_biases_do_not_panic() {
        let hostile = SerializableTimeZone {
            bias: i32::MAX,
            standard_time: rule(i32::MAX, 10, 5, "03:00:00"),
            daylight_time: rule(i32::MIN, 3, 5, "02:00:00"),
        };
        let at = utc("2026-12-01T08:00:00Z");
        let _ = to_local(at, &hostile);
        let _ = to_utc(
            &EwsDateTime::parse("2026-12-01T08:00:00").unwrap(),
            &hostile,
        );
    }

    #[test]
    fn merged_free_busy_takes_the_strongest_status_per_interval() {
        let t = |h: u32, m: u32| utc(&format!("2026-12-01T{h:02}:{m:02}:00Z"));
        let events = [
            (t(9, 0), t(10, 0), LegacyFreeBusy::Tentative),
            (t(9, 30), t(10, 0), LegacyFreeBusy::Busy),
            (t(11, 0), t(11, 15), LegacyFreeBusy::Oof),
        ];
        let merged = merged_string(t(8, 0), t(12, 0), Duration::minutes(30), &events);
        assert_eq!(merged, "00120030");
    }
}
