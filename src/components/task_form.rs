//! The task fields: subject, start and due dates, status and progress (kept in step), how it
//! repeats, importance, a reminder, categories and the description.

use model::fields::MAX_SUBJECT_CHARS;
use model::{Field, Importance, TaskStatus};
use yew::prelude::*;

use crate::components::appointment_form::{FieldsProps, field};
use crate::components::field::Control;
use crate::components::meeting_options::options;
use crate::components::recurrence_editor::recurrence_editor;

/// Rendered with the form (a function: no component of its own in the wasm).
pub fn task_fields(props: &FieldsProps) -> Html {
    let locale = &props.config.locale;
    let t = locale.t();
    let statuses: Vec<(AttrValue, AttrValue)> = TaskStatus::ALL
        .iter()
        .map(|s| {
            (
                AttrValue::from(s.as_str()),
                AttrValue::from(locale.status_label(*s)),
            )
        })
        .collect();
    html! {
        <>
            { field(props, Field::Subject, Control::Text { max_length: Some(MAX_SUBJECT_CHARS as u32) }, true) }
            <div class="xf-row">
                { field(props, Field::StartDate, Control::Date, false) }
                { field(props, Field::DueDate, Control::Date, false) }
            </div>
            <div class="xf-row">
                { field(props, Field::Status, Control::Select(statuses), true) }
                { field(props, Field::PercentComplete, Control::Number, false) }
            </div>
            { recurrence_editor(props) }
            <div class="xf-row">
                { field(props, Field::Importance, Control::Select(options(&Importance::ALL, &t.importance_levels)), false) }
                { field(props, Field::ReminderAt, Control::DateTimeLocal, false) }
            </div>
            { field(props, Field::Categories, Control::Text { max_length: None }, false) }
            { field(props, Field::Body, Control::TextArea, false) }
        </>
    }
}
