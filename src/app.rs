//! The root component: one form (appointment or task), its notices, and its read-back list.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::appointment_form::{AppointmentFields, FieldsProps};
use crate::components::auth_panel::AuthPanel;
use crate::components::calendar_view::CalendarView;
use crate::components::confirmation::Confirmation;
use crate::components::task_form::TaskFields;
use crate::components::task_list::TaskList;
use crate::config::WidgetConfig;
use crate::hooks::use_controller;
use crate::state::{Action, FormState, Kind, Notice, Phase};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub config: Rc<WidgetConfig>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let config = props.config.clone();
    let state = use_reducer(|| FormState::new(config.kind));
    let controller = use_controller(config.clone(), &state);
    let locale = &config.locale;
    let t = locale.t();

    let on_edit = {
        let dispatch = state.dispatcher();
        Callback::from(move |(field, value): (String, String)| {
            dispatch.dispatch(Action::Edit { field, value })
        })
    };
    let onsubmit = {
        let controller = controller.clone();
        let state = state.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let form = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlFormElement>(t).ok());
            controller.submit(&state, form.as_ref());
        })
    };
    let on_cancel = {
        let controller = controller.clone();
        Callback::from(move |_: MouseEvent| controller.cancel())
    };
    let on_connect = {
        let controller = controller.clone();
        let pending = state.pending.clone();
        Callback::from(move |_: MouseEvent| controller.authorize(pending.clone()))
    };
    let on_sign_out = {
        let controller = controller.clone();
        Callback::from(move |_| controller.sign_out())
    };
    let on_refresh = {
        let dispatch = state.dispatcher();
        Callback::from(move |_| dispatch.dispatch(Action::RefreshList))
    };

    let snapshot: Rc<FormState> = Rc::new((*state).clone());
    let fields_props = FieldsProps {
        config: config.clone(),
        state: snapshot,
        on_edit,
    };
    let (title, fields, list) = match config.kind {
        Kind::Appointment => (
            t.appointment_title,
            html! { <AppointmentFields ..fields_props /> },
            html! { <CalendarView config={config.clone()} version={state.list_version} on_refresh={on_refresh.clone()} /> },
        ),
        Kind::Task => (
            t.task_title,
            html! { <TaskFields ..fields_props /> },
            html! { <TaskList config={config.clone()} version={state.list_version} on_refresh={on_refresh.clone()} /> },
        ),
    };

    let title_id = config.id("title");
    let summary = (!state.errors.is_empty() && state.phase == Phase::Editing).then(|| {
        html! {
            <div class="xf-summary" role="alert">
                <p>{ t.fix_errors }</p>
                <ul>
                    { for state.errors.0.iter().map(|(field, message)| {
                        let label = locale.field_label(field);
                        let text = locale.field_error(field, message);
                        let text = if label.is_empty() { text } else { format!("{label}: {text}") };
                        let id = config.id(field);
                        // Focus the field without touching the host page's URL fragment.
                        let onclick = {
                            let id = id.clone();
                            Callback::from(move |e: MouseEvent| {
                                e.prevent_default();
                                focus_element(&id);
                            })
                        };
                        html! { <li><a href={format!("#{id}")} {onclick}>{ text }</a></li> }
                    }) }
                </ul>
            </div>
        }
    });

    let notice = state.notice.as_ref().map(|notice| {
        let (text, error) = match notice {
            Notice::Api(crate::error::ApiError::Validation(_)) => (None, true),
            Notice::Api(error) => (Some(locale.api_error(error)), true),
            Notice::PopupBlocked => (Some(t.popup_blocked.to_owned()), true),
            Notice::AuthorizationCancelled => (Some(t.authorization_cancelled.to_owned()), false),
            Notice::AuthorizationDenied => (Some(t.authorization_denied.to_owned()), true),
            Notice::AuthorizationExpired => (Some(t.authorization_expired.to_owned()), true),
            Notice::AuthorizationFailed(reason) => (Some(locale.authorization_failed(reason.as_deref())), true),
            Notice::ConnectNeeded => (Some(t.authorization_required.to_owned()), true),
            Notice::SignedOut => (Some(t.signed_out.to_owned()), false),
        };
        let connect = notice.offers_connect().then(|| html! {
            <button type="button" class="xf-button xf-button--secondary" onclick={on_connect.clone()}>{ t.connect }</button>
        });
        text.map(|text| html! {
            <div class={classes!("xf-notice", if error { "xf-notice--error" } else { "xf-notice--info" })}
                role={if error { "alert" } else { "status" }}>
                <p>{ text }</p>
                { for connect }
            </div>
        })
    });

    let waiting = match state.phase {
        Phase::Authorizing { other_tab } => Some(html! {
            <div class="xf-notice xf-notice--info xf-waiting" role="status">
                <span class="xf-spinner" aria-hidden="true"></span>
                <p>{ if other_tab { t.waiting_other_tab } else { t.waiting_for_authorization } }</p>
                <button type="button" class="xf-button xf-button--secondary" onclick={on_cancel}>{ t.cancel }</button>
            </div>
        }),
        Phase::Redirecting => Some(html! {
            <div class="xf-notice xf-notice--info" role="status"><p>{ t.redirecting }</p></div>
        }),
        _ => None,
    };

    let sending = state.phase == Phase::Sending;
    html! {
        <div class={classes!("xf", format!("xf--{}", config.kind.as_str()))} lang={locale.tag.clone()}>
            <AuthPanel config={config.clone()} auth={state.auth.clone()} busy={state.busy()} {on_sign_out} />
            <form class="xf-form" novalidate=true {onsubmit} aria-labelledby={title_id.clone()}
                aria-busy={if state.busy() { "true" } else { "false" }}>
                <h2 id={title_id} class="xf-title">{ title }</h2>
                { for summary }
                { fields }
                { for waiting }
                { for notice.flatten() }
                <div class="xf-actions">
                    <button type="submit" class="xf-button" disabled={state.busy()}>
                        { if sending { t.creating } else { t.create } }
                    </button>
                </div>
                if let Some(created) = &state.confirmation {
                    <div role="status" class="xf-status">
                        <Confirmation config={config.clone()} created={created.clone()} />
                    </div>
                }
            </form>
            { list }
        </div>
    }
}

fn focus_element(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
