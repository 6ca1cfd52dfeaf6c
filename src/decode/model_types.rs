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
        Ok(Appointment {
            id: f.get("id")?,
            change_key: f.or_default("changeKey")?,
            subject: f.get("subject")?,
            start: f.get("start")?,
            end: f.get("end")?,
            location: f.or_default("location")?,
            body: f.or_default("body")?,
            all_day: f.or_default("allDay")?,
            reminder_minutes: f.opt("reminderMinutes")?,
            show_as: f.or_default("showAs")?,
            importance: f.or_default("importance")?,
            private: f.or_default("private")?,
            categories: f.or_default("categories")?,
            required_attendees: f.or_default("requiredAttendees")?,
            optional_attendees: f.or_default("optionalAttendees")?,
            rooms: f.or_default("rooms")?,
            recurrence: f.opt("recurrence")?,
            occurrence: f.or_default("occurrence")?,
            organizer: f.opt("organizer")?,
            my_response: f.or_default("myResponse")?,
            cancelled: f.or_default("cancelled")?,
        })
    }
}

impl FromJs for Task {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Task {
            id: f.get("id")?,
            change_key: f.or_default("changeKey")?,
            subject: f.get("subject")?,
            due_date: f.opt("dueDate")?,
            status: f.get("status")?,
            body: f.or_default("body")?,
            start_date: f.opt("startDate")?,
            percent_complete: f.or_default("percentComplete")?,
            importance: f.or_default("importance")?,
            categories: f.or_default("categories")?,
            reminder: f.opt("reminder")?,
            recurrence: f.opt("recurrence")?,
        })
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
        Ok(AppointmentDraft {
            subject: f.get("subject")?,
            start: f.get("start")?,
            end: f.get("end")?,
            location: f.or_default("location")?,
            body: f.or_default("body")?,
            time_zone: f.opt("timeZone")?,
            all_day: f.or_default("allDay")?,
            reminder: f.or_default("reminder")?,
            show_as: f.or_default("showAs")?,
            importance: f.or_default("importance")?,
            private: f.or_default("private")?,
            categories: f.or_default("categories")?,
            required_attendees: f.or_default("requiredAttendees")?,
            optional_attendees: f.or_default("optionalAttendees")?,
            rooms: f.or_default("rooms")?,
            recurrence: f.opt("recurrence")?,
        })
    }
}

impl FromJs for TaskDraft {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        let defaults = TaskDraft::default();
        Ok(TaskDraft {
            subject: f.get("subject")?,
            due_date: f.or_default("dueDate")?,
            status: f.opt("status")?.unwrap_or(defaults.status),
            body: f.or_default("body")?,
            start_date: f.or_default("startDate")?,
            percent_complete: f.or_default("percentComplete")?,
            importance: f.opt("importance")?.unwrap_or(defaults.importance),
            categories: f.or_default("categories")?,
            reminder_at: f.or_default("reminderAt")?,
            recurrence: f.opt("recurrence")?,
        })
    }
}
