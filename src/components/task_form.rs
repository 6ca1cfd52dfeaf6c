//! The task fields: subject, due date, status, body.

use model::fields::MAX_SUBJECT_CHARS;
use model::{Field, TaskStatus};
use yew::prelude::*;

use crate::components::appointment_form::{FieldsProps, field};
use crate::components::field::Control;

#[component]
pub fn TaskFields(props: &FieldsProps) -> Html {
    let locale = &props.config.locale;
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
                { field(props, Field::DueDate, Control::Date, false) }
                { field(props, Field::Status, Control::Select(statuses), true) }
            </div>
            { field(props, Field::Body, Control::TextArea, false) }
        </>
    }
}
