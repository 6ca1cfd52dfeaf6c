//! The task fields: subject, due date, status, body.

use model::TaskStatus;
use model::fields::MAX_SUBJECT_CHARS;
use yew::prelude::*;

use crate::components::appointment_form::{FieldsProps, field_error};
use crate::components::field::{Control, Field};

#[component]
pub fn TaskFields(props: &FieldsProps) -> Html {
    let locale = &props.config.locale;
    let t = locale.t();
    let disabled = props.state.busy();
    let statuses: Vec<(AttrValue, AttrValue)> = TaskStatus::ALL
        .iter()
        .map(|s| {
            (
                AttrValue::from(s.as_str()),
                AttrValue::from(locale.status_label(*s)),
            )
        })
        .collect();
    let field = |name: &'static str, label: &'static str, control: Control, required: bool| {
        html! {
            <Field id={props.config.id(name)} name={name} label={label} {control}
                value={props.state.value(name)} error={field_error(props, name)} {required}
                hint={(!required).then(|| AttrValue::from(t.optional))}
                {disabled} on_edit={props.on_edit.clone()} />
        }
    };
    html! {
        <>
            { field("subject", t.subject, Control::Text { max_length: Some(MAX_SUBJECT_CHARS as u32) }, true) }
            <div class="xf-row">
                { field("dueDate", t.due_date, Control::Date, false) }
                { field("status", t.status, Control::Select(statuses), true) }
            </div>
            { field("body", t.body, Control::TextArea, false) }
        </>
    }
}
