//! What happens on submit, including the sign-in it may need first.
//!
//! The decision whether a click needs authorization is synchronous (a stored session
//! handle, and the status the proxy gave on load), so that the popup opens inside the
//! click's user activation. The pending action (draft + Idempotency-Key) is kept in the
//! state through the whole flow and replayed once when the flow is `done`.
//!
//! `popup` runs a sign-in in a popup, `redirect` one with the whole page, and
//! `tab_lock` keeps tabs from running two at once.

mod items;
mod popup;
mod redirect;
mod tab_lock;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, Window};
use yew::UseReducerDispatcher;
use yew::platform::spawn_local;

use crate::browser;
use crate::config::WidgetConfig;
use crate::error::ApiError;
use crate::host_events;
use crate::i18n::browser_time_zone;
use crate::services::auth;
use crate::services::{items as item_calls, session};
use crate::state::{
    Action, AuthState, Change, Created, Draft, FormState, Kind, Notice, Pending, Target,
};

use items::{Finished, draft_subject};

/// Which flow this page started, and the secret that proves it.
#[derive(Clone)]
struct FlowKeys {
    flow_id: String,
    secret: String,
}

impl FlowKeys {
    fn new(flow_id: &str, secret: &str) -> Self {
        FlowKeys {
            flow_id: flow_id.to_owned(),
            secret: secret.to_owned(),
        }
    }
}

/// Shared between the flow task and the UI (Cancel button, postMessage listener).
#[derive(Default)]
pub struct FlowControl {
    cancelled: Cell<bool>,
    nudged: Cell<bool>,
    popup: RefCell<Option<Window>>,
    /// Set once the flow has started (the start page asks for the secret).
    keys: RefCell<Option<FlowKeys>>,
    /// The start page got the secret: the popup went on to sign in (and may now look closed).
    proof_sent: Cell<bool>,
}

impl FlowControl {
    fn close_popup(&self) {
        if let Some(popup) = self.popup.borrow_mut().take() {
            let _ = popup.close();
        }
    }
}

/// Everything the handlers and background tasks need; cheap to clone.
#[derive(Clone)]
pub struct Controller {
    pub config: Rc<WidgetConfig>,
    pub dispatch: UseReducerDispatcher<FormState>,
    flow: Rc<RefCell<Option<Rc<FlowControl>>>>,
    /// Whether the component is still mounted: tasks stop touching the page after destroy.
    alive: Rc<Cell<bool>>,
    tab_id: Rc<str>,
}

enum FlowError {
    Cancelled,
    /// The popup looks closed while the flow is still pending. Either the user closed it,
    /// or a Cross-Origin-Opener-Policy on the sign-in page cut our handle to it (then
    /// `closed` reads true although the user is still signing in).
    PopupClosed(FlowKeys),
    Denied,
    Expired,
    Failed(Option<String>),
    Api(ApiError),
}

enum Watch {
    Cancelled,
    PopupClosed,
    Nudged,
}

impl Controller {
    pub fn new(
        config: Rc<WidgetConfig>,
        dispatch: UseReducerDispatcher<FormState>,
        flow: Rc<RefCell<Option<Rc<FlowControl>>>>,
        alive: Rc<Cell<bool>>,
        tab_id: Rc<str>,
    ) -> Self {
        Self {
            config,
            dispatch,
            flow,
            alive,
            tab_id,
        }
    }

    fn send(&self, action: Action) {
        if self.alive.get() {
            if let Action::Failed(error) | Action::AuthorizationStopped(Notice::Api(error)) =
                &action
            {
                host_events::error(&self.config, error);
            }
            self.dispatch.dispatch(action);
        }
    }

    // ----- submit -------------------------------------------------------------------

    /// The form's submit handler (runs inside the click's user activation): Create, or Save
    /// of the edited item. While a conflict waits for the user's choice, it does nothing.
    ///
    /// `form` is the submitted `<form>`: its inputs are read directly, so that what is sent
    /// is exactly what is on screen even if an edit has not been rendered into `state` yet.
    pub fn submit(&self, state: &FormState, form: Option<&HtmlFormElement>) {
        if state.conflict.is_none() {
            self.save(state, form, None);
        }
    }

    /// "Overwrite" after a conflict: the form's version saved over the newer one it met.
    pub fn overwrite(&self, state: &FormState, form: Option<&HtmlFormElement>) {
        if let Some(newer) = &state.conflict {
            self.save(state, form, Some(newer.version.clone()));
        }
    }

    /// Creates the form's draft, or saves it over the edited item at `version` (default: the
    /// version it was loaded at).
    fn save(&self, state: &FormState, form: Option<&HtmlFormElement>, version: Option<String>) {
        if state.busy() {
            return;
        }
        let mut draft = state.draft(browser_time_zone());
        if let Some(form) = form {
            let on_screen = read_form(form, draft.clone());
            if on_screen != draft {
                self.send(Action::Restore(on_screen.clone()));
                draft = on_screen;
            }
        }
        let invalid = match &draft {
            Draft::Appointment(d) => d.parse().err(),
            Draft::Task(d) => d.parse().err(),
        };
        if let Some(errors) = invalid {
            // The first field to correct takes the focus; the summary announces them all.
            if let Some((field, _)) = errors.iter().next() {
                browser::focus_soon(&self.config.host, self.config.id(field.name()));
            }
            self.send(Action::Invalid(errors));
            return;
        }
        let target = state.editing.as_ref().map(|editing| Target {
            id: editing.id.clone(),
            version: version.unwrap_or_else(|| editing.version.clone()),
            subject: draft_subject(&draft),
            change: Change::Save,
        });
        self.start(state, draft, target);
    }

    /// Sends an action now, or first gets the user signed in (synchronously, for the popup).
    fn start(&self, state: &FormState, draft: Draft, target: Option<Target>) {
        let pending = Pending {
            draft,
            idempotency_key: browser::uuid_v4(),
            target,
        };
        let needs_authorization =
            session::load(&self.config.api).is_none() && state.auth == AuthState::Unauthorized;
        if needs_authorization {
            self.authorize(Some(pending));
        } else {
            self.perform(pending, true);
        }
    }

    /// Sends the action; on 401 forgets the handle and authorizes, keeping the action.
    fn perform(&self, pending: Pending, may_authorize: bool) {
        self.send(Action::Send(pending.clone()));
        let this = self.clone();
        spawn_local(async move {
            let api = &this.config.api;
            let result = match &pending.target {
                None => this.create(&pending).await,
                Some(target) => this.change(&pending.draft, target).await,
            };
            if !this.alive.get() {
                return;
            }
            match result {
                Ok(finished) => this.finish(finished),
                Err(ApiError::AuthorizationRequired) if may_authorize => {
                    session::forget(api);
                    this.send(Action::Auth(AuthState::Unauthorized));
                    // Often still inside the click's activation window; if the popup is
                    // blocked the user gets a Connect button and the action stays pending.
                    this.authorize(Some(pending));
                }
                Err(ApiError::Conflict(_))
                    if pending
                        .target
                        .as_ref()
                        .is_some_and(|t| t.change == Change::Save) =>
                {
                    if let Some(target) = pending.target {
                        this.show_conflict(target.id);
                    }
                }
                Err(error) => this.send(Action::Failed(error)),
            }
        });
    }

    async fn create(&self, pending: &Pending) -> Result<Finished, ApiError> {
        let api = &self.config.api;
        let key = &pending.idempotency_key;
        let (created, detail) = match &pending.draft {
            Draft::Appointment(d) => {
                let (item, answer) = item_calls::create(api, Kind::Appointment, d, key).await?;
                (Created::Appointment(item), answer)
            }
            Draft::Task(d) => {
                let (item, answer) = item_calls::create(api, Kind::Task, d, key).await?;
                (Created::Task(item), answer)
            }
        };
        Ok(Finished {
            event: "created",
            detail,
            action: Action::Created(created),
        })
    }

    // ----- status and sign-out ------------------------------------------------------

    /// Asks the proxy whether the stored handle (if any) is usable; drops a dead handle.
    pub fn refresh_status(&self) {
        let this = self.clone();
        spawn_local(async move {
            let api = &this.config.api;
            let had_handle = session::load(api);
            match auth::status(api).await {
                Ok(status) if status.authorized => {
                    this.send(Action::Auth(AuthState::Authorized { user: status.user }))
                }
                Ok(_) => {
                    // Only forget the handle we asked about (another tab may have stored a
                    // fresh one meanwhile).
                    if had_handle.is_some() && session::load(api) == had_handle {
                        session::forget(api);
                    }
                    this.send(Action::Auth(AuthState::Unauthorized));
                }
                Err(ApiError::AuthorizationRequired) => {
                    if had_handle.is_some() && session::load(api) == had_handle {
                        session::forget(api);
                    }
                    this.send(Action::Auth(AuthState::Unauthorized));
                }
                Err(_) => this.send(Action::Auth(AuthState::Unknown)),
            }
        });
    }

    pub fn sign_out(&self) {
        let this = self.clone();
        spawn_local(async move {
            let api = &this.config.api;
            let result = auth::sign_out(api).await;
            session::forget(api);
            match result {
                Ok(()) | Err(ApiError::AuthorizationRequired) => this.send(Action::SignedOut),
                Err(error) => {
                    this.send(Action::SignedOut);
                    this.send(Action::Failed(error));
                }
            }
        });
    }
}

/// The current value of the form control named `name`, if there is one.
fn control_value(form: &HtmlFormElement, name: &str) -> Option<String> {
    let element = form.query_selector(&format!("[name='{name}']")).ok()??;
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        Some(input.value())
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        Some(area.value())
    } else {
        element.dyn_ref::<HtmlSelectElement>().map(|s| s.value())
    }
}

/// `draft` with every field replaced by what its control shows.
fn read_form(form: &HtmlFormElement, draft: Draft) -> Draft {
    use model::Field;
    let read = |field: Field, current: String| control_value(form, field.name()).unwrap_or(current);
    match draft {
        Draft::Appointment(a) => Draft::Appointment(model::AppointmentDraft {
            subject: read(Field::Subject, a.subject),
            start: read(Field::Start, a.start),
            end: read(Field::End, a.end),
            location: read(Field::Location, a.location),
            body: read(Field::Body, a.body),
            // An empty zone field means none chosen: the draft's zone (the browser's) stays.
            time_zone: control_value(form, Field::TimeZone.name())
                .filter(|zone| !zone.trim().is_empty())
                .or(a.time_zone),
            ..a
        }),
        Draft::Task(t) => Draft::Task(model::TaskDraft {
            subject: read(Field::Subject, t.subject),
            due_date: read(Field::DueDate, t.due_date),
            status: read(Field::Status, t.status),
            body: read(Field::Body, t.body),
            ..t
        }),
    }
}
