//! The appointment fields: subject, all day, start, end, time zone, location, the meeting
//! options and body.

use std::cell::RefCell;
use std::rc::Rc;

use model::Field;
use model::fields::MAX_SUBJECT_CHARS;
use yew::prelude::*;

use crate::components::combobox::{Search, combobox};
use crate::components::field::{Control, Field as FieldInput};
use crate::components::meeting_options::{meeting_options, zone_list};
use crate::components::meeting_planner::{Rooms, Times, meeting_times, room_picker};
use crate::components::picker::use_shared;
use crate::components::recurrence_editor::recurrence_editor;
use crate::config::WidgetConfig;
use crate::state::FormState;

#[derive(Clone, Properties, PartialEq)]
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
    field_showing(props, field, control, required, props.state.value(field))
}

/// [`field`] showing `value` (a choice derived from the draft rather than the draft's text).
pub fn field_showing(
    props: &FieldsProps,
    field: Field,
    control: Control,
    required: bool,
    value: String,
) -> Html {
    let config = &props.config;
    // The host page's choice: its value is still sent, the user just cannot see or change it.
    if config.hidden.contains(&field) {
        return html! {};
    }
    let locale = &config.locale;
    let list = (field == Field::TimeZone).then(|| AttrValue::from(config.id("zones")));
    html! {
        <FieldInput id={config.id(field.name())} {field} label={locale.field_label(field)} {control}
            {value} {list} error={field_error(props, field)} {required}
            hint={(!required).then(|| AttrValue::from(locale.t().optional))}
            disabled={props.state.busy() || config.read_only.contains(&field)}
            on_edit={props.on_edit.clone()} />
    }
}

/// The pickers' states, kept here rather than in components of their own (each component
/// carries its own copy of yew's machinery in the wasm).
#[derive(Default)]
struct Pickers {
    times: Rc<RefCell<Times>>,
    required: Rc<RefCell<Search>>,
    optional: Rc<RefCell<Search>>,
    rooms: Rc<RefCell<Rooms>>,
}

#[component]
pub fn AppointmentFields(props: &FieldsProps) -> Html {
    let when = if props.state.appointment.all_day {
        Control::Date
    } else {
        Control::DateTimeLocal
    };
    // Built once: the browser's few hundred zones are not listed again on every keystroke.
    let zones = use_memo((), |_| zone_list(props.config.id("zones").into()));
    let pickers = use_shared::<Pickers>();
    let cells = pickers.cell.borrow();
    html! {
        <>
            { field(props, Field::Subject, Control::Text { max_length: Some(MAX_SUBJECT_CHARS as u32) }, true) }
            { field(props, Field::AllDay, Control::Checkbox, false) }
            <div class="xf-row">
                { field(props, Field::Start, when.clone(), true) }
                { field(props, Field::End, when, true) }
            </div>
            { meeting_times(props, pickers.part(&cells.times)) }
            { field(props, Field::TimeZone, Control::Text { max_length: Some(64) }, false) }
            { recurrence_editor(props) }
            { (*zones).clone() }
            { field(props, Field::Location, Control::Text { max_length: Some(model::fields::MAX_LOCATION_CHARS as u32) }, false) }
            { combobox(props, Field::RequiredAttendees, pickers.part(&cells.required)) }
            { combobox(props, Field::OptionalAttendees, pickers.part(&cells.optional)) }
            { room_picker(props, pickers.part(&cells.rooms)) }
            { meeting_options(props) }
            { field(props, Field::Body, Control::TextArea, false) }
        </>
    }
}
