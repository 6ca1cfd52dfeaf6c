//! One labelled input with its inline error (`aria-invalid`, `aria-describedby`).

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    Text {
        max_length: Option<u32>,
    },
    DateTimeLocal,
    Date,
    TextArea,
    Number,
    /// Value `true` when checked, empty when not.
    Checkbox,
    /// `(value, label)` pairs.
    Select(Vec<(AttrValue, AttrValue)>),
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// Document-unique id of the control.
    pub id: AttrValue,
    /// The model field; its JSON name is the control's `name` attribute.
    pub field: model::Field,
    pub label: AttrValue,
    pub control: Control,
    pub value: AttrValue,
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub required: bool,
    /// Shown after the label, e.g. "optional".
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
    /// Id of a `<datalist>` of suggestions (text inputs).
    #[prop_or_default]
    pub list: Option<AttrValue>,
    /// `(field, value)` on every edit.
    pub on_edit: Callback<(model::Field, String)>,
}

#[component]
pub fn Field(props: &FieldProps) -> Html {
    let error_id = format!("{}-error", props.id);
    let invalid = props.error.is_some();
    let described_by = invalid.then(|| AttrValue::from(error_id.clone()));
    let aria_invalid = if invalid { "true" } else { "false" };
    let aria_required = props.required.then_some("true");
    let field = props.field;
    let name = field.name();
    let edit = props.on_edit.clone();
    // A select's choice is its `value` property: the options' `selected` attributes stop
    // counting once the user has picked one, so a value set by the form (a reset after a
    // create, an item opened for editing, a status that follows the progress) is set here.
    let select = use_node_ref();
    {
        let select = select.clone();
        use_effect_with(props.value.clone(), move |value| {
            if let Some(element) = select.cast::<HtmlSelectElement>() {
                element.set_value(value);
            }
        });
    }

    let control = match &props.control {
        Control::TextArea => {
            let oninput = Callback::from(move |e: InputEvent| {
                let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
                edit.emit((field, value));
            });
            html! {
                <textarea id={props.id.clone()} {name} rows="4"
                    value={props.value.clone()} {oninput} disabled={props.disabled}
                    aria-invalid={aria_invalid} aria-describedby={described_by} />
            }
        }
        Control::Select(options) => {
            let onchange = Callback::from(move |e: Event| {
                let value = e.target_unchecked_into::<HtmlSelectElement>().value();
                edit.emit((field, value));
            });
            html! {
                <select ref={select} id={props.id.clone()} {name} {onchange}
                    disabled={props.disabled}
                    aria-invalid={aria_invalid} aria-describedby={described_by}>
                    { for options.iter().map(|(value, label)| html! {
                        <option value={value.clone()} selected={*value == props.value}>{ label.clone() }</option>
                    }) }
                </select>
            }
        }
        Control::Checkbox => {
            let onchange = Callback::from(move |e: Event| {
                let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
                edit.emit((field, if checked { "true" } else { "" }.to_owned()));
            });
            html! {
                <input id={props.id.clone()} {name} type="checkbox" value="true"
                    checked={props.value == "true"} {onchange} disabled={props.disabled} />
            }
        }
        other => {
            let kind = match other {
                Control::DateTimeLocal => "datetime-local",
                Control::Date => "date",
                Control::Number => "number",
                _ => "text",
            };
            let max_length = match other {
                Control::Text { max_length } => max_length.map(|m| AttrValue::from(m.to_string())),
                _ => None,
            };
            let oninput = Callback::from(move |e: InputEvent| {
                let value = e.target_unchecked_into::<HtmlInputElement>().value();
                edit.emit((field, value));
            });
            html! {
                <input id={props.id.clone()} {name} type={kind}
                    value={props.value.clone()} {oninput} disabled={props.disabled}
                    maxlength={max_length} list={props.list.clone()} aria-required={aria_required}
                    aria-invalid={aria_invalid} aria-describedby={described_by} />
            }
        }
    };

    let checkbox = props.control == Control::Checkbox;
    html! {
        <div class={classes!("xf-field", invalid.then_some("xf-field--invalid"), checkbox.then_some("xf-field--check"))}>
            <label for={props.id.clone()}>
                { props.label.clone() }
                if props.required { <span class="xf-required" aria-hidden="true">{ " *" }</span> }
                if let Some(hint) = props.hint.as_ref().filter(|_| !checkbox) { <span class="xf-hint">{ format!(" ({hint})") }</span> }
            </label>
            { control }
            if let Some(error) = &props.error {
                <p id={error_id} class="xf-error">
                    <span class="xf-error-icon" aria-hidden="true">{ "⚠ " }</span>{ error.clone() }
                </p>
            }
        </div>
    }
}
