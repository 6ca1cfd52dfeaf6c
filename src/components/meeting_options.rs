//! The meeting's options: reminder, show as, importance, private, categories; and the list of
//! time zones the time zone field suggests.

use model::{Field, Importance, ShowAs};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::appointment_form::{FieldsProps, field, field_showing};
use crate::components::field::Control;
use crate::i18n::time_zones;

/// The reminder choices, in minutes before the start (`""`: none); anything else is custom.
const REMINDERS: [&str; 7] = ["", "0", "5", "15", "30", "60", "1440"];
const CUSTOM: &str = "custom";
/// What a custom reminder starts from.
const CUSTOM_DEFAULT: &str = "10";

/// Rendered with the appointment fields (a function, not a component: each component type
/// adds its own copy of yew's machinery to the wasm).
pub fn meeting_options(props: &FieldsProps) -> Html {
    let locale = &props.config.locale;
    let t = locale.t();
    let reminder = props.state.appointment.reminder.clone();
    let custom = !REMINDERS.contains(&reminder.as_str());
    let choices = REMINDERS
        .iter()
        .chain([&CUSTOM])
        .zip(t.reminders)
        .map(|(value, label)| (AttrValue::from(*value), AttrValue::from(label)))
        .collect();
    let on_choice = {
        let edit = props.on_edit.clone();
        Callback::from(move |(field, value): (Field, String)| {
            let value = if value == CUSTOM {
                CUSTOM_DEFAULT.into()
            } else {
                value
            };
            edit.emit((field, value));
        })
    };
    let on_minutes = {
        let edit = props.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            edit.emit((Field::Reminder, value));
        })
    };
    let reminder_props = FieldsProps {
        on_edit: on_choice,
        ..props.clone()
    };
    let shown = if custom {
        CUSTOM.to_owned()
    } else {
        reminder.clone()
    };
    html! {
        <>
            <div class="xf-row">
                { field_showing(&reminder_props, Field::Reminder, Control::Select(choices), false, shown) }
                if custom {
                    <div class="xf-field">
                        <label for={props.config.id("reminder-minutes")}>{ t.minutes_before }</label>
                        <input id={props.config.id("reminder-minutes")} type="number" min="0"
                            value={reminder} oninput={on_minutes} disabled={props.state.busy()} />
                    </div>
                }
            </div>
            <div class="xf-row">
                { field(props, Field::ShowAs, Control::Select(options(&ShowAs::ALL, &t.show_as)), false) }
                { field(props, Field::Importance, Control::Select(options(&Importance::ALL, &t.importance_levels)), false) }
            </div>
            { field(props, Field::Private, Control::Checkbox, false) }
            { field(props, Field::Categories, Control::Text { max_length: None }, false) }
        </>
    }
}

/// Select options for the values of `all`, by their index (the reducer's value of the field).
pub fn options<T>(all: &[T], labels: &[&'static str]) -> Vec<(AttrValue, AttrValue)> {
    (0..all.len())
        .zip(labels)
        .map(|(i, label)| (AttrValue::from(i.to_string()), AttrValue::from(*label)))
        .collect()
}

/// The browser's time zones as a `<datalist>` with id `id`: the time zone field filters it as
/// one types.
pub fn zone_list(id: AttrValue) -> Html {
    html! {
        <datalist {id}>
            { for time_zones().into_iter().map(|zone| html! { <option value={zone} /> }) }
        </datalist>
    }
}
