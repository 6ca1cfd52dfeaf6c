//! What each field of the form shows and what an edit of it changes: the one place that maps
//! `model::Field` to the drafts' members. Choices are shown as their index in the model's list
//! (the select's option values); dates and times as the browser's inputs hold them.

use model::{Ends, Field, Importance, RecurrenceDraft, Repeat, ShowAs, Weekday};

use crate::item_draft::{instant_of_local, local_of_instant};
use crate::state::{FormState, Kind};

impl FormState {
    pub fn value(&self, field: Field) -> String {
        if let Some(recurrence) = recurrence_value(self.recurrence(), field) {
            return recurrence;
        }
        let a = &self.appointment;
        let t = &self.task;
        match (self.kind, field) {
            (Kind::Appointment, Field::Subject) => a.subject.clone(),
            (Kind::Appointment, Field::Start) => a.start.clone(),
            (Kind::Appointment, Field::End) => a.end.clone(),
            (Kind::Appointment, Field::Location) => a.location.clone(),
            (Kind::Appointment, Field::Body) => a.body.clone(),
            (Kind::Appointment, Field::TimeZone) => a.time_zone.clone().unwrap_or_default(),
            (Kind::Appointment, Field::AllDay) => flag(a.all_day),
            (Kind::Appointment, Field::Private) => flag(a.private),
            (Kind::Appointment, Field::Reminder) => a.reminder.clone(),
            (Kind::Appointment, Field::ShowAs) => index_of(&ShowAs::ALL, a.show_as),
            (Kind::Appointment, Field::Importance) => index_of(&Importance::ALL, a.importance),
            (Kind::Appointment, Field::Categories) => a.categories.join(","),
            // One address a line: the pickers' chips.
            (Kind::Appointment, Field::RequiredAttendees) => a.required_attendees.join("\n"),
            (Kind::Appointment, Field::OptionalAttendees) => a.optional_attendees.join("\n"),
            (Kind::Appointment, Field::Rooms) => a.rooms.join("\n"),
            (Kind::Task, Field::Subject) => t.subject.clone(),
            (Kind::Task, Field::StartDate) => t.start_date.clone(),
            (Kind::Task, Field::DueDate) => t.due_date.clone(),
            (Kind::Task, Field::Status) => t.status.clone(),
            (Kind::Task, Field::PercentComplete) => t.percent_complete.clone(),
            (Kind::Task, Field::Importance) => index_of(&Importance::ALL, t.importance),
            (Kind::Task, Field::ReminderAt) => local_of_instant(&t.reminder_at),
            (Kind::Task, Field::Categories) => t.categories.join(","),
            (Kind::Task, Field::Body) => t.body.clone(),
            _ => String::new(),
        }
    }

    /// Applies the user's edit of `field`; `false` when the form has no such field.
    pub(crate) fn set_field(&mut self, field: Field, value: String) -> bool {
        if is_recurrence(field) {
            return set_recurrence(self.recurrence_mut(), field, value);
        }
        let a = &mut self.appointment;
        let t = &mut self.task;
        match (self.kind, field) {
            (Kind::Appointment, Field::Subject) => a.subject = value,
            (Kind::Appointment, Field::Start) => a.move_start(value),
            (Kind::Appointment, Field::End) => a.end = value,
            (Kind::Appointment, Field::Location) => a.location = value,
            (Kind::Appointment, Field::Body) => a.body = value,
            (Kind::Appointment, Field::TimeZone) => a.time_zone = Some(value),
            (Kind::Appointment, Field::AllDay) => a.set_all_day(value == "true"),
            (Kind::Appointment, Field::Private) => a.private = value == "true",
            (Kind::Appointment, Field::Reminder) => a.reminder = value,
            (Kind::Appointment, Field::ShowAs) => {
                a.show_as = at_index(&ShowAs::ALL, &value).unwrap_or(a.show_as)
            }
            (Kind::Appointment, Field::Importance) => {
                a.importance = at_index(&Importance::ALL, &value).unwrap_or(a.importance)
            }
            (Kind::Appointment, Field::Categories) => a.categories = categories(value),
            (Kind::Appointment, Field::RequiredAttendees) => a.required_attendees = lines(&value),
            (Kind::Appointment, Field::OptionalAttendees) => a.optional_attendees = lines(&value),
            (Kind::Appointment, Field::Rooms) => a.rooms = lines(&value),
            (Kind::Task, Field::Subject) => t.subject = value,
            (Kind::Task, Field::StartDate) => t.start_date = value,
            (Kind::Task, Field::DueDate) => t.due_date = value,
            (Kind::Task, Field::Status) => t.set_status(value),
            (Kind::Task, Field::PercentComplete) => t.set_percent(value),
            (Kind::Task, Field::Importance) => {
                t.importance = at_index(&Importance::ALL, &value).unwrap_or(t.importance)
            }
            (Kind::Task, Field::ReminderAt) => t.reminder_at = instant_of_local(&value),
            (Kind::Task, Field::Categories) => t.categories = categories(value),
            (Kind::Task, Field::Body) => t.body = value,
            _ => return false,
        }
        true
    }

    /// The current form's repeat rule.
    pub fn recurrence(&self) -> Option<&RecurrenceDraft> {
        match self.kind {
            Kind::Appointment => self.appointment.recurrence.as_ref(),
            Kind::Task => self.task.recurrence.as_ref(),
        }
    }

    /// The date the current form's rule repeats from: an appointment's start; a task's start
    /// date, or its due date when it has none (as the model reads it).
    pub fn recurrence_anchor(&self) -> &str {
        match self.kind {
            Kind::Appointment => &self.appointment.start,
            Kind::Task if self.task.start_date.trim().is_empty() => &self.task.due_date,
            Kind::Task => &self.task.start_date,
        }
    }

    fn recurrence_mut(&mut self) -> &mut Option<RecurrenceDraft> {
        match self.kind {
            Kind::Appointment => &mut self.appointment.recurrence,
            Kind::Task => &mut self.task.recurrence,
        }
    }
}

fn is_recurrence(field: Field) -> bool {
    matches!(
        field,
        Field::Recurrence
            | Field::RecurrenceInterval
            | Field::RecurrenceDays
            | Field::RecurrenceEnds
            | Field::RecurrenceUntil
            | Field::RecurrenceCount
    )
}

fn recurrence_value(rule: Option<&RecurrenceDraft>, field: Field) -> Option<String> {
    if !is_recurrence(field) {
        return None;
    }
    let Some(r) = rule else {
        return Some(String::new());
    };
    Some(match field {
        Field::Recurrence => index_of(&Repeat::ALL, r.repeat),
        Field::RecurrenceInterval => r.interval.clone(),
        Field::RecurrenceEnds => index_of(&Ends::ALL, r.ends),
        Field::RecurrenceUntil => r.until.clone(),
        Field::RecurrenceCount => r.count.clone(),
        _ => String::new(),
    })
}

fn set_recurrence(slot: &mut Option<RecurrenceDraft>, field: Field, value: String) -> bool {
    if field == Field::Recurrence {
        *slot = at_index(&Repeat::ALL, &value).map(|repeat| {
            let kept = slot.take();
            RecurrenceDraft {
                repeat,
                ..kept.unwrap_or_else(|| RecurrenceDraft::new(repeat))
            }
        });
        return true;
    }
    let Some(r) = slot.as_mut() else {
        return false;
    };
    match field {
        Field::RecurrenceInterval => r.interval = value,
        Field::RecurrenceUntil => r.until = value,
        Field::RecurrenceCount => r.count = value,
        Field::RecurrenceEnds => r.ends = at_index(&Ends::ALL, &value).unwrap_or(r.ends),
        // A weekday's index: ticks or unticks it.
        Field::RecurrenceDays => {
            let Some(day) = at_index(&Weekday::ALL, &value) else {
                return false;
            };
            if let Some(at) = r.days.iter().position(|d| *d == day) {
                r.days.remove(at);
            } else {
                r.days.push(day);
            }
        }
        _ => return false,
    }
    true
}

/// Split as typed (trimmed by validation) so that the text reads back exactly as the user left it.
fn categories(text: String) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::to_owned).collect()
    }
}

/// A picker's list from its value, one address a line.
fn lines(value: &str) -> Vec<String> {
    value.lines().map(str::to_owned).collect()
}

fn flag(on: bool) -> String {
    if on { "true" } else { "" }.to_owned()
}

/// A choice's index in `all`, as its select option's value.
fn index_of<T: PartialEq>(all: &[T], value: T) -> String {
    all.iter()
        .position(|v| *v == value)
        .unwrap_or_default()
        .to_string()
}

fn at_index<T: Copy>(all: &[T], text: &str) -> Option<T> {
    all.get(text.parse::<usize>().ok()?).copied()
}
