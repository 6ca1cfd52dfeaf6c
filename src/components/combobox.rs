//! A list of addresses picked from the directory or typed: chips for the chosen ones and a
//! WAI-ARIA combobox (editable, list autocomplete) that searches the proxy's directory as one
//! types. Used for the required and the optional attendees.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use model::{Field, Person, Problem};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::appointment_form::FieldsProps;
use crate::components::picker::{Shared, chips, chosen, each, error_line, spawn};
use crate::services::directory;

/// How long typing must pause before the directory is asked.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// What one combobox shows: kept by the form's fields, which render the combobox.
#[derive(Default)]
pub struct Search {
    text: String,
    options: Vec<Person>,
    active: Option<usize>,
    open: bool,
    /// What was typed is not an address.
    problem: Option<Problem>,
    /// Bumped on every keystroke: an answer for older text is dropped.
    generation: Rc<Cell<u32>>,
}

impl Search {
    fn close(&mut self) {
        self.open = false;
        self.active = None;
    }
}

/// The combobox editing `field` (`requiredAttendees` or `optionalAttendees`).
pub fn combobox(fields: &FieldsProps, field: Field, search: Shared<Search>) -> Html {
    let config = &fields.config;
    let locale = &config.locale;
    let id = config.id(field.name());
    let list_id = format!("{id}-list");
    let error_id = format!("{id}-error");
    let values = chosen(fields, field);
    let signed_in = matches!(
        fields.state.auth,
        crate::state::AuthState::Authorized { .. }
    );

    let add = {
        let (edit, values, search) = (fields.on_edit.clone(), values.clone(), search.clone());
        move |address: String| {
            if !values.iter().any(|v| v.eq_ignore_ascii_case(&address)) {
                edit.emit((field, [values.as_slice(), &[address]].concat().join("\n")));
            }
            search.change(|s| {
                s.close();
                s.text.clear();
                s.options.clear();
                s.problem = None;
            });
        }
    };

    // Takes what was typed as an address (`false`: nothing typed).
    let accept_typed = {
        let (add, search) = (add.clone(), search.clone());
        move || {
            let typed = search.cell.borrow().text.trim().to_owned();
            if typed.is_empty() {
                return false;
            }
            if model::meeting::is_plausible_address(&typed) {
                add(typed);
            } else {
                search.change(|s| s.problem = Some(Problem::NotAnAddress(typed)));
            }
            true
        }
    };

    let oninput = {
        let (search, api) = (search.clone(), config.api.clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            let query = value.trim().to_owned();
            search.change(|s| {
                s.text = value;
                s.problem = None;
                s.active = None;
            });
            let generation = search.cell.borrow().generation.clone();
            let (search, api) = (search.clone(), api.clone());
            spawn(Box::pin(async move {
                let Some(current) = search.settled(generation, DEBOUNCE).await else {
                    return;
                };
                let found =
                    if signed_in && query.chars().count() >= model::directory::MIN_SEARCH_CHARS {
                        directory::people(&api, &query).await.unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                if current() {
                    search.change(|s| {
                        s.options = found;
                        s.options.retain(|p| !p.is_room);
                        s.open = !s.options.is_empty();
                    });
                }
            }));
        })
    };

    let onkeydown = {
        let (search, add, accept_typed) = (search.clone(), add.clone(), accept_typed.clone());
        let (edit, values) = (fields.on_edit.clone(), values.clone());
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            let (count, open, active, empty) = {
                let s = search.cell.borrow();
                (s.options.len(), s.open, s.active, s.text.is_empty())
            };
            match key.as_str() {
                "ArrowDown" | "ArrowUp" if count > 0 => {
                    e.prevent_default();
                    let next = match (active.filter(|_| open), key == "ArrowDown") {
                        (None, true) => 0,
                        (None, false) => count - 1,
                        (Some(i), true) => (i + 1) % count,
                        (Some(i), false) => (i + count - 1) % count,
                    };
                    search.change(|s| {
                        s.open = true;
                        s.active = Some(next);
                    });
                }
                "Enter" => {
                    let chosen = active
                        .filter(|_| open)
                        .and_then(|i| search.cell.borrow().options.get(i).map(|p| p.email.clone()));
                    // Enter on an empty input submits the form.
                    if let Some(email) = chosen {
                        e.prevent_default();
                        add(email);
                    } else if accept_typed() {
                        e.prevent_default();
                    }
                }
                "Escape" if open => {
                    e.prevent_default();
                    search.change(Search::close);
                }
                "Escape" => search.change(|s| s.text.clear()),
                "Backspace" if empty && !values.is_empty() => {
                    edit.emit((field, values[..values.len() - 1].join("\n")));
                }
                _ => {}
            }
        })
    };

    // Leaving the field keeps a typed address rather than losing it.
    let onblur = {
        let search = search.clone();
        Callback::from(move |_: FocusEvent| {
            search.change(Search::close);
            if model::meeting::is_plausible_address(search.cell.borrow().text.trim()) {
                accept_typed();
            }
        })
    };

    let s = search.cell.borrow();
    let option_id = |i: usize| format!("{id}-option-{i}");
    let shown = s.open && !s.options.is_empty();
    let problem = s
        .problem
        .clone()
        .or_else(|| fields.state.errors.get(field).cloned());
    let error = problem.map(|p| locale.problem(field, &p));
    html! {
        <div class={classes!("xf-field", error.is_some().then_some("xf-field--invalid"))}>
            <label for={id.clone()}>
                { locale.field_label(field) }
                <span class="xf-hint">{ format!(" ({})", locale.t().optional) }</span>
            </label>
            { chips(fields, field, &values, &|_| None, Some(id.clone().into())) }
            <div class="xf-combo">
                <input id={id.clone()} type="text" role="combobox" autocomplete="off"
                    aria-autocomplete="list" aria-expanded={if shown { "true" } else { "false" }}
                    aria-controls={list_id.clone()}
                    aria-activedescendant={s.active.filter(|_| shown).map(option_id)}
                    aria-invalid={if error.is_some() { "true" } else { "false" }}
                    aria-describedby={error.is_some().then(|| error_id.clone())}
                    value={s.text.clone()} {oninput} {onkeydown} {onblur}
                    disabled={fields.state.busy()} />
                <ul id={list_id} role="listbox" class="xf-options" aria-label={locale.field_label(field)} hidden={!shown}>
                    { each(s.options.len(), &|i| {
                        let person = &s.options[i];
                        let (email, add) = (person.email.clone(), add.clone());
                        let onclick = Callback::from(move |_: MouseEvent| add(email.clone()));
                        // Keeps the focus in the input while the option is clicked.
                        let onmousedown = Callback::from(|e: MouseEvent| e.prevent_default());
                        let selected = s.active == Some(i);
                        html! {
                            <li id={option_id(i)} role="option" {onclick} {onmousedown}
                                class={classes!("xf-option", selected.then_some("xf-option--active"))}
                                aria-selected={if selected { "true" } else { "false" }}>
                                { if person.name.is_empty() { person.email.clone() } else { format!("{} <{}>", person.name, person.email) } }
                            </li>
                        }
                    }) }
                </ul>
            </div>
            if let Some(error) = error {
                { error_line(Some(error_id), error) }
            }
        </div>
    }
}
