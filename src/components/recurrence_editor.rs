//! How the appointment or task repeats: the pattern, every how many, on which weekdays, until when;
//! and the rule in one line of the form's language.

use model::{Field, Weekday};
use yew::prelude::*;

use crate::components::appointment_form::{FieldsProps, field};
use crate::components::field::Control;
use crate::recurrence_text::{day_names, rule, summary};

/// Rendered with the appointment's or the task's fields (a function: no component of its own in
/// the wasm).
pub fn recurrence_editor(props: &FieldsProps) -> Html {
    let locale = &props.config.locale;
    let t = locale.t();
    let repeats = [""]
        .into_iter()
        .chain(["0", "1", "2", "3", "4"])
        .zip(t.repeats)
        .map(|(value, label)| (AttrValue::from(value), AttrValue::from(label)))
        .collect();
    let repeat = field(props, Field::Recurrence, Control::Select(repeats), false);
    // The same children whether or not the item repeats: yew matches unkeyed children from the
    // end, so a list that grew would rebuild the Repeat list and a keyboard user choosing with
    // the arrow keys would lose the focus on the first move.
    // (An empty `Html`, not `None`: an `Option` adds no child at all when it is `None`.)
    let (interval, rest) = match props.state.recurrence() {
        Some(recurrence) => (
            field(props, Field::RecurrenceInterval, Control::Number, false),
            repeating(props, recurrence),
        ),
        None => (Html::default(), Html::default()),
    };
    html! {
        <fieldset class="xf-recurrence">
            <legend class="xf-visually-hidden">{ t.repeat }</legend>
            <div class="xf-row">
                { repeat }
                { interval }
            </div>
            { rest }
        </fieldset>
    }
}

/// The weekdays, the end of the rule and its summary, for an item that repeats.
fn repeating(props: &FieldsProps, recurrence: &model::RecurrenceDraft) -> Html {
    let locale = &props.config.locale;
    let t = locale.t();
    let ends = ["0", "1", "2"]
        .into_iter()
        .zip(t.ends_choices)
        .map(|(value, label)| (AttrValue::from(value), AttrValue::from(label)))
        .collect();
    let weekly = recurrence.repeat == model::Repeat::Weekly;
    let days_id = props.config.id(Field::RecurrenceDays.name());
    let days = Weekday::ALL
        .iter()
        .zip(day_names(locale.lang))
        .enumerate()
        .map(|(i, (day, name))| {
            let id = format!("{days_id}-{i}");
            let onchange = props
                .on_edit
                .reform(move |_: Event| (Field::RecurrenceDays, i.to_string()));
            html! {
                <label for={id.clone()} class="xf-day">
                    <input {id} type="checkbox" checked={recurrence.days.contains(day)} {onchange}
                        disabled={props.state.busy()} />
                    { *name }
                </label>
            }
        });
    let line = rule(recurrence, props.state.recurrence_anchor()).map(|r| summary(&r, locale.lang));
    html! {
        <>
            if weekly {
                <fieldset id={days_id.clone()} class="xf-days">
                    <legend>{ t.on_days }</legend>
                    { for days }
                </fieldset>
            }
            <div class="xf-row">
                { field(props, Field::RecurrenceEnds, Control::Select(ends), false) }
                if recurrence.ends == model::Ends::On {
                    { field(props, Field::RecurrenceUntil, Control::Date, true) }
                }
                if recurrence.ends == model::Ends::After {
                    { field(props, Field::RecurrenceCount, Control::Number, true) }
                }
            </div>
            if let Some(line) = line {
                <p class="xf-summary-line" role="status">{ line }</p>
            }
        </>
    }
}
