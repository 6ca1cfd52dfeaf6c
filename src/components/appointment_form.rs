//! The appointment fields: subject, start, end, location, body.

use std::rc::Rc;

use model::fields::MAX_SUBJECT_CHARS;
use yew::prelude::*;

use crate::components::field::{Control, Field};
use crate::config::WidgetConfig;
use crate::state::FormState;

#[derive(Properties, PartialEq)]
pub struct FieldsProps {
    pub config: Rc<WidgetConfig>,
    pub state: Rc<FormState>,
    pub on_edit: Callback<(String, String)>,
}

/// Props of one field of the current form, with its translated inline error.
pub fn field_error(props: &FieldsProps, name: &str) -> Option<AttrValue> {
    props
        .state
        .errors
        .get(name)
        .map(|message| props.config.locale.field_error(name, message).into())
}

#[component]
pub fn AppointmentFields(props: &FieldsProps) -> Html {
    let t = props.config.locale.t();
    let disabled = props.state.busy();
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
                { field("start", t.start, Control::DateTimeLocal, true) }
                { field("end", t.end, Control::DateTimeLocal, true) }
            </div>
            { field("location", t.location, Control::Text { max_length: Some(model::fields::MAX_LOCATION_CHARS as u32) }, false) }
            { field("body", t.body, Control::TextArea, false) }
        </>
    }
}
