//! The root component: the form (its own state, [`FormState`]) and its read-back list (the
//! list's own state, [`crate::view_state::ViewState`]). A keystroke changes the form's state
//! only: the list's props (`config`, `refresh`) stay equal, so Yew does not render it again.

use std::rc::Rc;

use web_sys::HtmlFormElement;
use yew::prelude::*;

use crate::browser;
use crate::components::auth_panel::auth_panel;
use crate::components::calendar_view::CalendarView;
use crate::components::editor_bar::EditorAction;
use crate::components::form_view::{FormViewProps, form_view};
use crate::components::item_actions::ItemCommand;
use crate::components::outcome::outcome;
use crate::components::task_list::TaskList;
use crate::config::WidgetConfig;
use crate::handle::Bridge;
use crate::hooks::{use_controller, use_saved_draft};
use crate::state::{Action, FormState, Kind};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub config: Rc<WidgetConfig>,
    /// Where the host page's handle reads and fills the form.
    pub bridge: Rc<Bridge>,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let config = props.config.clone();
    let state = use_reducer(|| FormState::with_blank(config.initial.clone()));
    props.bridge.show(state.draft(None), state.dispatcher());
    use_saved_draft(&config, &state);
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
    let on_editor = {
        let controller = controller.clone();
        let state = state.clone();
        let subject = config.id("subject");
        let host = config.host.clone();
        Callback::from(move |action: EditorAction| {
            match action {
                EditorAction::Close => state.dispatch(Action::CloseEditor),
                EditorAction::Reload => {
                    if let Some(newer) = &state.conflict {
                        state.dispatch(Action::Open(newer.clone()));
                    }
                }
                EditorAction::Overwrite(form) => {
                    return controller.overwrite(&state, form.as_ref());
                }
            }
            // The prompt or the button is gone: the form takes the focus.
            browser::focus_soon(&host, subject.clone());
        })
    };
    // The lists' callback is made once (their props stay equal while the user types), so it
    // reads the state of the moment it runs from here.
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();
    let on_item = {
        let controller = controller.clone();
        use_callback((), move |command: ItemCommand, _| match command {
            // Not while an action is in flight: its outcome may reset the form.
            ItemCommand::Edit(id) if !latest.borrow().busy() => controller.open(id),
            ItemCommand::Edit(_) => {}
            ItemCommand::Act(target) => controller.act(&latest.borrow(), target),
        })
    };
    let on_connect = {
        let pending = state.pending.clone();
        Callback::from(move |_: ()| controller.authorize(pending.clone()))
    };

    let list = match config.kind {
        Kind::Appointment => html! {
            <CalendarView config={config.clone()} refresh={state.list_version} {on_item} />
        },
        Kind::Task => html! {
            <TaskList config={config.clone()} refresh={state.list_version} {on_item} />
        },
    };
    html! {
        <div class={classes!("xf", format!("xf--{}", config.kind.as_str()))} lang={config.locale.tag.clone()}>
            { auth_panel(&config, &state.auth, state.busy(), &on_sign_out) }
            { form_view(&FormViewProps {
                config: config.clone(),
                state: Rc::new((*state).clone()),
                on_edit,
                on_submit,
                on_cancel,
                on_connect,
                on_editor,
            }) }
            { outcome(&config, state.done.as_ref()) }
            { list }
        </div>
    }
}
