//! A stored item turned back into the draft its form edits. Every field of the draft is filled,
//! the ones the form does not show too: a save replaces all of the item's fields with the
//! draft's, so what the form does not show must go back as it came.

use js_sys::Date;
use model::{
    Appointment, AppointmentDraft, Ends, Pattern, Recurrence, RecurrenceDraft, RecurrenceEnd,
    Repeat, Task, TaskDraft, TaskStatus,
};
use wasm_bindgen::JsValue;

use crate::wall_clock::{instant_ms, local_text, rfc3339};

/// `YYYY-MM-DDTHH:MM` in the browser's zone (what `<input type="datetime-local">` shows) of the
/// instant `millis` after the epoch.
pub fn local_date_time(millis: f64) -> String {
    let d = Date::new(&JsValue::from_f64(millis));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The instant (RFC 3339, UTC) of a `YYYY-MM-DDTHH:MM` typed in the browser's zone; text that
/// is not such a time is kept as it is, for validation to name.
pub fn instant_of_local(text: &str) -> String {
    instant_ms(text, None).map_or_else(|| text.to_owned(), rfc3339)
}

/// The browser's `YYYY-MM-DDTHH:MM` of an RFC 3339 instant (the inverse of
/// [`instant_of_local`]); anything else as it is.
pub fn local_of_instant(text: &str) -> String {
    let millis = Date::parse(text);
    if millis.is_nan() {
        return text.to_owned();
    }
    local_text(millis, None).unwrap_or_else(|| text.to_owned())
}

/// The draft of a stored appointment, its times on the clock of `zone`: the zone the form types
/// new appointments in (`WidgetConfig::time_zone`, one the browser knows), which the zone field
/// then shows; the browser's own clock when `None`.
pub fn appointment_draft(a: &Appointment, zone: Option<&str>) -> AppointmentDraft {
    let wall_clock =
        |millis: f64| local_text(millis, zone).unwrap_or_else(|| local_date_time(millis));
    let start = a.start.timestamp_millis() as f64;
    let end = a.end.timestamp_millis() as f64;
    let (start, end) = if a.all_day {
        // Days, as the form's date fields take them (`YYYY-MM-DD`). An all-day item ends at the
        // midnight after its last day; the draft names that day.
        let day = |millis: f64| wall_clock(millis)[..10].to_owned();
        (day(start), day(end - 1.0))
    } else {
        (wall_clock(start), wall_clock(end))
    };
    let emails = |people: &[model::Attendee]| people.iter().map(|p| p.email.clone()).collect();
    AppointmentDraft {
        subject: a.subject.clone(),
        start,
        end,
        location: a.location.clone(),
        body: a.body.clone(),
        time_zone: zone.map(str::to_owned),
        all_day: a.all_day,
        reminder: text_or_empty(a.reminder_minutes),
        show_as: a.show_as,
        importance: a.importance,
        private: a.private,
        categories: a.categories.clone(),
        required_attendees: emails(&a.required_attendees),
        optional_attendees: emails(&a.optional_attendees),
        rooms: emails(&a.rooms),
        recurrence: a.recurrence.as_ref().map(recurrence_draft),
    }
}

pub fn task_draft(t: &Task) -> TaskDraft {
    TaskDraft {
        subject: t.subject.clone(),
        due_date: text_or_empty(t.due_date),
        status: t.status.as_str().to_owned(),
        body: t.body.clone(),
        start_date: text_or_empty(t.start_date),
        percent_complete: t.percent_complete.to_string(),
        importance: t.importance,
        categories: t.categories.clone(),
        reminder_at: t.reminder.map(|r| r.to_rfc3339()).unwrap_or_default(),
        recurrence: t.recurrence.as_ref().map(recurrence_draft),
    }
}

fn text_or_empty(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// `t` as a draft marked complete (status and progress agree, as the proxy requires).
pub fn completed_task_draft(t: &Task) -> TaskDraft {
    TaskDraft {
        status: TaskStatus::Completed.as_str().to_owned(),
        percent_complete: "100".to_owned(),
        ..task_draft(t)
    }
}

fn recurrence_draft(rule: &Recurrence) -> RecurrenceDraft {
    let (repeat, interval, days) = match &rule.pattern {
        Pattern::Daily { interval } => (Repeat::Daily, *interval, Vec::new()),
        Pattern::Weekly { interval, days } => (Repeat::Weekly, *interval, days.clone()),
        Pattern::MonthlyOnDay { interval, .. } => (Repeat::Monthly, *interval, Vec::new()),
        Pattern::MonthlyOnWeekday { interval, .. } => (Repeat::MonthlyNth, *interval, Vec::new()),
        Pattern::Yearly { .. } => (Repeat::Yearly, 1, Vec::new()),
    };
    let (ends, until, count) = match rule.end {
        RecurrenceEnd::Never => (Ends::Never, String::new(), String::new()),
        RecurrenceEnd::Until { date } => (Ends::On, date.to_string(), String::new()),
        RecurrenceEnd::Count { count } => (Ends::After, String::new(), count.to_string()),
    };
    RecurrenceDraft {
        repeat,
        interval: interval.to_string(),
        days,
        ends,
        until,
        count,
    }
}
