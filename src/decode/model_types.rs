//! [`FromJs`] for the shared API types the widget reads: the proxy's answers (items, pages,
//! sign-in status) and the drafts kept across a full-page sign-in. Field names and defaults
//! follow the serde attributes in `crates/model`.

use chrono::{DateTime, NaiveDate, Utc};
use model::{
    Appointment, AppointmentDraft, Attendee, AuthStatus, Ends, Importance, Page, Pattern,
    Recurrence, RecurrenceDraft, RecurrenceEnd, Repeat, ReplyKind, ResponseStatus, ShowAs, Task,
    TaskDraft, TaskStatus, WeekOfMonth, Weekday,
};
use wasm_bindgen::JsValue;

use super::{DecodeError, Decoded, Fields, FromJs, tagged, unknown_variant, variant};

/// RFC 3339, as the proxy writes instants.
impl FromJs for DateTime<Utc> {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let text = String::from_js(value)?;
        model::rfc3339_instant(&text)
            .ok_or_else(|| DecodeError::new(format!("'{text}' is not an RFC 3339 date and time")))
    }
}

/// `YYYY-MM-DD`.
impl FromJs for NaiveDate {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let text = String::from_js(value)?;
        model::date_with_spaces(&text)
            .ok_or_else(|| DecodeError::new(format!("'{text}' is not a date such as 2026-12-01")))
    }
}

macro_rules! fieldless_enums {
    ($($name:ty),* $(,)?) => {
        $(impl FromJs for $name {
            fn from_js(value: &JsValue) -> Decoded<Self> {
                variant(value, &<$name>::ALL)
            }
        })*
    };
}

fieldless_enums!(
    ShowAs,
    Importance,
    Weekday,
    WeekOfMonth,
    Repeat,
    Ends,
    ResponseStatus,
    TaskStatus,
    ReplyKind,
);

impl<T: FromJs> FromJs for Page<T> {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Page {
            items: f.get("items")?,
            more: f.get("more")?,
            next_cursor: f.opt("nextCursor")?,
        })
    }
}

impl FromJs for AuthStatus {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(AuthStatus {
            authorized: f.get("authorized")?,
            user: f.opt("user")?,
        })
    }
}

impl FromJs for Attendee {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Attendee {
            email: f.get("email")?,
            name: f.or_default("name")?,
            response: f.or_default("response")?,
        })
    }
}

impl FromJs for Appointment {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        let mut a = Appointment::default();
        f.require("id", &mut a.id)?;
        f.read("changeKey", &mut a.change_key)?;
        f.require("subject", &mut a.subject)?;
        f.require("start", &mut a.start)?;
        f.require("end", &mut a.end)?;
        f.read("location", &mut a.location)?;
        f.read("body", &mut a.body)?;
        f.read("allDay", &mut a.all_day)?;
        f.read("reminderMinutes", &mut a.reminder_minutes)?;
        f.read("showAs", &mut a.show_as)?;
        f.read("importance", &mut a.importance)?;
        f.read("private", &mut a.private)?;
        f.read("categories", &mut a.categories)?;
        f.read("requiredAttendees", &mut a.required_attendees)?;
        f.read("optionalAttendees", &mut a.optional_attendees)?;
        f.read("rooms", &mut a.rooms)?;
        f.read("recurrence", &mut a.recurrence)?;
        f.read("occurrence", &mut a.occurrence)?;
        f.read("organizer", &mut a.organizer)?;
        f.read("myResponse", &mut a.my_response)?;
        f.read("cancelled", &mut a.cancelled)?;
        Ok(a)
    }
}

impl FromJs for Task {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        let mut t = Task::default();
        f.require("id", &mut t.id)?;
        f.read("changeKey", &mut t.change_key)?;
        f.require("subject", &mut t.subject)?;
        f.read("dueDate", &mut t.due_date)?;
        f.require("status", &mut t.status)?;
        f.read("body", &mut t.body)?;
        f.read("startDate", &mut t.start_date)?;
        f.read("percentComplete", &mut t.percent_complete)?;
        f.read("importance", &mut t.importance)?;
        f.read("categories", &mut t.categories)?;
        f.read("reminder", &mut t.reminder)?;
        f.read("recurrence", &mut t.recurrence)?;
        Ok(t)
    }
}

impl FromJs for Recurrence {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Recurrence {
            pattern: f.get("pattern")?,
            start_date: f.get("startDate")?,
            end: f.get("end")?,
        })
    }
}

impl FromJs for Pattern {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let (name, data) = tagged(value)?;
        let f = Fields::of(&data).map_err(|e| e.within(&name))?;
        let pattern = match name.as_str() {
            "daily" => Pattern::Daily {
                interval: f.get("interval")?,
            },
            "weekly" => Pattern::Weekly {
                interval: f.get("interval")?,
                days: f.get("days")?,
            },
            "monthlyOnDay" => Pattern::MonthlyOnDay {
                interval: f.get("interval")?,
                day: f.get("day")?,
            },
            "monthlyOnWeekday" => Pattern::MonthlyOnWeekday {
                interval: f.get("interval")?,
                week: f.get("week")?,
                weekday: f.get("weekday")?,
            },
            "yearly" => Pattern::Yearly {
                month: f.get("month")?,
                day: f.get("day")?,
            },
            other => return Err(unknown_variant(other)),
        };
        Ok(pattern)
    }
}

impl FromJs for RecurrenceEnd {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let (name, data) = tagged(value)?;
        if name == "never" {
            return Ok(RecurrenceEnd::Never);
        }
        let f = Fields::of(&data).map_err(|e| e.within(&name))?;
        match name.as_str() {
            "until" => Ok(RecurrenceEnd::Until {
                date: f.get("date")?,
            }),
            "count" => Ok(RecurrenceEnd::Count {
                count: f.get("count")?,
            }),
            other => Err(unknown_variant(other)),
        }
    }
}

impl FromJs for RecurrenceDraft {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(RecurrenceDraft {
            repeat: f.get("repeat")?,
            interval: f.or_default("interval")?,
            days: f.or_default("days")?,
            ends: f.or_default("ends")?,
            until: f.or_default("until")?,
            count: f.or_default("count")?,
        })
    }
}

impl FromJs for AppointmentDraft {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        let mut d = AppointmentDraft::default();
        f.require("subject", &mut d.subject)?;
        f.require("start", &mut d.start)?;
        f.require("end", &mut d.end)?;
        f.read("location", &mut d.location)?;
        f.read("body", &mut d.body)?;
        f.read("timeZone", &mut d.time_zone)?;
        f.read("allDay", &mut d.all_day)?;
        f.read("reminder", &mut d.reminder)?;
        f.read("showAs", &mut d.show_as)?;
        f.read("importance", &mut d.importance)?;
        f.read("private", &mut d.private)?;
        f.read("categories", &mut d.categories)?;
        f.read("requiredAttendees", &mut d.required_attendees)?;
        f.read("optionalAttendees", &mut d.optional_attendees)?;
        f.read("rooms", &mut d.rooms)?;
        f.read("recurrence", &mut d.recurrence)?;
        Ok(d)
    }
}

/// Absent fields take [`TaskDraft::default`]'s values, which are serde's defaults.
impl FromJs for TaskDraft {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        let mut d = TaskDraft::default();
        f.require("subject", &mut d.subject)?;
        f.read("dueDate", &mut d.due_date)?;
        f.read("status", &mut d.status)?;
        f.read("body", &mut d.body)?;
        f.read("startDate", &mut d.start_date)?;
        f.read("percentComplete", &mut d.percent_complete)?;
        f.read("importance", &mut d.importance)?;
        f.read("categories", &mut d.categories)?;
        f.read("reminderAt", &mut d.reminder_at)?;
        f.read("recurrence", &mut d.recurrence)?;
        Ok(d)
    }
}
