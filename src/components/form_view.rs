//! The form: its fields, the error summary, notices, the Create button and the confirmation.
//! It renders from the form's state alone; the lists next to it never render with it.

use std::rc::Rc;

use web_sys::HtmlFormElement;
use yew::prelude::*;

use crate::components::appointment_form::{AppointmentFields, FieldsProps};
use crate::components::confirmation::confirmation;
use crate::components::editor_bar::{EditorAction, conflict_prompt, editor_bar};
use crate::components::task_form::task_fields;
use crate::config::WidgetConfig;
use crate::error::ApiError;
use crate::state::{FormState, Kind, Notice, Phase};

/// What the form renders from.
pub struct FormViewProps {
    pub config: Rc<WidgetConfig>,
    pub state: Rc<FormState>,
    /// `(field, value)` on every edit.
    pub on_edit: Callback<(model::Field, String)>,
    /// Create was clicked (or Enter pressed): the submitted `<form>`, to read what it shows.
    pub on_submit: Callback<Option<HtmlFormElement>>,
    /// Cancel of a running sign-in.
    pub on_cancel: Callback<()>,
    /// Connect: a fresh click to sign in for the pending action.
    pub on_connect: Callback<()>,
    /// Cancel editing, and the choice after a conflict.
    pub on_editor: Callback<EditorAction>,
}

/// Rendered with the root component (a function: no component of its own in the wasm).
pub fn form_view(props: &FormViewProps) -> Html {
    let config = &props.config;
    let state = &props.state;
    let t = config.locale.t();

    let onsubmit = props.on_submit.reform(|e: SubmitEvent| {
        e.prevent_default();
        e.target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<HtmlFormElement>(t).ok())
    });
    let fields_props = FieldsProps {
        config: config.clone(),
        state: state.clone(),
        on_edit: props.on_edit.clone(),
    };
    let (new_title, fields) = match config.kind {
        Kind::Appointment => (
            t.appointment_title,
            html! { <AppointmentFields ..fields_props /> },
        ),
        Kind::Task => (t.task_title, task_fields(&fields_props)),
    };
    let editing = state.editing.is_some();
    let (title, create, creating) = if editing {
        let title = match config.kind {
            Kind::Appointment => t.edit_appointment_title,
            Kind::Task => t.edit_task_title,
        };
        (AttrValue::from(title), t.save, t.saving)
    } else {
        let title = config
            .heading
            .clone()
            .map_or(new_title.into(), AttrValue::from);
        (title, t.create, t.creating)
    };
    let title_id = config.id("title");
    let busy = if state.busy() { "true" } else { "false" };
    // Named by its title; while it edits an item on a page that named it, by the title with
    // the page's heading, which "Edit appointment" alone would not tell apart from another form.
    let (labelled_by, label) = match (&config.heading, editing) {
        (Some(_), true) => (None, Some(config.landmark_name(&title))),
        _ => (Some(title_id.clone()), None),
    };
    html! {
        <form class="xf-form" novalidate=true {onsubmit} aria-labelledby={labelled_by}
            aria-label={label} aria-busy={busy}>
            <h2 id={title_id} class="xf-title">{ title }</h2>
            { summary(config, state) }
            { fields }
            { waiting(config, state, &props.on_cancel) }
            { notice(config, state, &props.on_connect) }
            { conflict_prompt(config, state, &props.on_editor) }
            <div class="xf-actions">
                <button type="submit" class="xf-button" disabled={state.busy() || state.conflict.is_some()}>
                    { if state.phase == Phase::Sending { creating } else { create } }
                </button>
                { editor_bar(config, state, &props.on_editor) }
            </div>
            if let Some(created) = &state.confirmation {
                <div role="status" class="xf-status">
                    { confirmation(config, created) }
                </div>
            }
        </form>
    }
}

/// The list of fields to correct, each a link that focuses its field.
fn summary(config: &WidgetConfig, state: &FormState) -> Html {
    if state.errors.is_empty() || state.phase != Phase::Editing {
        return html! {};
    }
    let locale = &config.locale;
    html! {
        <div class="xf-summary" role="alert">
            <p>{ locale.t().fix_errors }</p>
            <ul>
                { for state.errors.iter().map(|(field, problem)| {
                    let label = locale.field_label(*field);
                    let text = locale.problem(*field, problem);
                    let text = if label.is_empty() { text } else { format!("{label}: {text}") };
                    let id = config.id(field.name());
                    // Focus the field without touching the host page's URL fragment.
                    let onclick = {
                        let id = id.clone();
                        let host = config.host.clone();
                        Callback::from(move |e: MouseEvent| {
                            e.prevent_default();
                            crate::browser::focus(&host, &id);
                        })
                    };
                    html! { <li><a href={format!("#{id}")} {onclick}>{ text }</a></li> }
                }) }
            </ul>
        </div>
    }
}

/// While a sign-in runs: what the widget waits for, and Cancel.
fn waiting(config: &WidgetConfig, state: &FormState, on_cancel: &Callback<()>) -> Html {
    let t = config.locale.t();
    match state.phase {
        Phase::Authorizing { other_tab } => html! {
            <div class="xf-notice xf-notice--info xf-waiting" role="status">
                <span class="xf-spinner" aria-hidden="true"></span>
                <p>{ if other_tab { t.waiting_other_tab } else { t.waiting_for_authorization } }</p>
                <button type="button" class="xf-button xf-button--secondary"
                    onclick={on_cancel.reform(|_: MouseEvent| ())}>{ t.cancel }</button>
            </div>
        },
        Phase::Redirecting => html! {
            <div class="xf-notice xf-notice--info" role="status"><p>{ t.redirecting }</p></div>
        },
        _ => html! {},
    }
}

/// The notice above the button, with Connect when a fresh click can sign in.
fn notice(config: &WidgetConfig, state: &FormState, on_connect: &Callback<()>) -> Html {
    let Some(notice) = &state.notice else {
        return html! {};
    };
    let locale = &config.locale;
    let t = locale.t();
    let (text, error) = match notice {
        Notice::Api(ApiError::Validation(_)) => return html! {},
        Notice::Api(error) => (locale.api_error(error), true),
        Notice::PopupBlocked => (t.popup_blocked.to_owned(), true),
        Notice::AuthorizationCancelled => (t.authorization_cancelled.to_owned(), false),
        Notice::AuthorizationDenied => (t.authorization_denied.to_owned(), true),
        Notice::AuthorizationExpired => (t.authorization_expired.to_owned(), true),
        Notice::AuthorizationFailed(reason) => {
            (locale.authorization_failed(reason.as_deref()), true)
        }
        Notice::ConnectNeeded => (t.authorization_required.to_owned(), true),
        Notice::SignedOut => (t.signed_out.to_owned(), false),
    };
    html! {
        <div class={classes!("xf-notice", if error { "xf-notice--error" } else { "xf-notice--info" })}
            role={if error { "alert" } else { "status" }}>
            <p>{ text }</p>
            if notice.offers_connect() {
                <button type="button" class="xf-button xf-button--secondary"
                    onclick={on_connect.reform(|_: MouseEvent| ())}>{ t.connect }</button>
            }
        </div>
    }
}
