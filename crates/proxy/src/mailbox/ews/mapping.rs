//! Between the JSON API's model and EWS items.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use ews::types::{
    Body, CalendarItem, EwsDateTime, ExtendedProperty, Item, ItemFields, ItemId, Task as EwsTask,
    TimeZoneRef,
};
use model::{Appointment, NewTask, Task, TaskStatus};

use super::meeting;
use crate::mailbox::{MailboxError, PreparedAppointment};

/// The calendar item CreateItem sends, with the form's zone as its Windows zone id
/// (StartTimeZone/EndTimeZone) so Outlook shows the meeting in the zone it was planned in
/// (left out when CLDR has no Windows zone for it).
pub fn calendar_item(appointment: &PreparedAppointment, client_request_id: &str) -> CalendarItem {
    let windows_zone = ews::time_zone::iana_to_windows(&appointment.time_zone);
    let mut item = CalendarItem {
        item: ItemFields {
            subject: Some(appointment.subject.clone()),
            body: appointment.body.as_ref().map(Body::text),
            extended_properties: vec![ExtendedProperty::client_request_id(client_request_id)],
            ..Default::default()
        },
        start: Some(EwsDateTime::utc(appointment.start)),
        end: Some(EwsDateTime::utc(appointment.end)),
        location: appointment.location.clone(),
        start_time_zone: windows_zone.map(TimeZoneRef::id),
        end_time_zone: windows_zone.map(TimeZoneRef::id),
        ..CalendarItem::default()
    };
    meeting::fill(&mut item, &appointment.details);
    item
}

/// A task's due date is a day, but EWS carries a dateTime: we send midnight UTC and read back
/// the nearest UTC midnight, which maps a due date stored at local midnight by Outlook in any
/// zone between UTC-11 and UTC+11 to the day the user picked.
pub fn task_to_ews(task: &NewTask, client_request_id: &str) -> EwsTask {
    EwsTask {
        item: ItemFields {
            subject: Some(task.subject.as_str().to_owned()),
            body: task.body.as_ref().map(Body::text),
            importance: Some(meeting::importance_to_ews(task.importance)),
            categories: (!task.categories.is_empty()).then(|| task.categories.clone()),
            reminder_is_set: Some(task.reminder.is_some()),
            reminder_due_by: task.reminder.map(EwsDateTime::utc),
            extended_properties: vec![ExtendedProperty::client_request_id(client_request_id)],
            ..Default::default()
        },
        due_date: task
            .due_date
            .map(|d| EwsDateTime::utc(d.and_time(NaiveTime::MIN).and_utc())),
        status: Some(status_to_ews(task.status)),
        start_date: task
            .start_date
            .map(|d| EwsDateTime::utc(d.and_time(NaiveTime::MIN).and_utc())),
        percent_complete: Some(f64::from(task.percent_complete)),
        recurrence: task.recurrence.as_ref().map(meeting::to_ews_recurrence),
        ..EwsTask::default()
    }
}

/// The task as created: what we sent, under the id Exchange gave it.
pub fn created_task(task: &NewTask, id: ItemId) -> Task {
    Task {
        id: id.id,
        change_key: id.change_key.unwrap_or_default(),
        subject: task.subject.as_str().to_owned(),
        due_date: task.due_date,
        status: task.status,
        body: task.body.clone().unwrap_or_default(),
        start_date: task.start_date,
        percent_complete: task.percent_complete,
        importance: task.importance,
        categories: task.categories.clone(),
        reminder: task.reminder,
        recurrence: task.recurrence.clone(),
    }
}

fn status_to_ews(status: TaskStatus) -> ews::types::TaskStatus {
    use ews::types::TaskStatus as E;
    match status {
        TaskStatus::NotStarted => E::NotStarted,
        TaskStatus::InProgress => E::InProgress,
        TaskStatus::Completed => E::Completed,
        TaskStatus::WaitingOnOthers => E::WaitingOnOthers,
        TaskStatus::Deferred => E::Deferred,
    }
}

fn status_from_ews(status: ews::types::TaskStatus) -> TaskStatus {
    use ews::types::TaskStatus as E;
    match status {
        E::NotStarted => TaskStatus::NotStarted,
        E::InProgress => TaskStatus::InProgress,
        E::Completed => TaskStatus::Completed,
        E::WaitingOnOthers => TaskStatus::WaitingOnOthers,
        E::Deferred => TaskStatus::Deferred,
    }
}

/// A floating (zone-less) time from Exchange is UTC: we never send a TimeZoneContext header.
fn instant(value: &EwsDateTime) -> DateTime<Utc> {
    value.to_utc().unwrap_or_else(|| value.local.and_utc())
}

fn nearest_midnight(value: &EwsDateTime) -> NaiveDate {
    (instant(value) + Duration::hours(12)).date_naive()
}

pub fn appointment_from_ews(item: &Item) -> Result<Appointment, MailboxError> {
    let Some(calendar_item) = item.as_calendar_item() else {
        return Err(MailboxError::Unreadable(
            "expected a CalendarItem in Exchange's answer".into(),
        ));
    };
    let id = calendar_item
        .item
        .item_id
        .as_ref()
        .ok_or_else(|| MailboxError::Unreadable("calendar item without ItemId".into()))?;
    let (Some(start), Some(end)) = (&calendar_item.start, &calendar_item.end) else {
        return Err(MailboxError::Unreadable(format!(
            "calendar item {} without Start/End",
            id.id
        )));
    };
    let mut appointment = Appointment {
        id: id.id.clone(),
        change_key: id.change_key.clone().unwrap_or_default(),
        subject: calendar_item.item.subject.clone().unwrap_or_default(),
        start: instant(start),
        end: instant(end),
        location: calendar_item.location.clone().unwrap_or_default(),
        body: calendar_item
            .item
            .body
            .as_ref()
            .map(|b| b.content.clone())
            .unwrap_or_default(),
        ..Appointment::default()
    };
    meeting::read(calendar_item, &mut appointment);
    Ok(appointment)
}

pub fn task_from_ews(item: &Item) -> Result<Task, MailboxError> {
    let Some(task) = item.as_task() else {
        return Err(MailboxError::Unreadable(
            "expected a Task in Exchange's answer".into(),
        ));
    };
    let id = task
        .item
        .item_id
        .as_ref()
        .ok_or_else(|| MailboxError::Unreadable("task without ItemId".into()))?;
    Ok(Task {
        id: id.id.clone(),
        change_key: id.change_key.clone().unwrap_or_default(),
        subject: task.item.subject.clone().unwrap_or_default(),
        due_date: task.due_date.as_ref().map(nearest_midnight),
        status: task.status.map(status_from_ews).unwrap_or_default(),
        body: task
            .item
            .body
            .as_ref()
            .map(|b| b.content.clone())
            .unwrap_or_default(),
        start_date: task.start_date.as_ref().map(nearest_midnight),
        percent_complete: task
            .percent_complete
            .map_or(0, |p| p.clamp(0.0, 100.0).round() as u8),
        importance: meeting::importance_from_ews(task.item.importance),
        categories: task.item.categories.clone().unwrap_or_default(),
        reminder: match task.item.reminder_is_set {
            Some(true) => task.item.reminder_due_by.as_ref().map(instant),
            _ => None,
        },
        recurrence: task
            .recurrence
            .as_ref()
            .and_then(meeting::from_ews_recurrence),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_survive_local_midnights_in_both_hemispheres() {
        let at = |s: &str| EwsDateTime::parse(s).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(nearest_midnight(&at("2026-12-01T00:00:00Z")), day);
        assert_eq!(
            nearest_midnight(&at("2026-11-30T23:00:00Z")),
            day,
            "Paris midnight"
        );
        assert_eq!(
            nearest_midnight(&at("2026-12-01T05:00:00Z")),
            day,
            "New York midnight"
        );
        assert_eq!(
            nearest_midnight(&at("2026-11-30T13:00:00Z")),
            day,
            "Sydney midnight (UTC+11 in summer)"
        );
        assert_eq!(
            nearest_midnight(&at("2026-12-01T00:00:00")),
            day,
            "floating"
        );
    }
}
