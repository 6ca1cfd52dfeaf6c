//! The appointment fields: subject, start, end, location, body.

use std::rc::Rc;

use model::Field;
use model::fields::MAX_SUBJECT_CHARS;
use yew::prelude::*;

use crate::components::field::{Control, Field as FieldInput};
use crate::config::WidgetConfig;
use crate::state::FormState;

#[derive(Properties, PartialEq)]
pub struct FieldsProps {
    pub config: Rc<WidgetConfig>,
    pub state: Rc<FormState>,
    pub on_edit: Callback<(Field, String)>,
}

/// Props of one field of the current form, with its translated inline error.
pub fn field_error(props: &FieldsProps, field: Field) -> Option<AttrValue> {
    props
        .state
        .errors
        .get(field)
        .map(|problem| props.config.locale.problem(field, problem).into())
}

/// One labelled field of the current form, bound to its value and its error.
pub fn field(props: &FieldsProps, field: Field, control: Control, required: bool) -> Html {
    let locale = &props.config.locale;
    html! {
        <FieldInput id={props.config.id(field.name())} {field} label={locale.field_label(field)} {control}
            value={props.state.value(field)} error={field_error(props, field)} {required}
            hint={(!required).then(|| AttrValue::from(locale.t().optional))}
            disabled={props.state.busy()} on_edit={props.on_edit.clone()} />
    }
}

#[component]
pub fn AppointmentFields(props: &FieldsProps) -> Html {
    html! {
        <>
            { field(props, Field::Subject, Control::Text { max_length: Some(MAX_SUBJECT_CHARS as u32) }, true) }
            <div class="xf-row">
                { field(props, Field::Start, Control::DateTimeLocal, true) }
                { field(props, Field::End, Control::DateTimeLocal, true) }
            </div>
            { field(props, Field::Location, Control::Text { max_length: Some(model::fields::MAX_LOCATION_CHARS as u32) }, false) }
            { field(props, Field::Body, Control::TextArea, false) }
        </>
    }
}
