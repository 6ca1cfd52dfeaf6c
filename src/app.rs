//! The root component: the form (its own state, [`FormState`]) and its read-back list (the
//! list's own state, [`crate::view_state::ViewState`]). A keystroke changes the form's state
//! only: the list's props (`config`, `refresh`) stay equal, so Yew does not render it again.

use std::rc::Rc;

use web_sys::HtmlFormElement;
use yew::prelude::*;

use crate::components::auth_panel::AuthPanel;
use crate::components::calendar_view::CalendarView;
use crate::components::form_view::FormView;
use crate::components::task_list::TaskList;
use crate::config::WidgetConfig;
use crate::hooks::use_controller;
use crate::i18n::browser_time_zone;
use crate::state::{Action, FormState, Kind};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub config: Rc<WidgetConfig>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let config = props.config.clone();
    let state = use_reducer(|| {
        let mut state = FormState::new(config.kind);
        state.appointment.time_zone = browser_time_zone();
        state
    });
    let controller = use_controller(config.clone(), &state);

    // Stable callbacks (made once): the controller's and the reducer's handles never change,
    // and components given equal props are not rendered again.
    let on_edit = use_callback(
        state.dispatcher(),
        |(field, value): (model::Field, String), dispatch| {
            dispatch.dispatch(Action::Edit { field, value })
        },
    );
    let on_sign_out = {
        let controller = controller.clone();
        use_callback((), move |_: (), _| controller.sign_out())
    };
    let on_cancel = {
        let controller = controller.clone();
        use_callback((), move |_: (), _| controller.cancel())
    };
    // These read the state of the moment they run in.
    let on_submit = {
        let controller = controller.clone();
        let state = state.clone();
        Callback::from(move |form: Option<HtmlFormElement>| {
            controller.submit(&state, form.as_ref())
        })
    };
    let on_connect = {
        let pending = state.pending.clone();
        Callback::from(move |_: ()| controller.authorize(pending.clone()))
    };

    let list = match config.kind {
        Kind::Appointment => {
            html! { <CalendarView config={config.clone()} refresh={state.list_version} /> }
        }
        Kind::Task => html! { <TaskList config={config.clone()} refresh={state.list_version} /> },
    };
    html! {
        <div class={classes!("xf", format!("xf--{}", config.kind.as_str()))} lang={config.locale.tag.clone()}>
            <AuthPanel config={config.clone()} auth={state.auth.clone()} busy={state.busy()} {on_sign_out} />
            <FormView config={config.clone()} state={Rc::new((*state).clone())}
                {on_edit} {on_submit} {on_cancel} {on_connect} />
            { list }
        </div>
    }
}
